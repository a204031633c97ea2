"""Which changes between two policy versions must be told to the people concerned before the
processing starts (GDPR Art. 13(3), Art. 14(4); the seed policy's promise): a new purpose, or
a purpose widened to data categories or recipients it did not reach before.

A purpose's reach is read from the processing activities that serve it: the union of their
data categories and recipients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from steward.policy.diff import diff_policies
from steward.policy.models import Policy, Recipient

Change = Literal["added", "widened"]


@dataclass(frozen=True)
class NewUse:
    """One purpose to announce: `added`, or `widened` with the new categories/recipients."""

    purpose: str
    change: Change
    details: tuple[str, ...] = ()


def _recipient(rec: Recipient) -> str:
    if rec.processor:
        return f"processor:{rec.processor}"
    if rec.third_party:
        return f"third party:{rec.third_party}"
    return f"internal:{rec.internal}"


def reach(policy: Policy, purpose: str) -> tuple[set[str], set[str]]:
    """(data categories, recipients) of the activities serving `purpose`."""
    cats: set[str] = set()
    recs: set[str] = set()
    for act in policy.processing_activities:
        if purpose in act.purposes:
            cats.update(act.data_categories)
            recs.update(_recipient(r) for r in act.recipients)
    return cats, recs


def announced_changes(old: Policy, new: Policy) -> list[NewUse]:
    """The purposes of `new` to announce, compared with `old`, in the policy's order."""
    added = set(diff_policies(old, new).new_purposes)
    before = {p.key for p in old.purposes}
    out: list[NewUse] = []
    for p in new.purposes:
        if p.key in added:
            out.append(NewUse(p.key, "added"))
        elif p.key in before:
            cats, recs = reach(new, p.key)
            old_cats, old_recs = reach(old, p.key)
            details = tuple([f"new data category {c}" for c in sorted(cats - old_cats)]
                            + [f"new recipient {r}" for r in sorted(recs - old_recs)])
            if details:
                out.append(NewUse(p.key, "widened", details))
    return out
