"""Erasure on the demo CRM (SQLite): what is kept, what is nulled, what is deleted, in which
order, and how the dry run reads; the keep hook; mask and hash actions; rectify errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.connectors import promark

from steward.connectors.base import SubjectRecords
from steward.connectors.erasure import HASH_PREFIX, MASK
from steward.connectors.sql import SqlConnector
from steward.demo import build
from steward.errors import InvalidInput, NotFound, Unavailable
from steward.policy.models import EraseAction, SystemSpec


@pytest.fixture
def crm(tmp_path: Path) -> tuple[SqlConnector, str]:
    loc = build.in_dir(tmp_path)
    build.build(loc, customers=15, seed=3)
    return SqlConnector(promark.systems()["crm"], url=loc.urls["crm"]), loc.urls["crm"]


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        rows = [tuple(r) for r in c.execute(sa.text(query))]
    engine.dispose()
    return rows


def test_invoices_kept_customer_and_orders_nulled_rest_deleted(
    crm: tuple[SqlConnector, str],
) -> None:
    conn, url = crm
    records = conn.find({"customer_number": ["PM-100001"]})
    orders = set(records.pks("orders"))
    plan = conn.plan_erasure(records)
    text = plan.dry_run()
    assert "kept invoices" in text and "Art. 17(3)(b)" in text
    assert "DELETE FROM order_lines" in text
    assert "DELETE FROM customers" not in text  # pinned by its kept invoices
    ops = [st.op for st in plan.statements]
    assert ops == sorted(ops, key=lambda op: op == "delete")  # updates, then deletes
    counts = conn.apply(plan)
    assert counts["customers"].updated == 1 and counts["order_lines"].deleted > 0
    (row,) = _rows(
        url, "SELECT customer_no, email, contact_name, created_at FROM customers WHERE id = 1"
    )
    assert row[0] == "PM-100001" and row[1] is None and row[2] is None and row[3] is not None
    assert _rows(url, "SELECT count(*) FROM invoices WHERE customer_id = 1")[0][0] == len(
        records.pks("invoices")
    )
    left = {r[0] for r in _rows(url, "SELECT id FROM orders WHERE customer_id = 1")}
    assert left == orders  # referenced by kept invoices: nulled, not deleted
    assert _rows(url, "SELECT product FROM orders WHERE customer_id = 1")[0][0] is None
    assert (
        _rows(
            url,
            "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id "
            "WHERE o.customer_id = 1",
        )[0][0]
        == 0
    )


def test_hook_decides_and_everything_goes_children_first(crm: tuple[SqlConnector, str]) -> None:
    conn, url = crm
    records = conn.find({"email": [promark_email(url, 2)]})
    plan = conn.plan_erasure(records, keep=lambda table, row: None)
    assert not plan.kept
    order = [st.table for st in plan.statements if st.op == "delete"]
    assert order.index("invoices") < order.index("orders") < order.index("customers")
    assert order.index("order_lines") < order.index("orders")
    conn.apply(plan)  # SQLite enforces foreign keys on our connections: order matters
    assert _rows(url, "SELECT count(*) FROM customers WHERE id = 2")[0][0] == 0
    assert conn.find(records.identities).is_empty()


def promark_email(url: str, customer_id: int) -> str:
    return str(_rows(url, f"SELECT email FROM customers WHERE id = {customer_id}")[0][0])  # noqa: S608


def test_mask_and_hash_actions(crm: tuple[SqlConnector, str]) -> None:
    _, url = crm
    spec = promark.systems()["crm"]
    tables = [
        t.model_copy(update={"erase": EraseAction.mask if t.name == "contacts" else t.erase})
        for t in spec.tables
    ]
    customers = next(t for t in tables if t.name == "customers")
    fields = [
        f.model_copy(update={"erase": EraseAction.hash}) if f.name == "email" else f
        for f in customers.fields
    ]
    tables = [
        t.model_copy(update={"fields": fields}) if t.name == "customers" else t for t in tables
    ]
    conn = SqlConnector(spec.model_copy(update={"tables": tables}), url=url)
    email = promark_email(url, 3)
    records = conn.find({"email": [email]})
    conn.apply(conn.plan_erasure(records, salt="s3cret"))
    (row,) = _rows(url, "SELECT email, phone FROM customers WHERE id = 3")
    assert row[0].startswith(HASH_PREFIX) and email not in row[0] and row[1] is None
    bodies = _rows(url, "SELECT subject, body FROM contacts WHERE customer_id = 3")
    assert all(b == (MASK, MASK) for b in bodies)
    # Idempotent: erasing the same subject again (found by customer number) changes nothing.
    again = conn.find({"customer_number": ["PM-100003"]})
    assert conn.apply(conn.plan_erasure(again, salt="s3cret")) == {}


def test_rectify_and_restriction_errors(crm: tuple[SqlConnector, str]) -> None:
    conn, _ = crm
    with pytest.raises(InvalidInput, match="only declared personal fields"):
        conn.rectify("customers", 1, {"id": 5})
    with pytest.raises(InvalidInput, match="has no table"):
        conn.rectify("nope", 1, {"title": "x"})
    with pytest.raises(NotFound):
        conn.rectify("customers", 999_999, {"title": "x"})
    result = conn.rectify("customers", "4", {"title": "CTO", "created_at": "2020-01-02T03:04:05"})
    assert result.new == {"title": "CTO", "created_at": "2020-01-02T03:04:05"}
    with pytest.raises(InvalidInput, match="belong to system 'portal', not 'crm'"):
        conn.plan_erasure(SubjectRecords(system="portal"))
    with pytest.raises(InvalidInput, match="belong to system"):
        conn.set_restriction(SubjectRecords(system="portal"), True)


def test_down_or_mismatched_system(tmp_path: Path) -> None:
    spec = promark.systems()["crm"]
    missing = SqlConnector(spec, url=f"sqlite:///{tmp_path / 'gone.db'}")
    with pytest.raises(Unavailable, match="does not exist"):
        missing.ping()
    with pytest.raises(Unavailable):
        missing.find({"email": ["a@example.com"]})
    assert not (tmp_path / "gone.db").exists()
    down = SqlConnector(spec, url="postgresql+psycopg://postgres@127.0.0.1:1/none")
    with pytest.raises(Unavailable, match="'crm' is unavailable"):
        down.ping()
    empty = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    with pytest.raises(InvalidInput, match="has no table 'customers'"):
        SqlConnector(spec, url=f"sqlite:///{empty}").find({"email": ["a@example.com"]})


def test_missing_declared_column_is_named(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT)"))
    engine.dispose()
    spec = SystemSpec.model_validate(
        {
            "key": "x",
            "name": "X",
            "connector": "sql",
            "url": f"sqlite:///{db}",
            "storage_country": "DK",
            "tables": [
                {
                    "name": "people",
                    "identities": {"email": "email"},
                    "fields": [{"name": "shoe_size"}],
                }
            ],
        }
    )
    with pytest.raises(InvalidInput, match="no column\\(s\\) shoe_size"):
        SqlConnector(spec, url=f"sqlite:///{db}").find({"email": ["a@example.com"]})


def test_not_null_read_once_per_reflection_and_anew_for_a_new_connector(tmp_path: Path) -> None:
    """What an erasure knows of a table's columns (NOT NULL, text) is read with the
    reflection and kept with it: the same connector plans the same way each time, and the
    connector made for a changed declaration (a new policy) reads the changed schema: a
    column made NOT NULL is then masked instead of emptied."""
    db = tmp_path / "n.db"
    engine = sa.create_engine(f"sqlite:///{db}")

    def table(nick: str) -> None:
        with engine.begin() as c:
            c.execute(sa.text("DROP TABLE IF EXISTS people"))
            c.execute(
                sa.text(
                    f"CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, nick TEXT {nick})"
                )
            )
            c.execute(sa.text("INSERT INTO people VALUES (1, 'ada@example.com', 'Ada')"))

    def spec(name: str) -> SystemSpec:
        return SystemSpec.model_validate(
            {
                "key": "n",
                "name": name,
                "connector": "sql",
                "url": f"sqlite:///{db}",
                "storage_country": "DK",
                "tables": [
                    {
                        "name": "people",
                        "identities": {"email": "email"},
                        "erase": "null",
                        "fields": [{"name": "nick", "category": "user.name"}],
                    }
                ],
            }
        )

    def nick_change(conn: SqlConnector) -> tuple[str, tuple[object, ...]]:
        plan = conn.plan_erasure(conn.find({"email": ["ada@example.com"]}))
        (st,) = plan.statements
        (params,) = st.params
        return st.sql, tuple(params.get(k) for k in sorted(params) if k.startswith("new_"))

    table("NULL")
    first = SqlConnector(spec("N"), url=f"sqlite:///{db}")
    try:
        sql, new = nick_change(first)
        assert "nick=NULL" in sql.replace(" ", "") and new == (), sql
        assert nick_change(first) == (sql, new)
        table("NOT NULL")
        second = SqlConnector(spec("N, renamed"), url=f"sqlite:///{db}")
        try:
            sql, new = nick_change(second)
            assert "nick=NULL" not in sql.replace(" ", "") and new == (MASK,), sql
        finally:
            second.close()
    finally:
        first.close()
        engine.dispose()


def test_a_kept_row_pins_what_the_database_says_it_points_at(tmp_path: Path) -> None:
    """A row the keep hook saves keeps every row it points at, through a foreign key the
    policy does not declare too: the plan's first decision would delete the subject's
    attachment, but the kept note still points at it (the database's own foreign key), so
    the next round rewrites it instead. Without that round, the DELETE would break the
    foreign key."""
    db = tmp_path / "pin.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT)"))
        c.execute(
            sa.text(
                "CREATE TABLE attachment (id INTEGER PRIMARY KEY, person_id INTEGER "
                "REFERENCES person(id), content TEXT)"
            )
        )
        c.execute(
            sa.text(
                "CREATE TABLE note (id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES "
                "person(id), attachment_id INTEGER REFERENCES attachment(id), body TEXT)"
            )
        )
        c.execute(sa.text("INSERT INTO person VALUES (1, 'ada@example.com')"))
        c.execute(sa.text("INSERT INTO attachment VALUES (10, 1, 'scan'), (11, 1, 'photo')"))
        c.execute(sa.text("INSERT INTO note VALUES (20, 1, 10, 'kept by law')"))
    engine.dispose()
    spec = SystemSpec.model_validate(
        {
            "key": "p",
            "name": "P",
            "connector": "sql",
            "url": f"sqlite:///{db}",
            "storage_country": "DK",
            "tables": [
                {"name": "person", "identities": {"email": "email"}},
                {
                    "name": "attachment",
                    "references": [{"field": "person_id", "to": "person.id"}],
                    "fields": [{"name": "content", "category": "user.content"}],
                },
                {
                    "name": "note",  # note.attachment_id -> attachment.id: the database's only
                    "references": [{"field": "person_id", "to": "person.id"}],
                    "fields": [{"name": "body", "category": "user.content"}],
                },
            ],
        }
    )
    conn = SqlConnector(spec, url=f"sqlite:///{db}")
    try:
        records = conn.find({"email": ["ada@example.com"]})
        keep_notes = lambda table, row: "kept by law" if table.name == "note" else None  # noqa: E731
        plan = conn.plan_erasure(records, keep=keep_notes)
        deleted = {
            (st.table, pk) for st in plan.statements if st.op == "delete"
            for p in st.params for pk in p["pks"]
        }
        assert ("attachment", 11) in deleted and ("attachment", 10) not in deleted
        assert ("person", 1) not in deleted  # pinned by the kept note (declared reference)
        assert any(
            "attachment: still pointed at by 1 of the subject's row(s) in note that stay" in n
            for n in plan.notes
        ), plan.notes
        conn.apply(plan)  # SQLite enforces the foreign keys on our connections
    finally:
        conn.close()
    assert _rows(f"sqlite:///{db}", "SELECT id, content FROM attachment") == [(10, None)]
    assert _rows(f"sqlite:///{db}", "SELECT id, body FROM note") == [(20, "kept by law")]
