"""Who a new purpose concerns: the people in the tables of the systems its activities use
that hold the activities' data categories (Art. 13(3), Art. 14(4)).

The people are read with the breach capability's set-based reader
(`steward.breaches.selection_sql`): one grouped statement per table, streamed, joined through
the policy's references to the nearest table holding an `email` identity. Only addresses and
countries come back, never rows; addresses stay in memory for the mail and are never stored.
A table the reader cannot enumerate (an HTTP system, a table with no way to an address) is
listed with the reason, so the officer knows who will not be told by mail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from steward.breaches.selection_sql import Filter, Query, Reader, connect
from steward.connectors.graph import build_graph
from steward.connectors.registry import resolve_url
from steward.policy.models import Policy, SystemSpec, TableSpec
from steward.publication.mailtexts import language


@dataclass(frozen=True)
class Source:
    """One table to read people from, or (with `reason`) one that cannot be read."""

    system: str
    table: str
    reason: str | None = None
    country_column: str | None = None


def _covers(activity_category: str, field_category: str) -> bool:
    a, f = activity_category, field_category
    return a == f or f.startswith(a + ".") or a.startswith(f + ".")


def _country_column(table: TableSpec) -> str | None:
    """A declared column holding the person's country (named `country`, or categorised as a
    country), used to pick the mail language from that country's authority."""
    for f in table.fields:
        if f.name.lower() == "country" or (f.category or "").endswith(".country"):
            return f.name
    return None


def sources(policy: Policy, purpose: str) -> list[Source]:
    """The tables holding data the activities of `purpose` use, in policy order. Activities
    naming no system give no source: `plan` reports that nobody would be told."""
    wanted: dict[str, set[str]] = {}
    for act in policy.processing_activities:
        if purpose in act.purposes:
            for key in act.systems:
                wanted.setdefault(key, set()).update(act.data_categories)
    out: list[Source] = []
    for system in policy.systems:
        cats = wanted.get(system.key)
        if not cats:
            continue
        for table in system.tables:
            fields = [f.category for f in table.fields if f.category]
            if not any(_covers(c, f) for c in cats for f in fields):
                continue
            out.append(_source(system, table))
    return out


def _source(system: SystemSpec, table: TableSpec) -> Source:
    if system.connector != "sql":
        return Source(system.key, table.name,
                      f"the {system.connector!r} connector cannot list everyone in a table")
    graph = build_graph(system)
    if "email" not in table.identities and not _reaches_email(graph, table.name):
        return Source(system.key, table.name,
                      "no e-mail identity in the table or in a table it references")
    return Source(system.key, table.name, country_column=_country_column(table))


def _reaches_email(graph: object, table: str) -> bool:
    from steward.connectors.graph import DatasetGraph

    assert isinstance(graph, DatasetGraph)
    seen, todo = {table}, [table]
    while todo:
        for edge in graph.parents_of(todo.pop()):
            if "email" in graph.table(edge.parent).identities:
                return True
            if edge.parent not in seen:
                seen.add(edge.parent)
                todo.append(edge.parent)
    return False


def people(policy: Policy, source: Source, *, base_dir: Path | None = None,
           policy_dir: Path | None = None) -> Iterator[tuple[str | None, str, int]]:
    """(address or None, mail language, rows) per distinct address of `source`, streamed.
    Every row counts: the selection is "key is set", which every stored row satisfies."""
    system = policy.system(source.system)
    table = next(t for t in system.tables if t.name == source.table)
    url = resolve_url(system, base_dir=base_dir, policy_dir=policy_dir)
    langs: dict[str | None, str] = {}
    query = Query(table=source.table, filters=(Filter(table.key_columns[0], "not_null"),),
                  country_column=source.country_column)
    with connect(system, url) as conn:
        for email, country, n in Reader(system, conn).groups(query):
            wanted = None
            if country and country.strip():
                auth = policy.authorities.get(country.strip().upper())
                wanted = auth.language if auth else None
            lang = langs.get(wanted)
            if lang is None:
                lang = langs[wanted] = language(policy, wanted)
            yield email, lang, n
