"""Who is told of a rectification, erasure or restriction (GDPR Art. 19).

The recipients of the data held in the touched systems: every processor whose declared
`systems` include one of them, or (for a processor that declares no systems) that an activity
covering them names and whose `data_categories` meet the categories those systems hold; every
sub-processor of those processors (backups included: they hold the same data); and every
third party an activity covering the systems names. Internal recipients are the controller
itself and are not told separately.

For an assisted request (Art. 28(3)(e)) the company is the controller's processor: Art. 19 is
the controller's duty, and the company assists by telling the sub-processors it engaged for
that processing (`assisted_recipients`); the report to the controller says who was told.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from steward import i18n
from steward.i18n import N_
from steward.policy.models import Notify, Policy, Processor
from steward.policy.tenancy import find
from steward.requests.plan import activities_for


@dataclass(frozen=True)
class Art19Recipient:
    key: str  # processor key, `<processor>.<sub-processor>`, or `third_party.<slug>`
    name: str
    notify: Notify | None  # None: the policy names no channel; an officer tells them


def held_categories(policy: Policy, systems: Iterable[str]) -> set[str]:
    """The data categories the systems' tables declare (fields and what free text may hold)."""
    out: set[str] = set()
    for key in systems:
        for table in policy.system(key).tables:
            for f in table.fields:
                out |= {f.category} if f.category else set()
                out |= set(f.may_contain)
    return out


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:80] or "recipient"


def _holds(p: Processor, systems: set[str], named: set[str], categories: set[str]) -> bool:
    if p.systems:
        return bool(systems & set(p.systems))
    return p.key in named and (not p.data_categories or bool(categories & set(p.data_categories)))


# A sub-processor as a recipient: stored in English, read in the console's language
# (`name_in_words`).
SUB_PROCESSOR = N_("{name} ({service}; sub-processor of {processor})")


def _with_subs(out: dict[str, Art19Recipient], p: Processor) -> None:
    out[p.key] = Art19Recipient(p.key, f"{p.name} ({p.service})", p.notify)
    for sp in p.sub_processors:
        key = f"{p.key}.{sp.key}"
        name = SUB_PROCESSOR.format(name=sp.name, service=sp.service, processor=p.name)
        out[key] = Art19Recipient(key, name, sp.notify)


def name_in_words(policy: Policy, key: str, text: str) -> str:
    """`text` (a stored name or note) with the English name of the sub-processor recipient
    `key` put in the language in force; as it is for any other recipient (its name has no
    words of Steward's) or one the policy no longer has."""
    proc_key, _, sub_key = key.partition(".")
    for p in policy.processors:
        if p.key != proc_key:
            continue
        for sp in p.sub_processors:
            if sp.key == sub_key:
                values = {"name": sp.name, "service": sp.service, "processor": p.name}
                return text.replace(
                    SUB_PROCESSOR.format(**values), i18n.gettext(SUB_PROCESSOR).format(**values)
                )
    return text


def assisted_recipients(
    policy: Policy, controller: str, systems: Iterable[str]
) -> list[Art19Recipient]:
    """Whom the company, as processor of `controller`, tells when that controller's data in
    `systems` changed (Art. 28(3)(e) with Art. 19): the sub-processors engaged for the
    processor role (Art. 28(2)/(4)) and their own sub-processors (backups hold the same data).
    A sub-processor whose `systems` name some of the role's systems is told only when one of
    those changed; one naming none of them serves the whole role. The controller's own
    recipients, and the company's own activities and third parties, are not the company's to
    tell here."""
    keys = set(systems)
    if not keys:
        return []
    role = find(policy, controller).role
    role_systems = {spec.key for spec in role.systems}
    out: dict[str, Art19Recipient] = {}
    for p in policy.processors:
        if p.key not in role.sub_processors:
            continue
        named = set(p.systems) & role_systems
        if named and not named & keys:
            continue
        _with_subs(out, p)
    return list(out.values())


def art19_recipients(policy: Policy, systems: Iterable[str]) -> list[Art19Recipient]:
    """The recipients to tell when data in `systems` changed, processors first."""
    keys = set(systems)
    if not keys:
        return []
    acts = activities_for(policy, keys)
    named = {r.processor for a in acts for r in a.recipients if r.processor}
    categories = held_categories(policy, keys)
    out: dict[str, Art19Recipient] = {}
    for p in policy.processors:
        if not _holds(p, keys, named, categories):
            continue
        _with_subs(out, p)
    for a in acts:
        for r in a.recipients:
            if r.third_party:
                key = f"third_party.{slug(r.third_party)}"
                out.setdefault(key, Art19Recipient(key, r.third_party, r.notify))
    return list(out.values())


def notify_of(policy: Policy, key: str) -> Notify | None:
    """The `notify` block the current policy declares for the recipient `key` (None when the
    recipient names no channel or is no longer in the policy)."""
    for p in policy.processors:
        if key == p.key:
            return p.notify
        for sp in p.sub_processors:
            if key == f"{p.key}.{sp.key}":
                return sp.notify
    for a in policy.processing_activities:
        for r in a.recipients:
            if r.third_party and key == f"third_party.{slug(r.third_party)}":
                return r.notify
    return None
