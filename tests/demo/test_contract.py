"""The contract between the demo generator and the example policy: every table and column
examples/promark/systems.yaml declares exists in the demo schema, and the policy loads."""

from __future__ import annotations

from tests.connectors.promark import ROOT

from steward.connectors.graph import build_graph
from steward.demo.schema import NEWSLETTER, SQL_SYSTEMS
from steward.policy.loader import load_policy


def test_example_policy_loads_and_matches_the_demo_schema() -> None:
    policy = load_policy(ROOT / "examples" / "promark")
    systems = {s.key: s for s in policy.systems}
    assert set(systems) == {*SQL_SYSTEMS, "newsletter"}
    for key, spec in systems.items():
        metadata = SQL_SYSTEMS.get(key, NEWSLETTER)
        graph = build_graph(spec)
        assert set(graph.tables) == set(metadata.tables), key
        for name in graph.tables:
            columns = set(metadata.tables[name].columns.keys())
            missing = set(graph.columns(name)) - columns
            assert not missing, f"{key}.{name}: {missing}"
            for edge in graph.parents_of(name):
                fks = {(fk.parent.name, fk.column.table.name, fk.column.name)
                       for fk in metadata.tables[name].foreign_keys}
                assert (edge.child_field, edge.parent, edge.parent_column) in fks
    flagged = {(k, t.name) for k, s in systems.items() for t in s.tables if t.restriction_flag}
    assert flagged == {("crm", "customers"), ("portal", "logins"), ("support", "tickets")}
    invoices = next(t for t in systems["crm"].tables if t.name == "invoices")
    assert invoices.retention == "invoices_bookkeeping"
    assert policy.retention_rule("invoices_bookkeeping").legal_obligation
