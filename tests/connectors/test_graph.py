"""The pure dataset graph: order, depth, declared columns, clear errors on cycles."""

from __future__ import annotations

import pytest
from tests.connectors import promark

from steward.connectors.graph import build_graph, dependants_first
from steward.errors import InvalidInput
from steward.policy.models import SystemSpec


def _system(tables: list[dict[str, object]]) -> SystemSpec:
    return SystemSpec.model_validate(
        {
            "key": "s",
            "name": "S",
            "connector": "sql",
            "url": "sqlite:///s.db",
            "storage_country": "DK",
            "tables": tables,
        }
    )


def test_crm_order_parents_first_and_depth() -> None:
    g = build_graph(promark.systems()["crm"])
    order = list(g.order)
    assert order.index("customers") < order.index("orders") < order.index("order_lines")
    assert order.index("orders") < order.index("invoices")
    assert list(g.reverse_order) == order[::-1]
    assert (g.depth("customers"), g.depth("orders"), g.depth("order_lines")) == (0, 1, 2)
    assert g.identity_types() == {"email", "phone", "customer_number"}
    assert {(e.child, e.child_field) for e in g.parents_of("invoices")} == {
        ("invoices", "customer_id"),
        ("invoices", "order_id"),
    }
    cols = g.columns("orders")
    assert cols[0] == "id" and "customer_id" in cols and "product" in cols
    assert g.structural_columns("orders") == {"id", "customer_id"}


def test_declaration_order_does_not_matter() -> None:
    g = build_graph(
        _system(
            [
                {"name": "lines", "references": [{"field": "order_id", "to": "orders.id"}]},
                {"name": "orders", "references": [{"field": "person_id", "to": "people.id"}]},
                {"name": "people", "identities": {"email": "email"}},
            ]
        )
    )
    assert g.order == ("people", "orders", "lines")
    assert g.depth("lines") == 2


def test_cycle_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="cycle among tables a, b"):
        build_graph(
            _system(
                [
                    {"name": "a", "references": [{"field": "b_id", "to": "b.id"}]},
                    {"name": "b", "references": [{"field": "a_id", "to": "a.id"}]},
                ]
            )
        )


def test_self_reference_and_dangling_reference_are_errors() -> None:
    with pytest.raises(InvalidInput, match="references itself"):
        build_graph(_system([{"name": "a", "references": [{"field": "p", "to": "a.id"}]}]))
    with pytest.raises(InvalidInput, match="unknown table 'nope'"):
        build_graph(_system([{"name": "a", "references": [{"field": "p", "to": "nope.id"}]}]))
    with pytest.raises(InvalidInput, match="declared twice"):
        build_graph(_system([{"name": "a"}, {"name": "a"}]))
    with pytest.raises(InvalidInput, match="has no table 'zzz'"):
        build_graph(_system([{"name": "a"}])).table("zzz")


def test_composite_reference_edges_and_dependencies() -> None:
    g = build_graph(
        _system(
            [
                {
                    "name": "people",
                    "identities": {"email": "email"},
                    "fields": [{"name": "email", "category": "user.contact.email"}],
                },
                {
                    "name": "address",
                    "references": [{"field": "id", "to": "people.address_id"}],
                    "fields": [{"name": "street", "category": "user.contact.address"}],
                },
                {"name": "counters", "references": [{"field": "id", "to": "people.counter_id"}]},
                {
                    "name": "items",
                    "primary_key": ["order_id", "item_no"],
                    "references": [{"field": "order_id", "to": "people.id"}],
                },
                {
                    "name": "notes",
                    "references": [
                        {
                            "field": ["order_id", "item_no"],
                            "to": ["items.order_id", "items.item_no"],
                        }
                    ],
                },
                {"name": "products", "references": [{"field": "id", "to": "items.product_id"}]},
            ]
        )
    )
    (edge,) = g.parents_of("notes")
    assert (edge.child_fields, edge.parent, edge.parent_columns) == (
        ("order_id", "item_no"),
        "items",
        ("order_id", "item_no"),
    )
    with pytest.raises(InvalidInput, match="composite"):
        _ = edge.child_field  # code that follows one-column references only says so
    assert g.columns("items")[:2] == ["order_id", "item_no"]
    deps = {(d.dependant, d.columns, d.referenced, d.target) for d in g.dependencies()}
    # Declared "upwards" (address.id from people.address_id): people point at the address.
    assert ("people", ("address_id",), "address", ("id",)) in deps
    assert ("notes", ("order_id", "item_no"), "items", ("order_id", "item_no")) in deps
    assert ("items", ("product_id",), "products", ("id",)) in deps
    # Items and notes belong to a person's rows; a catalogue (products) and a table people
    # point at without any personal field (counters) belong to nobody.
    assert [
        g.is_personal(t) for t in ("people", "items", "notes", "address", "products", "counters")
    ] == [True, True, True, True, False, False]
    order = dependants_first(g.reverse_order, g.dependencies())
    assert order.index("notes") < order.index("items") < order.index("people")
    assert order.index("people") < order.index("address")


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ({"field": ["a", "b"], "to": ["t.a"]}, "pairs them in order"),
        ({"field": ["a", "b"], "to": ["t.a", "u.b"]}, "one table"),
        ({"field": "a", "to": "ta"}, "table.column"),
        ({"field": ["a", "a"], "to": ["t.a", "t.b"]}, "distinct"),
    ],
)
def test_reference_shape_is_checked(ref: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _system([{"name": "x", "references": [ref]}])


def test_what_the_graph_derives_is_kept_but_never_shared_for_writing() -> None:
    """The graph computes its answers once; a caller changing the list or set it was given
    does not change the next answer (the erasure adds a restriction flag to the structural
    columns it is given, for instance)."""
    g = build_graph(promark.systems()["crm"])
    cols = g.structural_columns("orders")
    cols.add("product")
    parents = g.parents_of("invoices")
    parents.clear()
    deps = g.dependencies()
    deps.clear()
    columns = g.columns("orders")
    columns.append("not_a_column")
    assert g.structural_columns("orders") == {"id", "customer_id"}
    assert {(e.child, e.child_field) for e in g.parents_of("invoices")} == {
        ("invoices", "customer_id"),
        ("invoices", "order_id"),
    }
    assert {(d.dependant, d.referenced) for d in g.dependencies()} >= {
        ("orders", "customers"),
        ("order_lines", "orders"),
        ("invoices", "orders"),
    }
    assert "not_a_column" not in g.columns("orders")


def test_a_changed_system_gets_a_graph_of_its_own() -> None:
    """What a graph keeps belongs to its spec: the graph of a changed declaration answers
    for the change (a table no longer referenced is no longer personal)."""
    before = build_graph(
        _system(
            [
                {"name": "people", "identities": {"email": "email"}},
                {"name": "notes", "references": [{"field": "person_id", "to": "people.id"}]},
            ]
        )
    )
    after = build_graph(
        _system(
            [
                {"name": "people", "identities": {"email": "email"}},
                {"name": "notes"},
            ]
        )
    )
    assert before.is_personal("notes") and before.dependencies()
    assert not after.is_personal("notes") and not after.dependencies()
    assert before.is_personal("notes")  # the first graph's answers are its own
