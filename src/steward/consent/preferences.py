"""Withdrawing and changing choices: one-click unsubscribe and the preference center.

Withdrawal must be as easy as giving consent (Art. 7(3)); an objection to direct marketing
must be honoured without exception (Art. 21(3)). For an opt-in purpose, switching off records
`withdrawn`; for a legitimate-interest or opt-out purpose it records `objected`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from steward.config import Settings
from steward.consent import ledger, mails, mailtexts, state, tokens
from steward.consent.purposes import PurposeInfo, all_purposes, resolve
from steward.consent.snapshots import purpose_notice
from steward.consent.subjects import email_ref, normalize_email
from steward.consent.tables import ConsentEvent
from steward.policy.models import Policy

OFF_STATES = ("withdrawn", "refused", "objected", "gpc_opt_out", "expired")
# How each decision was taken, in words for the person whose history it is (the ledger keeps
# the codes); the words live with the other texts, per language, in `mailtexts`.
METHOD_LABELS = {k[4:]: v for k, v in mailtexts.TEXTS["en"].items() if k.startswith("how_")}


def method_label(method: str, lang: str = "en") -> str:
    """A person-readable description of a ledger `method` code (unknown codes as words)."""
    return mailtexts.how(lang if lang in mailtexts.TEXTS else "en", method)


def off_action(info: PurposeInfo) -> str:
    return "objected" if info.legitimate_interest else "withdrawn"


def unsubscribe(session: Session, settings: Settings, policy: Policy, token: str, *,
                one_click: bool, ip_address: str | None = None) -> ConsentEvent | None:
    """Withdraw (or object) for the purpose in a valid unsubscribe token. Returns the event,
    or None when it was already off. A bad or expired token raises BadToken: nothing changes."""
    data = tokens.read(settings.resolved_secret_key(), "unsubscribe", token)
    ref, key = str(data.get("s", "")), str(data.get("p", ""))
    info = resolve(policy, key)
    current = state.effective(state.get(session, ref, key))
    if current in OFF_STATES and current != "expired":
        return None
    return ledger.record(
        session, policy, subject_ref=ref, purpose=info, action=off_action(info),
        method="rfc8058_one_click" if one_click else "unsubscribe_page",
        ui_action="one_click_post" if one_click else "confirm_button",
        evidence_ref="unsubscribe-token-sha256:" + tokens.digest(token),
        recorded_by="subject", ip_address=ip_address,
    )


def send_link(settings: Settings, policy: Policy, *, email: str, lang: str) -> str:
    """Mail a signed, expiring preference-center link to the address (proves control of it)."""
    address = normalize_email(email)
    token = tokens.make(settings.resolved_secret_key(), "preferences",
                        {"s": email_ref(settings.resolved_secret_key(), address), "l": lang})
    return mails.send_preferences_link(settings, policy, to=address, token=token, lang=lang)


@dataclass(frozen=True)
class PurposeView:
    info: PurposeInfo
    state: str | None
    on: bool
    history: list[ConsentEvent]
    notice: dict[str, object]


def view(session: Session, policy: Policy, ref: str, lang: str) -> list[PurposeView]:
    """Every consent purpose with its state, whether it is on, its history and notice."""
    from steward.consent.checks import decide

    out = []
    for info in all_purposes(policy, lang):
        if info.kind != "purpose":
            continue  # cookie choices live in each browser, managed by the banner
        st = state.get(session, ref, info.key)
        result = decide(session, info, ref, st)
        out.append(PurposeView(info, state.effective(st), result.allowed,
                               state.history(session, ref, info.key),
                               purpose_notice(policy, info.key, lang).content))
    return out


def change(session: Session, settings: Settings, policy: Policy, token: str, *, purpose: str,
           on: bool, ip_address: str | None = None) -> ConsentEvent | None:
    """Switch one purpose on or off from the preference center; None when nothing changes."""
    data = tokens.read(settings.resolved_secret_key(), "preferences", token)
    ref, lang = str(data.get("s", "")), str(data.get("l", ""))
    info = resolve(policy, purpose, lang)
    current = state.effective(state.get(session, ref, purpose))
    if on and current == "given" or (not on and current in OFF_STATES and current != "expired"):
        return None
    # Switching on here is an informed act by the verified address owner: the page shows the
    # notice beside the toggle, and that notice is what the event records.
    return ledger.record(
        session, policy, subject_ref=ref, purpose=info,
        action="given" if on else off_action(info), method="preference_center",
        ui_action="toggle_on" if on else "toggle_off",
        notice=purpose_notice(policy, purpose, lang), form_id="privacy-center-preferences",
        evidence_ref="preferences-token-sha256:" + tokens.digest(token),
        recorded_by="subject", ip_address=ip_address,
    )
