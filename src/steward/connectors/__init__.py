"""Connectors: how Steward finds, exports, erases, rectifies and restricts a person's data in
the company's own systems, each described in the policy by a `SystemSpec`.

Getting a connector (all connectors, ours included, come from the `steward.connectors`
entry-point group; a third party registers its class there the same way):

    from steward.connectors.registry import connector_for
    conn = connector_for(system, env=os.environ, base_dir=data_dir / "demo", policy_dir=...)

`base_dir` anchors relative SQLite paths (and HTTP token files); `url_env` beats `url_file`
beats `url`. A system's tables are decided in one place, `fides.resolve_system`: those declared
under `tables`, plus those of its `fides_dataset` file (keys the dataset does not declare are
read from the live database). `inspect` compares declared tables with the live database.

The protocol (`base.Connector`), every method typed and JSON-safe:

    conn.ping()                                   # Unavailable when the system is down
    records = conn.find({"email": ["ada@example.com"]})
    records.tables            # {"customers": [{"id": 1, "email": ...}], "orders": [...]}
    records.identities        # asked + discovered: {"email": [...], "customer_number": [...]}
    records.new_identities(asked)                 # what to search the other systems with
    conn.export(records, portable_only=False)     # {table: [rows]} for the access package
    plan = conn.plan_erasure(records, keep=hook)  # nothing runs; hook(table, row) -> reason
    plan.dry_run()                                # SQL with placeholders + kept rows, no values
    conn.apply(plan)                              # {table: Counts(deleted, updated)}; one
                                                  # transaction per SQL system; idempotent
    conn.rectify("customers", 1, {"title": "CTO"})  # Rectification(old=..., new=...)
    conn.rectify("order_item", ["ord_1", 2], {...})  # a composite key, in key order
    conn.set_restriction(records, True)           # {table: rows flagged} (Art. 18)

Searching many systems: `rounds.find_everywhere(connectors, identities)` runs them in rounds
until no new identity appears. Erasure rules (keep, pin parents, null instead of delete, order)
are in `erasure.py`; the dataset graph in `graph.py`; Fides import in `fides.py`; the shared
behavioural test kit in `conformance.py`.

Keys: rows are identified by key tuples (`records.key_of(table, row)`, `records.keys(table)`);
`records.pks(table)` and `KeptRow.pk` give a one-column key as its value and a composite key
as a tuple (a JSON list when serialized); `rectify` takes either, or a JSON list as text.

Errors: `steward.errors.Unavailable` (system down, timeout, deadlock: retry later),
`SystemRefused` (a `Conflict`: the database refused for a reason waiting will not change — a
trigger, a constraint, permission, an unknown column; its transaction rolled back; do not
retry), `InvalidInput` (the policy does not match the system, or bad arguments), `NotFound`
(rectify of a missing row).
"""

from steward.connectors.base import (
    Connector,
    Counts,
    ErasurePlan,
    KeepHook,
    KeptRow,
    Rectification,
    Statement,
    SubjectRecords,
)

__all__ = [
    "Connector",
    "Counts",
    "ErasurePlan",
    "KeepHook",
    "KeptRow",
    "Rectification",
    "Statement",
    "SubjectRecords",
]
