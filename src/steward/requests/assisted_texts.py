"""Texts of an assisted request (Art. 28(3)(e)) for the controller served: the report that goes
in its answer package or stands as its erasure report, and the mail to its contact saying the
answer is ready (with the portal link, never the data). In the controller's language when the
catalogs have it (`steward.i18n`)."""

from __future__ import annotations

from typing import Any

from steward.config import Settings
from steward.errors import NotFound
from steward.i18n import gettext as _
from steward.i18n import language
from steward.mail import Mailer
from steward.policy.models import Policy
from steward.policy.tenancy import find

# The catalogs' languages for the controllers' countries; English elsewhere.
_LANGUAGES = {"DK": "da", "NO": "nb", "SE": "sv"}


def controller_language(policy: Policy, controller: str) -> str:
    return _LANGUAGES.get(find(policy, controller).controller.country or "", "en")


def controller_name(policy: Policy, key: str | None) -> str | None:
    """The name of the controller an assisted request is for (Art. 28(3)(e)); its key when the
    policy no longer serves it; None for a request of the company's own."""
    if not key:
        return None
    try:
        return find(policy, key).controller.name
    except NotFound:
        return key


def portal_link(settings: Settings) -> str:
    return f"{settings.base_url.rstrip('/')}/controllers/portal"


def report(
    policy: Policy, *, controller: str, public_id: str, type_: str, result: dict[str, Any]
) -> str:
    """The plain-text report of a finished assisted request (no personal values)."""
    served = find(policy, controller).controller
    with language(controller_language(policy, controller)):
        lines = [
            _("Assisted request %(id)s for %(controller)s (GDPR Art. 28(3)(e))")
            % {"id": public_id[:8], "controller": served.name},
            _("Processed by %(processor)s as your processor.")
            % {"processor": policy.controller.name},
            _("Request type: %(type)s") % {"type": type_},
            "",
        ]
        found = result.get("rows_found") or {}
        lines.append(_("Rows found in your data, per system:"))
        lines += [f"  - {k}: {n}" for k, n in sorted(found.items())] or ["  -"]
        for title, key in ((_("Rows copied into the package:"), "exported"),):
            per = result.get(key) or {}
            if per:
                lines += ["", title]
                lines += [
                    f"  - {s}.{t}: {n}"
                    for s, tables in sorted(per.items())
                    for t, n in sorted(tables.items())
                ]
        erased = result.get("erased") or {}
        if erased or type_ == "erasure":
            lines += ["", _("Erased (GDPR Art. 17):")]
            lines += [f"  - {k}: {n}" for k, n in sorted(erased.items())] or ["  -"]
        kept = result.get("kept") or []
        if kept:
            lines += ["", _("Kept, with the reason:")]
            lines += [f"  - {k['system']}.{k['table']}: {k['rows']} ({k['reason']})" for k in kept]
        if "art19" in result:
            lines += ["", *_told(result["art19"])]
        lines += [
            "",
            _(
                "Only your data was searched: no other customer's data was read or "
                "changed. Answering your data subject is yours to do (GDPR Art. 12)."
            ),
        ]
    return "\n".join(lines) + "\n"


def _told(outcomes: list[dict[str, str]]) -> list[str]:
    """Art. 19 is the controller's duty; the company assisted by telling its own
    sub-processors that hold the changed data (Art. 28(3)(e)), and says whom."""
    if not outcomes:
        lines = [_("None of our sub-processors holds the changed data: we told no one.")]
    else:
        lines = [_("Told of the change on your behalf (GDPR Art. 19 and Art. 28(3)(e)):")]
        for o in outcomes:
            if o["status"] == "sent":
                line = _("%(name)s: told on %(day)s") % {"name": o["name"], "day": o["told_on"]}
            else:
                line = _("%(name)s: not told (%(reason)s)") % {
                    "name": o["name"],
                    "reason": o["reason"],
                }
            lines.append(f"  - {line}")
    return [*lines, _("Telling your own recipients of the data is yours to do (GDPR Art. 19).")]


def send_ready(
    settings: Settings, policy: Policy, *, controller: str, email: str, public_id: str
) -> None:
    """Tell the controller's contact the answer is ready in the portal; raises Unavailable
    when mail is down (the caller keeps the notice pending)."""
    served = find(policy, controller).controller
    with language(controller_language(policy, controller)):
        subject = _("Your assisted request is answered")
        text = _(
            "The request %(id)s you passed on to %(processor)s for %(controller)s has been "
            "answered. Fetch the answer with your API key in the portal: %(link)s\n\n"
            "The answer is not sent by e-mail: ordinary e-mail is not secure."
        ) % {
            "id": public_id[:8],
            "processor": policy.controller.name,
            "controller": served.name,
            "link": portal_link(settings),
        }
    Mailer(settings).send(to=email, subject=subject, text=text)
