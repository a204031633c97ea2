"""Is every promise the law requires in the notice and the record? Checks of what is missing.

Called from `crossrefs.check_policy`; each finding carries its file:line. Errors where the
policy itself shows the gap and the law leaves no choice; warnings where Steward cannot tell
from the policy whether an item applies.

Notice (Arts. 13-14):
- 13(2)(e) requirement statement: derived from a single basis (a), (b) or (f); a purpose on a
  legal obligation (c) or on several bases states it itself (warning otherwise);
- 21(4) the right to object, presented separately: it must be offered when a purpose relies
  on Art. 6(1)(e)/(f) or people may object to direct marketing (error);
- 13(1)(f) transfers outside the EU/EEA: the notice says how to get a copy of the safeguards
  (`notice.transfer_safeguards_copy`, error);
- 14(2)(f) sources: an activity naming sources besides the person says which data each gives
  (`indirect_sources`, warning); those categories belong to the activity (error);
- 13(2)(d), Art. 77: an authority for every country of establishment (warning).
Record (Art. 30): every subject category and every processor appears in an activity; each
processor role names its controllers (30(2)(a)) (warnings).
Breaches (Art. 33(1)): reminders fall before the promised deadline; the promise text names no
other number of hours than `notify_within_hours` (errors).
"""

from __future__ import annotations

import re

from steward.policy.crossrefs import EEA
from steward.policy.models import LegalBasis, Policy, TransferMechanism
from steward.policy.report import Report
from steward.policy.sources import Path_

# "72 hours", "72 timer", "72 timmar", "72-hour": a number of hours in a promise's text.
HOURS_IN_TEXT = re.compile(r"(\d+)(?:\s|-)*(?:hours?|timer|timmar|timar|tim)\b", re.IGNORECASE)


def check_completeness(policy: Policy, r: Report) -> None:
    """Report every Art. 13/14, Art. 30 and Art. 33 item the policy lacks."""
    _requirements(policy, r)
    _objection(policy, r)
    _transfers(policy, r)
    _sources(policy, r)
    _authorities(policy, r)
    _record(policy, r)
    _breach_promise(policy, r)


def derivable_requirement(bases: list[LegalBasis]) -> bool:
    """True when the Art. 13(2)(e) statement follows from the legal basis alone."""
    return len(set(bases)) == 1 and bases[0] in (
        LegalBasis.consent, LegalBasis.contract, LegalBasis.legitimate_interests
    )


def _requirements(policy: Policy, r: Report) -> None:
    for i, p in enumerate(policy.purposes):
        if p.requirement is None and not derivable_requirement(p.legal_bases):
            r.warn(
                ("purposes", i, "legal_bases"),
                f"purpose {p.key!r}: the notice must say whether providing the data is a "
                "statutory or contractual requirement, whether people must provide it and "
                "what happens if they do not (GDPR Art. 13(2)(e)); with these legal bases "
                "it cannot be derived: add `requirement`",
            )


def objection_applies(policy: Policy) -> bool:
    """Art. 21(1)/(2): processing on Art. 6(1)(e)/(f), or direct marketing, can be objected to."""
    bases = {b for p in policy.purposes for b in p.legal_bases}
    return bool(bases & {LegalBasis.public_task, LegalBasis.legitimate_interests}) or any(
        cp.direct_marketing for cp in policy.consent.purposes
    )


def _objection(policy: Policy, r: Report) -> None:
    from steward.policy.models import Right

    if objection_applies(policy) and Right.objection not in policy.rights.offered:
        r.error(
            ("rights", "offered"),
            "processing relies on GDPR Art. 6(1)(e)/(f) or is direct marketing, so people "
            "have the right to object (Art. 21(1)-(2)), which the notice must present "
            "separately (Art. 21(4)): add objection to rights.offered",
        )


def third_country_transfers(policy: Policy) -> list[tuple[Path_, str, TransferMechanism]]:
    """(path, country, mechanism) of every transfer outside the EU/EEA the policy declares."""
    out: list[tuple[Path_, str, TransferMechanism]] = []
    for i, proc in enumerate(policy.processors):
        if proc.country not in EEA:
            out.append((("processors", i, "country"), proc.country, proc.transfer_mechanism))
        for j, sub in enumerate(proc.sub_processors):
            if sub.country not in EEA:
                out.append((("processors", i, "sub_processors", j, "country"), sub.country,
                            sub.transfer_mechanism))
    for i, act in enumerate(policy.processing_activities):
        for j, tr in enumerate(act.transfers):
            if tr.country not in EEA:
                out.append((("processing_activities", i, "transfers", j, "country"),
                            tr.country, tr.mechanism))
    return out


def _transfers(policy: Policy, r: Report) -> None:
    copy = policy.notice.transfer_safeguards_copy
    if copy is not None and policy.text(copy).strip():
        return
    # A transfer without a mechanism is already an error (crossrefs: Arts. 44-46).
    transfers = [t for t in third_country_transfers(policy) if t[2] != TransferMechanism.eea]
    if transfers:
        path, country, _ = transfers[0]
        r.error(
            path,
            f"data goes to {country}, outside the EU/EEA: the notice must name the safeguards "
            "and say how to obtain a copy of them or where they are available (GDPR Art. "
            "13(1)(f)): set notice.transfer_safeguards_copy",
        )


def _sources(policy: Policy, r: Report) -> None:
    for i, act in enumerate(policy.processing_activities):
        path = ("processing_activities", i)
        if len(act.sources) > 1 and not act.indirect_sources:
            r.warn(
                (*path, "sources"),
                f"activity {act.key!r} names sources besides the person, but the notice "
                "cannot say which data come from where (GDPR Art. 14(2)(f)): add "
                "indirect_sources",
            )
        for j, src in enumerate(act.indirect_sources):
            for k, key in enumerate(src.data_categories):
                if key not in act.data_categories:
                    r.error(
                        (*path, "indirect_sources", j, "data_categories", k),
                        f"{key!r} is not among this activity's data_categories: a source "
                        "can only provide data the activity processes (GDPR Art. 14(2)(f))",
                    )


def _authorities(policy: Policy, r: Report) -> None:
    for j, est in enumerate(policy.controller.establishments):
        if est.country not in policy.authorities:
            r.warn(
                ("controller", "establishments", j, "country"),
                f"no `authorities` entry for {est.country}: people there may complain to "
                "their own supervisory authority (GDPR Art. 77), which the notice names "
                "(Art. 13(2)(d))",
            )


def _record(policy: Policy, r: Report) -> None:
    used_subjects = {s for act in policy.processing_activities for s in act.subjects}
    for i, subj in enumerate(policy.subject_categories):
        if subj.key not in used_subjects:
            r.warn(
                ("subject_categories", i),
                f"subject category {subj.key!r} is in no processing activity: the record "
                "of processing (GDPR Art. 30(1)(c)) does not cover it",
            )
    recipients = {
        rec.processor for act in policy.processing_activities for rec in act.recipients
    }
    for i, proc in enumerate(policy.processors):
        if proc.key not in recipients:
            r.warn(
                ("processors", i),
                f"processor {proc.key!r} is the recipient of no processing activity: the "
                "record (GDPR Art. 30(1)(d)) does not say whose data it receives",
            )
    for i, role in enumerate(policy.processor_roles):
        if not role.controllers:
            r.warn(
                ("processor_roles", i, "controller"),
                f"processor role {role.key!r} does not name each controller served: the "
                "processor record needs their names and contact details (GDPR Art. "
                "30(2)(a)): list them under controllers",
            )


def _breach_promise(policy: Policy, r: Report) -> None:
    b = policy.breaches
    for j, h in enumerate(b.reminder_hours or []):
        if h >= b.notify_within_hours:
            r.error(
                ("breaches", "reminder_hours", j),
                f"a reminder {h} hours after awareness comes at or after the promised "
                f"deadline of {b.notify_within_hours} hours (GDPR Art. 33(1))",
            )
    texts = [b.promise] if isinstance(b.promise, str) else list((b.promise or {}).values())
    for text in texts:
        for m in HOURS_IN_TEXT.finditer(text):
            if int(m.group(1)) != b.notify_within_hours:
                r.error(
                    ("breaches", "promise"),
                    f"the promise says {m.group(0)!r} but notify_within_hours is "
                    f"{b.notify_within_hours}: the notice and the breach clock must keep "
                    "the same promise (GDPR Art. 33(1))",
                )
                return
