"""The conformance kit: the same behavioural checks for every connector, ours or a third
party's. A test builds a connector over fixture data, describes one subject (and a bystander
whose data must survive), and calls `run_conformance`:

    passed = run_conformance(connector, Case(subject=..., bystander=..., rectify=("t", "col")))

Checks, in order: ping; an unknown subject finds nothing and erases nothing; hostile identity
strings are data (nothing found, nothing broken); a search by each identity type alone finds
exactly the subject's rows, across every hop, and reports the other identities; export is
JSON-safe and holds declared columns only; restriction on/off through the flag, idempotent;
rectification returns old and new values; erasure: a dry run without values, counts that match
the plan, the bystander untouched, and running the erasure again changes nothing.

Erasure is destructive: run the kit on fixture data made for it. Failures raise
`ConformanceError` naming the check.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from steward.connectors.base import (
    Connector,
    KeepHook,
    PkValue,
    Statement,
    SubjectRecords,
    plain_key,
)
from steward.connectors.graph import build_graph

HOSTILE: tuple[str, ...] = (
    "'; DROP TABLE customers; --",
    "\" OR \"1\"=\"1",
    "' OR '1'='1",
    "%",
    "_",
    "*",
    "\\",
    "ørsted.ådne@example.com",
    "名前@example.com",
    "robert'); DELETE FROM orders WHERE ('1'='1",
    "a" * 300,
    "0",
    "-1",
    "${jndi:ldap://example.invalid/a}",
    "{value}/../../",
)


class ConformanceError(AssertionError):
    """A connector failed a conformance check; the message names the check."""


@dataclass
class Subject:
    """A person in the fixture data: all their identity values, and the primary keys a search
    must return per table (tables not listed must return nothing)."""

    identities: dict[str, list[str]]
    expected: dict[str, set[PkValue]]


@dataclass
class Case:
    subject: Subject
    bystander: Subject
    rectify: tuple[str, str]  # (table, column) of the subject's to change and change back
    rectify_value: str = "Rectified Example"
    min_depth: int = 0  # the search must reach a table this many hops from an identity table
    keep: KeepHook | None = None
    hostile: tuple[str, ...] = HOSTILE
    passed: list[str] = field(default_factory=list)


def _check(ok: bool, check: str, detail: str = "") -> None:
    if not ok:
        raise ConformanceError(f"{check}: {detail}" if detail else check)


def _pks(records: SubjectRecords) -> dict[str, set[PkValue]]:
    return {t: set(records.pks(t)) for t, rows in records.tables.items() if rows}


def run_conformance(conn: Connector, case: Case) -> list[str]:
    """Run every check against `conn`; return the names of the checks passed."""
    graph = build_graph(conn.system)
    done = case.passed

    conn.ping()
    done.append("ping")

    for kind in sorted(graph.identity_types()):
        nobody = conn.find({kind: [f"nobody-{uuid.uuid4().hex}@example.invalid"]})
        _check(nobody.is_empty(), "unknown subject", f"{kind} found {nobody.count()} rows")
    empty = conn.find({})
    plan = conn.plan_erasure(empty)
    _check(plan.is_empty(), "unknown subject", "an empty search planned changes")
    _check(conn.apply(plan) == {}, "unknown subject", "an empty plan changed rows")
    done.append("unknown subject finds nothing")

    for kind in sorted(graph.identity_types()):
        hostile = conn.find({kind: list(case.hostile)})
        _check(hostile.is_empty(), "hostile strings", f"{kind} matched {hostile.count()} rows")
    done.append("hostile strings are data")

    for kind, values in case.subject.identities.items():
        found = conn.find({kind: values})
        _check(
            _pks(found) == case.subject.expected, f"find by {kind}",
            f"expected {case.subject.expected}, got {_pks(found)}",
        )
        for other, vals in case.subject.identities.items():
            _check(
                set(vals) <= set(found.identities.get(other, [])), f"find by {kind}",
                f"identity type {other} not discovered",
            )
    _check(
        _pks(conn.find(case.subject.identities)) == case.subject.expected,
        "find after hostile strings", "the subject is no longer found as before",
    )
    done.append("find by each identity type")

    records = conn.find(case.subject.identities)
    depth = max((graph.depth(t) for t in records.tables), default=0)
    _check(depth >= case.min_depth, "traversal depth", f"reached {depth}, need {case.min_depth}")
    done.append("traversal depth")

    _export_checks(conn, records)
    done.append("export is JSON-safe")

    _restriction_checks(conn, records)
    done.append("restriction flag")

    _rectify_checks(conn, case, records)
    done.append("rectify old/new")

    _erasure_checks(conn, case)
    done.append("erasure counts, bystander, idempotency")
    return done


def _export_checks(conn: Connector, records: SubjectRecords) -> None:
    data = conn.export(records)
    text = json.dumps(data, allow_nan=False)
    _check(json.loads(text) == data, "export", "not stable through JSON")
    graph = build_graph(conn.system)
    for table, rows in data.items():
        declared = set(graph.columns(table))
        for row in rows:
            _check(set(row) <= declared, "export", f"{table} has undeclared columns")
    portable = conn.export(records, portable_only=True)
    for table, rows in portable.items():
        inferred = {f.name for f in graph.table(table).fields if not f.provided}
        _check(all(not (set(r) & inferred) for r in rows), "export", "portable holds inferred")


def _restriction_checks(conn: Connector, records: SubjectRecords) -> None:
    graph = build_graph(conn.system)
    flagged = {
        t: len(rows) for t, rows in records.tables.items() if graph.table(t).restriction_flag
    }
    _check(conn.set_restriction(records, True) == flagged, "restriction on", "wrong counts")
    again = conn.find(records.identities)
    for t in flagged:
        flag = str(graph.table(t).restriction_flag)
        _check(all(r[flag] for r in again.tables[t]), "restriction on", f"{t} not flagged")
    _check(
        conn.set_restriction(records, True) == dict.fromkeys(flagged, 0),
        "restriction on", "setting it twice changed rows",
    )
    _check(conn.set_restriction(records, False) == flagged, "restriction off", "wrong counts")
    again = conn.find(records.identities)
    for t in flagged:
        flag = str(graph.table(t).restriction_flag)
        _check(not any(r[flag] for r in again.tables[t]), "restriction off", f"{t} still on")


def _rectify_checks(conn: Connector, case: Case, records: SubjectRecords) -> None:
    table, column = case.rectify
    pk = sorted(case.subject.expected[table], key=repr)[0]
    old = next(r[column] for r in records.tables[table] if _key(records, table, r) == pk)
    result = conn.rectify(table, pk, {column: case.rectify_value})
    _check(result.old == {column: old}, "rectify", f"old value reported {result.old}")
    _check(result.new == {column: case.rectify_value}, "rectify", f"new value {result.new}")
    now = conn.find(case.subject.identities)
    _check(
        any(
            _key(now, table, r) == pk and r[column] == case.rectify_value
            for r in now.tables[table]
        ),
        "rectify", "the change is not visible to find",
    )
    back = conn.rectify(table, pk, {column: old})
    _check(back.new == {column: old}, "rectify", "could not change it back")


def _erasure_checks(conn: Connector, case: Case) -> None:
    records = conn.find(case.subject.identities)
    bystander_before = _pks(conn.find(case.bystander.identities))
    _check(bystander_before == case.bystander.expected, "erasure", "bystander not as expected")
    plan = conn.plan_erasure(records, keep=case.keep)
    statements_text = "\n".join(st.sql for st in plan.statements)
    secrets = {v for vals in case.subject.identities.values() for v in vals}
    for value in secrets:
        # A very short value ("1", a customer number) is in any text: check the telling ones.
        if len(value) >= 5:
            _check(
                value not in plan.dry_run(), "dry run", "an identity value appears in the plan"
            )
    for rows in records.tables.values():
        for row in rows:
            for v in row.values():
                if isinstance(v, str) and len(v) >= 8:
                    _check(v not in statements_text, "dry run", "a row value appears in the SQL")
    planned: dict[str, list[int]] = {}
    for st in plan.statements:
        counts = planned.setdefault(st.table, [0, 0])
        counts[0 if st.op == "delete" else 1] += st.rows
    applied = conn.apply(plan)
    got = {t: [c.deleted, c.updated] for t, c in applied.items()}
    _check(got == planned, "erasure counts", f"planned {planned}, applied {got}")
    _check(
        _pks(conn.find(case.bystander.identities)) == bystander_before,
        "erasure", "the bystander's rows changed",
    )
    after = conn.find(case.subject.identities)
    deleted = {
        (t, pk) for st in plan.statements if st.op == "delete" for t, pk in _targets(st, records)
    }
    for table, rows in after.tables.items():
        for row in rows:
            _check(
                (table, _key(after, table, row)) not in deleted, "erasure",
                f"{table} row not deleted",
            )
    again = conn.apply(plan)
    _check(
        all(c.total == 0 for c in again.values()), "idempotency",
        f"running the same plan twice changed {dict((t, c.total) for t, c in again.items())}",
    )
    replan = conn.plan_erasure(conn.find(case.subject.identities), keep=case.keep)
    third = conn.apply(replan)
    _check(
        all(c.total == 0 for c in third.values()), "idempotency", "a second erasure changed rows"
    )


def _key(records: SubjectRecords, table: str, row: dict[str, Any]) -> PkValue:
    return plain_key(records.key_of(table, row))


def _targets(st: Statement, records: SubjectRecords) -> list[tuple[str, PkValue]]:
    """The rows a statement targets, from its parameter sets (`pks` lists or a `pk`; a
    composite key is a tuple)."""
    out: list[tuple[str, PkValue]] = []
    for p in st.params:
        if "pks" in p:
            out += [(st.table, tuple(v) if isinstance(v, list) else v) for v in p["pks"]]
        elif p.get("pk") is not None:
            v = p["pk"]
            out.append((st.table, tuple(v) if isinstance(v, list) else v))
    return out
