"""The cookie banner's configuration and the recording of its decisions.

The banner has two parts of configuration: the *core* (categories, their validity, GPC and
Google Consent Mode signals, cookie names) embedded in the loader, and the *notice* (every
text and choice shown, in one language) fetched by the dialog. The notice's sha256 is what the
browser sends back with each decision; the server checks it against the policy or a stored
snapshot, so an event always names exactly what was shown.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from steward import i18n
from steward.consent import ledger, snapshots, state
from steward.consent.purposes import BANNER_NOTICE, COOKIE_PREFIX, resolve
from steward.consent.snapshots import Notice
from steward.consent.subjects import cid_ref
from steward.consent.tables import ConsentEvent, ConsentSnapshot
from steward.errors import InvalidInput
from steward.i18n import N_
from steward.policy.models import Policy

# The banner's own texts, written once in English and translated in the catalogs
# (steward.i18n); the policy may reword any of them (`texts:`) and give its own `body`
# (`consent.cookies.banner_text`). `UI[lang]` is every text in one language.
UI = i18n.Texts(
    {
        "title": N_("Cookies on this site"),
        "body": N_(
            "We use cookies for the purposes below. Necessary cookies are always on; the "
            "others only with your consent."
        ),
        "accept": N_("Accept all"),
        "reject": N_("Reject all"),
        "choose": N_("Choose"),
        "save": N_("Save choices"),
        "always": N_("Always on"),
        "services": N_("Services"),
        "gpc": N_(
            "Your browser sent a Global Privacy Control signal, so this stays off unless you "
            "switch it on."
        ),
        "withdraw": N_(
            "You can change or withdraw your choice at any time via \u201cCookie settings\u201d."
        ),
        "settings": N_("Cookie settings"),
        "exempt": N_(
            "No consent needed: counted as totals only, without cookies, without storing "
            "anything on your device and without identifying you."
        ),
    }
)
UI_ACTIONS = ("accept_all", "reject_all", "save", "dismiss", "gpc")


def ui_languages() -> tuple[str, ...]:
    """The languages the banner speaks: those with a catalog, English first."""
    return i18n.available()


def ui_language(lang: str | None) -> str:
    base = (lang or "en").lower().split("-")[0]
    return base if base in UI else "en"


def ui_texts(policy: Policy, lang: str) -> dict[str, str]:
    """The banner's texts in `lang` (a language of `UI`), the policy's own wording first."""
    with i18n.language(lang, policy.texts):
        return UI[lang]


def statistics_without_consent(policy: Policy, category: Any) -> bool:
    """True for the visitor-statistics category where the policy's `analytics.without_consent`
    says it meets the national rules' audience-measurement conditions (ePrivacy Art. 5(3)):
    first party, totals only, no cookie, nothing stored on the device, no identifier kept."""
    a = policy.analytics
    return bool(a is not None and a.without_consent and a.banner_category == category.key)


def always_on(policy: Policy, category: Any) -> bool:
    """Strictly necessary cookies and statistics without consent: shown as always on, no
    choice recorded."""
    return bool(category.required or statistics_without_consent(policy, category))


def core(policy: Policy, *, gpc_header: bool = False) -> dict[str, Any]:
    """What the loader needs without any text: categories, validity, GPC, signals, cookies."""
    cookies = policy.consent.cookies
    return {
        "v": cookies.version,
        "gpc": gpc_header,
        "cats": [{"k": c.key, "r": always_on(policy, c), "d": c.valid_days, "g": c.gpc_refuses,
                  "s": list(c.gcm_signals),
                  "c": [n for s in c.services for n in s.cookies]} for c in cookies.categories],
    }


def notice(policy: Policy, lang: str | None) -> Notice:
    """Exactly the banner's texts and choices in one language."""
    ui = ui_language(lang)
    texts = ui_texts(policy, ui)
    exempt = texts.pop("exempt")
    if policy.consent.cookies.banner_text:
        texts["body"] = policy.text(policy.consent.cookies.banner_text, ui)
    cats = [{"key": c.key, "title": policy.text(c.title, ui),
             "description": policy.text(c.description, ui), "required": always_on(policy, c),
             "services": [s.name + (f" ({s.provider})" if s.provider else "")
                          for s in c.services]}
            | ({"why": exempt} if statistics_without_consent(policy, c) else {})
            for c in policy.consent.cookies.categories]
    content = {"controller": policy.controller.name, "texts": texts, "categories": cats,
               "choices": ["accept_all", "reject_all", "choose"]}
    return Notice(BANNER_NOTICE, str(policy.consent.cookies.version), ui, content)


def _shown(session: Session, policy: Policy, version: int, lang: str, sha: str) -> Notice:
    """The notice the browser says it showed; InvalidInput when no such version exists."""
    if version == policy.consent.cookies.version:
        current = notice(policy, lang)
        if current.sha256 == sha:
            return current
    snap = session.get(ConsentSnapshot, sha)
    if snap is None or snap.notice_id != BANNER_NOTICE or snap.notice_version != str(version):
        raise InvalidInput(f"banner notice version {version} in language {lang!r} with this "
                           "snapshot hash does not exist")
    import json

    return Notice(BANNER_NOTICE, snap.notice_version, snap.language, json.loads(snap.content))


def record(session: Session, policy: Policy, payload: dict[str, Any], *,
           gpc_header: bool = False, ip_address: str | None = None) -> list[ConsentEvent]:
    """Record one banner decision (one event per category); refusals are recorded too."""
    if not isinstance(payload, dict):
        raise InvalidInput("the event must be a JSON object")
    ref = cid_ref(str(payload.get("cid", "")))
    try:
        version = int(payload.get("v"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput("v (the notice version) must be a number") from None
    ui_action = str(payload.get("ui", ""))
    if ui_action not in UI_ACTIONS:
        raise InvalidInput(f"ui must be one of {', '.join(UI_ACTIONS)}")
    choices = payload.get("choices")
    if not isinstance(choices, dict) or not choices:
        raise InvalidInput("choices must map cookie categories to true/false")
    shown = _shown(session, policy, version, ui_language(str(payload.get("lang", ""))),
                   str(payload.get("sha", "")))
    gpc = bool(payload.get("gpc")) or gpc_header
    page = str(payload.get("page") or "")[:500] or None
    events = []
    for key, granted in sorted(choices.items()):
        info = resolve(policy, COOKIE_PREFIX + str(key))
        cat = next(c for c in policy.consent.cookies.categories if c.key == str(key))
        if info.required or always_on(policy, cat):
            continue  # strictly necessary cookies need no consent (ePrivacy Art. 5(3))
        info = dataclasses.replace(info, version=version)
        current = state.effective(state.get(session, ref, info.key))
        if ui_action == "gpc":
            if granted or current is not None:
                continue  # GPC refuses once; any explicit choice made since stands
            action = "gpc_opt_out"
        elif granted is True:
            action = "given"
        else:
            action = "withdrawn" if current == "given" else "refused"
        events.append(ledger.record(
            session, policy, subject_ref=ref, purpose=info, action=action,
            method="cookie_banner", ui_action=ui_action, notice=shown, source_page=page,
            form_id="cookie-banner", banner_revision=str(payload.get("rev") or "")[:40] or None,
            gpc=gpc, recorded_by="subject", ip_address=ip_address,
        ))
    return events


def stored_versions(session: Session) -> list[str]:
    return sorted({s.notice_version for s in snapshots.listing(session, BANNER_NOTICE)})
