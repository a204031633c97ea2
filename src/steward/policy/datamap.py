"""The data map, drawn from the policy alone: the company's systems with the categories of
personal data each holds and where it is stored; the processors (and their sub-processors)
data flows to, with the systems that feed each; and every country involved, third countries
(outside the EU/EEA) marked with their transfer basis (GDPR Chapter V: Art. 45 adequacy,
Art. 46(2)(c) standard clauses, Art. 47 binding corporate rules, Art. 49 derogations).

A system's categories are those of its fields (and of what its free-text fields may contain);
a system described by a dataset file or an API with no fields listed takes the categories of
the processing activities that use it. A processor receives data from the systems it lists,
and from the systems of each activity that names it as a recipient.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from steward.policy.crossrefs import EEA
from steward.policy.models import Policy, TransferMechanism
from steward.policy.ropa import mechanism as mechanism_words


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    special: bool  # Art. 9 special category


@dataclass(frozen=True)
class SystemNode:
    key: str
    name: str
    country: str
    owner: str | None
    categories: list[Category]


@dataclass(frozen=True)
class ProcessorNode:
    key: str  # "processor" or "processor/sub-processor"
    name: str
    service: str
    country: str
    basis: str  # how data reaches its country lawfully
    third_country: bool
    systems: list[str]  # systems whose data flows to it (for a sub-processor: its parent's)
    parent: str | None = None


@dataclass(frozen=True)
class CountryNode:
    code: str
    third_country: bool
    bases: list[str] = field(default_factory=list)  # transfer bases into it


@dataclass(frozen=True)
class DataMap:
    systems: list[SystemNode]
    processors: list[ProcessorNode]
    countries: list[CountryNode]


def _basis(country: str, mechanism: TransferMechanism) -> str:
    """The transfer basis in words, in the language in force (the console's)."""
    return mechanism_words(TransferMechanism.eea if country in EEA else mechanism)


def build(policy: Policy, lang: str | None = None) -> DataMap:
    """The map of `policy`; names in `lang` (the policy's default language by default)."""
    cats = {c.key: c for c in policy.data_categories}

    def category(key: str) -> Category:
        c = cats.get(key)
        return Category(key, policy.text(c.name, lang) if c else key, bool(c and c.special))

    activity_cats: dict[str, list[str]] = {}
    feeds: dict[str, list[str]] = {p.key: list(p.systems) for p in policy.processors}
    for act in policy.processing_activities:
        for sys_key in act.systems:
            activity_cats.setdefault(sys_key, []).extend(act.data_categories)
        for rec in act.recipients:
            if rec.processor in feeds:
                feeds[rec.processor].extend(act.systems)
    systems = []
    for s in policy.systems:
        keys = [
            k for t in s.tables for f in t.fields for k in [f.category, *f.may_contain] if k
        ] or activity_cats.get(s.key, [])
        systems.append(
            SystemNode(
                s.key,
                policy.text(s.name, lang),
                s.storage_country,
                s.owner,
                [category(k) for k in dict.fromkeys(keys)],
            )
        )
    known = {s.key for s in policy.systems}
    processors = []
    bases: dict[str, set[str]] = {}
    for p in policy.processors:
        fed = [k for k in dict.fromkeys(feeds[p.key]) if k in known]
        processors.append(
            ProcessorNode(
                p.key,
                p.name,
                p.service,
                p.country,
                _basis(p.country, p.transfer_mechanism),
                p.country not in EEA,
                fed,
            )
        )
        bases.setdefault(p.country, set()).add(_basis(p.country, p.transfer_mechanism))
        for sp in p.sub_processors:
            processors.append(
                ProcessorNode(
                    f"{p.key}/{sp.key}",
                    sp.name,
                    sp.service,
                    sp.country,
                    _basis(sp.country, sp.transfer_mechanism),
                    sp.country not in EEA,
                    fed,
                    p.key,
                )
            )
            bases.setdefault(sp.country, set()).add(_basis(sp.country, sp.transfer_mechanism))
    for act in policy.processing_activities:
        for tr in act.transfers:
            bases.setdefault(tr.country, set()).add(_basis(tr.country, tr.mechanism))
    for s in policy.systems:
        bases.setdefault(s.storage_country, set())
    countries = [
        CountryNode(c, c not in EEA, sorted(bases[c]) if c not in EEA else [])
        for c in sorted(bases, key=lambda c: (c not in EEA, c))
    ]
    return DataMap(systems, processors, countries)
