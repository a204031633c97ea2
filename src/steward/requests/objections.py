"""GDPR Art. 21(1): an objection to processing based on legitimate interests (Art. 6(1)(f)) or a
public task (Art. 6(1)(e)) is assessed by a person; while it is, that processing is restricted
(Art. 18(1)(d)): the restriction flags of the subject's rows in the systems it uses are set and
Steward's restriction blocks consent checks. The officer then stops it, or continues it on
compelling legitimate grounds that are recorded (Art. 21(1)); either way the assessment's
restriction is lifted afterwards, with notice first (Art. 18(3), `steward.requests.lifting`).

An objection to direct marketing (Art. 21(3)) is different: absolute and immediate, no
assessment (`steward.requests.execute`).

What "the processing" is comes from the policy: its purposes with basis (e) or (f), the
activities serving them and those activities' systems. What continues after the decision: the
purposes' other legal bases (a contract, a legal obligation) in the systems holding the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from steward.policy.models import LegalBasis, Policy, Purpose

OBJECTABLE = frozenset({LegalBasis.public_task, LegalBasis.legitimate_interests})
ARTICLE = "GDPR Art. 21(1)"
RESTRICT_ARTICLE = "GDPR Art. 18(1)(d)"


def objectable_purposes(policy: Policy) -> list[Purpose]:
    """Purposes based (in part) on Art. 6(1)(e) or (f): the processing an objection covers."""
    return [p for p in policy.purposes if OBJECTABLE & set(p.legal_bases)]


def assessment(policy: Policy, found_systems: Iterable[str]) -> dict[str, Any]:
    """What the objection restricts and what continues, for the systems holding the subject's
    data: purpose and system keys only (no personal values)."""
    found = set(found_systems)
    objectable = {p.key for p in objectable_purposes(policy)}
    named: set[str] = set()
    restricted: set[str] = set()
    for act in policy.processing_activities:
        if objectable & set(act.purposes) and set(act.systems) & found:
            named |= objectable & set(act.purposes)
            restricted |= set(act.systems) & found
    if not named:  # no data found: the objection still covers all such processing
        named = objectable
    continues: dict[str, None] = {}
    for act in policy.processing_activities:
        if not set(act.systems) & found:
            continue
        for key in act.purposes:
            if any(b not in OBJECTABLE for b in policy.purpose(key).legal_bases):
                continues[key] = None
    return {
        "purposes": sorted(named),
        "systems": sorted(restricted),
        "continues": list(continues),
    }


def purpose_names(policy: Policy, keys: Iterable[str], lang: str, *, objectable: bool) -> str:
    """"Customer relationship (Art. 6(1)(f))": the purposes with the bases that apply —
    the objectable ones, or the others."""
    out = []
    for key in keys:
        p = policy.purpose(key)
        bases = [b for b in p.legal_bases if (b in OBJECTABLE) == objectable]
        letters = ", ".join(f"({b.value})" for b in bases)
        out.append(f"{policy.text(p.title, lang)} (Art. 6(1){letters})")
    return "; ".join(out)
