"""What changed between two versions of a policy: purposes, data categories, recipients and
retention periods, each added, changed or removed.

A new purpose must be announced to the people concerned before the processing starts (Art.
13(3), and the seed policy's promise); such entries carry `announce=True`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from steward.policy.models import Policy
from steward.policy.ropa import period_words

Change = Literal["added", "changed", "removed"]


@dataclass(frozen=True)
class DiffEntry:
    section: str
    key: str
    change: Change
    details: list[str] = field(default_factory=list)
    announce: bool = False

    def line(self) -> str:
        mark = {"added": "+", "changed": "~", "removed": "-"}[self.change]
        text = f"{mark} {self.section} {self.key}: {self.change}"
        if self.details:
            text += " (" + "; ".join(self.details) + ")"
        if self.announce:
            text += " -- announce before processing starts (GDPR Art. 13(3))"
        return text


@dataclass(frozen=True)
class PolicyDiff:
    old_version: str
    new_version: str
    entries: list[DiffEntry]

    @property
    def new_purposes(self) -> list[str]:
        return [e.key for e in self.entries if e.section == "purpose" and e.change == "added"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "new_purposes": self.new_purposes,
            "entries": [asdict(e) for e in self.entries],
        }

    def text(self) -> str:
        head = f"policy {self.old_version} -> {self.new_version}: {len(self.entries)} change(s)"
        return "\n".join([head, *(e.line() for e in self.entries)])


def _compare(
    section: str,
    old: dict[str, Any],
    new: dict[str, Any],
    describe: Callable[[Any], dict[str, Any]],
    announce_added: bool = False,
) -> Iterable[DiffEntry]:
    for key in new.keys() - old.keys():
        yield DiffEntry(section, key, "added", announce=announce_added)
    for key in old.keys() - new.keys():
        yield DiffEntry(section, key, "removed")
    for key in old.keys() & new.keys():
        a, b = describe(old[key]), describe(new[key])
        details = [f"{name}: {a[name]!r} -> {b[name]!r}" for name in a if a[name] != b[name]]
        if details:
            yield DiffEntry(section, key, "changed", details)


def _recipients(policy: Policy) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in policy.processors:
        out[f"processor:{p.key}"] = {
            "name": p.name, "country": p.country, "transfer": p.transfer_mechanism.value,
            "sub_processors": sorted(f"{s.key} ({s.country})" for s in p.sub_processors),
        }
    for act in policy.processing_activities:
        for rec in act.recipients:
            if rec.internal:
                out.setdefault(f"internal:{rec.internal}", {})
            elif rec.third_party:
                out.setdefault(f"third_party:{rec.third_party}", {})
    return out


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    """Added, changed and removed purposes, data categories, recipients and retention."""
    entries: list[DiffEntry] = []
    entries += _compare(
        "purpose",
        {p.key: p for p in old.purposes},
        {p.key: p for p in new.purposes},
        lambda p: {
            "title": old.text(p.title) if p in old.purposes else new.text(p.title),
            "legal_bases": sorted(b.value for b in p.legal_bases),
            "legitimate_interests": len(p.legitimate_interests),
            "art9_condition": p.art9_condition.value if p.art9_condition else None,
        },
        announce_added=True,
    )
    entries += _compare(
        "data_category",
        {d.key: d for d in old.data_categories},
        {d.key: d for d in new.data_categories},
        lambda d: {"special": d.special, "national_id": d.national_id,
                   "only_subjects": sorted(d.only_subjects)},
    )
    entries += _compare("recipient", _recipients(old), _recipients(new), lambda r: r)
    entries += _compare(
        "retention",
        {r.key: r for r in old.retention_rules},
        {r.key: r for r in new.retention_rules},
        lambda r: {"period": period_words(r)},
    )
    order = {"purpose": 0, "data_category": 1, "recipient": 2, "retention": 3}
    entries.sort(key=lambda e: (order[e.section], e.change, e.key))
    return PolicyDiff(old.policy.version, new.policy.version, entries)
