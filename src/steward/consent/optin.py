"""Double opt-in (Art. 7(1)): a signup sends a signed link; only following it records consent.

The token carries the subject reference, the purposes, the language and the sha256 of each
notice shown on the form. On confirmation the notices are rebuilt; if the wording changed in
between, the confirmation is refused (the person must see the current wording).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from steward.config import Settings
from steward.consent import ledger, mails, state, tokens
from steward.consent.purposes import resolve
from steward.consent.snapshots import purpose_notice
from steward.consent.subjects import email_ref, normalize_email
from steward.consent.tables import ConsentEvent
from steward.errors import InvalidInput
from steward.policy.models import Policy

FORM_ID = "privacy-center-newsletter"


def signup_purposes(policy: Policy) -> list[str]:
    """Opt-in purposes offered on the signup form: those with double opt-in."""
    return [p.key for p in policy.consent.purposes if p.mode == "opt_in" and p.double_opt_in]


def start(settings: Settings, policy: Policy, *, email: str, purposes: list[str],
          lang: str, source_page: str | None = None) -> str:
    """Send the confirmation mail; returns the message id. Nothing is recorded yet."""
    address = normalize_email(email)
    offered = signup_purposes(policy)
    chosen = [p for p in dict.fromkeys(purposes)]
    if not chosen:
        raise InvalidInput("choose at least one thing to subscribe to")
    for key in chosen:
        resolve(policy, key)
        if key not in offered:
            raise InvalidInput(f"{key!r} is not offered on this form; offered: "
                               f"{', '.join(offered)}")
    notices = {k: purpose_notice(policy, k, lang) for k in chosen}
    ref = email_ref(settings.resolved_secret_key(), address)
    token = tokens.make(settings.resolved_secret_key(), "confirm", {
        "s": ref, "p": chosen, "n": {k: n.sha256 for k, n in notices.items()},
        "l": next(iter(notices.values())).language, "f": FORM_ID,
        "u": (source_page or "")[:150],
    })
    titles = [n.content["title"] for n in notices.values()]
    return mails.send_confirmation(settings, policy, to=address, token=token, titles=titles,
                                   lang=lang)


def confirm(session: Session, settings: Settings, policy: Policy, token: str,
            *, ip_address: str | None = None) -> list[ConsentEvent]:
    """Record `given` for each purpose in a valid token; a second click records nothing."""
    data = tokens.read(settings.resolved_secret_key(), "confirm", token)
    ref, lang = str(data.get("s", "")), str(data.get("l", ""))
    shown: dict[str, str] = data.get("n") or {}
    events = []
    for key in data.get("p") or []:
        info = resolve(policy, key)
        notice = purpose_notice(policy, key, lang)
        if shown.get(key) != notice.sha256:
            raise tokens.BadToken("the wording of this consent changed after you signed up; "
                                  "please sign up again so you see the current text")
        current = state.get(session, ref, key)
        # The token's sha256, not the token: a stored token would stay a working confirmation
        # link for 48 hours to anyone who reads the ledger or a proof export.
        evidence = "double-opt-in-token-sha256:" + tokens.digest(token)
        if current is not None and current.state == "given":
            prior = session.get(ConsentEvent, current.event_seq)
            if prior is not None and prior.evidence_ref == evidence:
                continue  # the same link followed twice
        events.append(ledger.record(
            session, policy, subject_ref=ref, purpose=info, action="given",
            method="double_opt_in", ui_action="confirm_link", notice=notice,
            source_page=str(data.get("u") or "") or None, form_id=str(data.get("f") or ""),
            evidence_ref=evidence, recorded_by="subject", ip_address=ip_address,
        ))
    return events
