"""The SQL connector's statements run on the driver (`steward.connectors._sqlrun`), on SQLite,
PostgreSQL and MariaDB: the same rows and values as SQLAlchemy's own path, IN lists of any
size, SQLAlchemy's events and errors. Expected rows are written out by hand below."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from tests.connectors.databases import KINDS, end_connections, fresh_database

from steward.connectors._sqlrun import Runner, bucket, in_list

# id, code, made, price, active: the rows of `item`, and a few ways to pick them.
ITEMS = [
    (1, "AX-1", dt.datetime(2024, 1, 5, 9, 30), decimal.Decimal("10.50"), True),
    (2, "AX-2", dt.datetime(2024, 2, 6, 10, 0), decimal.Decimal("0.99"), False),
    (3, "BQ-7", dt.datetime(2024, 3, 7, 11, 15), decimal.Decimal("120.00"), True),
    (4, "BQ-8", dt.datetime(2024, 4, 8, 12, 45), decimal.Decimal("7.25"), False),
    (5, "CZ-1", dt.datetime(2024, 5, 9, 13, 5), decimal.Decimal("3.10"), True),
    (6, "CZ-2", dt.datetime(2024, 6, 10, 14, 20), decimal.Decimal("55.55"), True),
    (7, "DK-3", dt.datetime(2024, 7, 11, 15, 35), decimal.Decimal("1.00"), False),
    (8, "DK-4", dt.datetime(2024, 8, 12, 16, 50), decimal.Decimal("99.99"), True),
    (9, "EL-5", dt.datetime(2024, 9, 13, 17, 0), decimal.Decimal("42.00"), False),
]
# (order_no, line_no, sku): the rows of `line`, keyed by two columns.
LINES = [(100, 1, "s-a"), (100, 2, "s-b"), (101, 1, "s-c"), (101, 2, "s-d"), (102, 1, "s-e")]


def _tables() -> tuple[sa.MetaData, sa.Table, sa.Table]:
    md = sa.MetaData()
    item = sa.Table(
        "item",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("made", sa.DateTime, nullable=False),
        sa.Column("price", sa.Numeric(8, 2), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    line = sa.Table(
        "line",
        md,
        sa.Column("order_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("sku", sa.String(10), nullable=False),
    )
    return md, item, line


@contextmanager
def _filled(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> Iterator[sa.Engine]:
    with fresh_database(request, kind, tmp_path) as url:
        md, item, line = _tables()
        eng = sa.create_engine(url)
        md.create_all(eng)
        with eng.begin() as c:
            c.execute(item.insert(), [dict(zip(item.c.keys(), r, strict=True)) for r in ITEMS])
            c.execute(line.insert(), [dict(zip(line.c.keys(), r, strict=True)) for r in LINES])
        try:
            yield eng
        finally:
            eng.dispose()


@pytest.fixture(params=KINDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    with _filled(request, request.param, tmp_path) as eng:
        yield eng


@pytest.fixture(params=["postgres", "mariadb"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    with _filled(request, request.param, tmp_path) as eng:
        yield eng


def _select_items(item: sa.Table, column: str) -> Any:
    def build(sizes: Mapping[str, int]) -> Any:
        return sa.select(*item.c).where(in_list([item.c[column]], "v", sizes["v"]))

    return build


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ([3], [3]),
        ([1, 2], [1, 2]),
        ([9, 1, 5], [1, 5, 9]),  # three values, compiled for four
        ([2, 4, 6, 8, 42], [2, 4, 6, 8]),  # one matches nothing
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9]),  # nine, compiled for 16
        ([77], []),
    ],
)
def test_in_lists_of_any_size_find_exactly_their_rows(
    engine: sa.Engine, ids: list[int], expected: list[int]
) -> None:
    _, item, _ = _tables()
    runner = Runner(engine.dialect)
    with engine.connect() as c:
        rows = runner.rows(c, "by id", _select_items(item, "id"), {"v": ids})
    assert sorted(rows) == [r for r in ITEMS if r[0] in expected]


def test_values_come_back_as_sqlalchemy_would_type_them(engine: sa.Engine) -> None:
    """Dates stay dates on SQLite (stored as text there), numerics are exact decimals and
    booleans booleans on every database: the column types' result processors ran."""
    _, item, _ = _tables()
    runner = Runner(engine.dialect)
    with engine.connect() as c:
        (row,) = runner.rows(c, "by code", _select_items(item, "code"), {"v": ["BQ-7"]})
        ours = c.execute(sa.select(*item.c).where(item.c.code == "BQ-7")).one()
    assert row == (3, "BQ-7", dt.datetime(2024, 3, 7, 11, 15), decimal.Decimal("120.00"), True)
    assert [type(v) for v in row] == [int, str, dt.datetime, decimal.Decimal, bool]
    assert row == tuple(ours)


def test_parameters_go_through_the_column_types(engine: sa.Engine) -> None:
    """A date-time bound in an IN list is converted as SQLAlchemy would (to text on SQLite),
    so it matches the stored value."""
    _, item, _ = _tables()
    runner = Runner(engine.dialect)
    wanted = [dt.datetime(2024, 6, 10, 14, 20), dt.datetime(2024, 1, 5, 9, 30)]
    with engine.connect() as c:
        rows = runner.rows(c, "by made", _select_items(item, "made"), {"v": wanted})
    assert sorted(r[0] for r in rows) == [1, 6]


def test_composite_keys_match_on_all_their_columns(engine: sa.Engine) -> None:
    _, _, line = _tables()
    runner = Runner(engine.dialect)

    def build(sizes: Mapping[str, int]) -> Any:
        cols = [line.c.order_no, line.c.line_no]
        return sa.select(*line.c).where(in_list(cols, "k", sizes["k"]))

    # (101, 1) and (100, 2) exist; (102, 2) does not, though 102 and 2 each occur.
    with engine.connect() as c:
        rows = runner.rows(c, "lines", build, {"k": [(101, 1), (100, 2), (102, 2)]})
    assert sorted(rows) == [(100, 2, "s-b"), (101, 1, "s-c")]


def test_a_delete_counts_each_row_once_though_its_list_is_padded(engine: sa.Engine) -> None:
    _, item, _ = _tables()
    runner = Runner(engine.dialect)

    def build(sizes: Mapping[str, int]) -> Any:
        return sa.delete(item).where(in_list([item.c.id], "pks", sizes["pks"]))

    with engine.begin() as c:
        # Three keys, sent as four (the last repeated); 42 is no row.
        assert runner.count(c, "delete", build, {"pks": [2, 7, 42]}) == 2
    with engine.connect() as c:
        left = c.execute(sa.select(item.c.id).order_by(item.c.id)).scalars().all()
    assert left == [1, 3, 4, 5, 6, 8, 9]


def _batch(item: sa.Table) -> list[Any]:
    """Two updates and two deletes, in that order, as `Runner.counts` takes them."""
    update = (
        sa.update(item)
        .where(item.c.id == sa.bindparam("pk", type_=item.c.id.type))
        .values(code=sa.bindparam("new", type_=item.c.code.type))
    )

    def delete(sizes: Mapping[str, int]) -> Any:
        return sa.delete(item).where(in_list([item.c.id], "pks", sizes["pks"]))

    return [
        ("update", lambda _s: update, {}, {"pk": 1, "new": "ZZ-1"}),
        ("update", lambda _s: update, {}, {"pk": 42, "new": "ZZ-2"}),  # no such row
        ("delete", delete, {"pks": [3, 4, 5]}, None),
        ("delete", delete, {"pks": [9]}, None),
    ]


def test_a_batch_answers_each_statement_in_order(engine: sa.Engine) -> None:
    """Sent together where the driver pipelines (PostgreSQL), one after the other elsewhere:
    the same counts and the same rows left."""
    _, item, _ = _tables()
    runner = Runner(engine.dialect)
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2].split()[0]))
    with engine.begin() as c:
        assert runner.counts(c, _batch(item)) == [1, 0, 3, 1]
    assert seen == ["UPDATE", "UPDATE", "DELETE", "DELETE"]
    with engine.connect() as c:
        left = c.execute(sa.select(item.c.id, item.c.code).order_by(item.c.id)).all()
    assert left == [(1, "ZZ-1"), (2, "AX-2"), (6, "CZ-2"), (7, "DK-3"), (8, "DK-4")]


@pytest.mark.parametrize("last", [False, True])
def test_a_batch_that_fails_changes_nothing(engine: sa.Engine, last: bool) -> None:
    """The third statement breaks a NOT NULL column: the error is SQLAlchemy's, and the
    transaction, rolled back by its owner, leaves every row as it was (the first two
    statements' changes included). With `last=True` the COMMIT sent after the statements is
    skipped too."""
    _, item, _ = _tables()
    runner = Runner(engine.dialect)
    breaking = sa.update(item).where(item.c.id == 6).values(code=sa.null())
    batch = _batch(item)
    batch.insert(2, ("break", lambda _s: breaking, {}, None))
    with pytest.raises(sa_exc.DBAPIError), engine.begin() as c:
        runner.counts(c, batch, last=last)
    with engine.connect() as c:
        rows = c.execute(sa.select(*item.c).order_by(item.c.id)).all()
    assert [tuple(r) for r in rows] == ITEMS


def test_the_last_batch_commits_in_its_own_round_trip_where_pipelined(engine: sa.Engine) -> None:
    """`last=True` on PostgreSQL: the COMMIT goes out with the statements, so another
    connection sees the changes before the owner's own commit (which then has nothing left to
    do, and the connection goes on working). On SQLite and MariaDB the owner commits as
    before: the changes are not seen until then."""
    _, item, _ = _tables()
    runner = Runner(engine.dialect)
    changed = [(1, "ZZ-1"), (2, "AX-2"), (6, "CZ-2"), (7, "DK-3"), (8, "DK-4")]
    original = [(r[0], r[1]) for r in ITEMS]
    query = sa.select(item.c.id, item.c.code).order_by(item.c.id)
    with engine.begin() as c:
        assert runner.counts(c, _batch(item), last=True) == [1, 0, 3, 1]
        with engine.connect() as other:
            seen = [tuple(r) for r in other.execute(query)]
    assert seen == (changed if engine.dialect.name == "postgresql" else original)
    with engine.connect() as c:
        assert [tuple(r) for r in c.execute(query)] == changed
    with engine.begin() as c:  # the pooled connection is fit for the next transaction
        assert runner.counts(c, _batch(item)[2:3], last=True) == [0]
        c.execute(sa.update(item).where(item.c.id == 2).values(code="YY-2"))
    with engine.connect() as c:
        assert c.execute(sa.select(item.c.code).where(item.c.id == 2)).scalar_one() == "YY-2"


def test_a_tenant_like_scalar_is_bound_beside_the_lists(engine: sa.Engine) -> None:
    _, item, _ = _tables()
    runner = Runner(engine.dialect)

    def build(sizes: Mapping[str, int]) -> Any:
        return (
            sa.select(item.c.id)
            .where(in_list([item.c.id], "v", sizes["v"]))
            .where(item.c.active == sa.bindparam("flag", type_=item.c.active.type))
        )

    with engine.connect() as c:
        rows = runner.rows(c, "active", build, {"v": [1, 2, 3, 4]}, {"flag": False})
    assert sorted(rows) == [(2,), (4,)]


def test_listeners_see_every_statement(engine: sa.Engine) -> None:
    """Statement counters and tracing (`before_cursor_execute`, `after_cursor_execute`) see
    the driver's statements as they see SQLAlchemy's."""
    _, item, _ = _tables()
    runner = Runner(engine.dialect)
    seen: list[tuple[str, str]] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(("before", a[2])))
    sa.event.listen(engine, "after_cursor_execute", lambda *a: seen.append(("after", a[2])))
    with engine.connect() as c:
        runner.rows(c, "by id", _select_items(item, "id"), {"v": [1]})
        runner.rows(c, "by id", _select_items(item, "id"), {"v": [2, 3]})
    assert [w for w, _ in seen] == ["before", "after", "before", "after"]
    assert all("FROM item" in sql and "IN (" in sql for _, sql in seen)


def test_a_refused_statement_is_sqlalchemys_error_and_the_connection_lives(
    engine: sa.Engine,
) -> None:
    _, item, _ = _tables()
    runner = Runner(engine.dialect)

    def build(sizes: Mapping[str, int]) -> Any:
        return sa.select(sa.column("no_such_column")).select_from(item).where(
            in_list([item.c.id], "v", sizes["v"])
        )

    with engine.connect() as c:
        with pytest.raises(sa_exc.DBAPIError) as err:
            runner.rows(c, "broken", build, {"v": [1]})
        assert not err.value.connection_invalidated
        assert "no_such_column" in str(err.value.orig)
        if engine.dialect.name == "postgresql":
            c.rollback()  # PostgreSQL refuses more work in a failed transaction
        assert runner.rows(c, "by id", _select_items(item, "id"), {"v": [9]})[0][0] == 9


def test_a_connection_the_server_ended_is_invalidated(server: sa.Engine) -> None:
    """The error says the connection was lost (read as "retry later" by `_sqlerrors`) and
    the pool never hands that connection out again."""
    engine = server
    _, item, _ = _tables()
    runner = Runner(engine.dialect)
    kind = "postgres" if engine.dialect.name == "postgresql" else "mariadb"
    with engine.connect() as c:
        runner.rows(c, "by id", _select_items(item, "id"), {"v": [1]})
        lost = c.connection.dbapi_connection
        assert end_connections(engine.url.render_as_string(hide_password=False), kind) >= 1
        with pytest.raises(sa_exc.DBAPIError) as err:
            runner.rows(c, "by id", _select_items(item, "id"), {"v": [1]})
        assert err.value.connection_invalidated
        assert c.invalidated
    with engine.connect() as c:
        assert c.connection.dbapi_connection is not lost
        assert runner.rows(c, "by id", _select_items(item, "id"), {"v": [5]})[0][0] == 5


@pytest.mark.parametrize(
    ("n", "size"), [(1, 1), (2, 2), (3, 4), (4, 4), (5, 8), (9, 16), (500, 512), (512, 512)]
)
def test_lists_are_compiled_for_the_next_power_of_two(n: int, size: int) -> None:
    assert bucket(n) == size


def test_an_empty_list_is_refused() -> None:
    _, item, _ = _tables()
    runner = Runner(sa.create_engine("sqlite://").dialect)
    with pytest.raises(ValueError, match="at least one value"):
        runner._prepare("by id", _select_items(item, "id"), {"v": []}, None)


def test_only_psycopg_connections_pipeline(engine: sa.Engine) -> None:
    """The batch goes out in one round trip on PostgreSQL (psycopg's pipeline mode); the
    other drivers run it statement by statement."""
    from steward.connectors._sqlrun import _pipelines

    with engine.connect() as c:
        assert _pipelines(c.connection.dbapi_connection) is (engine.dialect.name == "postgresql")


def test_several_selects_answer_each_in_order(engine: sa.Engine) -> None:
    """Sent together where the driver pipelines: each answer is its own statement's, typed
    as `rows` types it."""
    _, item, line = _tables()
    runner = Runner(engine.dialect)

    def lines(sizes: Mapping[str, int]) -> Any:
        return sa.select(*line.c).where(in_list([line.c.order_no], "v", sizes["v"]))

    items = [
        ("by id", _select_items(item, "id"), {"v": [2, 9]}, None),
        ("lines", lines, {"v": [101]}, None),
        ("by code", _select_items(item, "code"), {"v": ["nothing"]}, None),
    ]
    with engine.connect() as c:
        by_id, lines_101, none = runner.rows_many(c, items)
    assert sorted(by_id) == [ITEMS[1], ITEMS[8]]
    assert sorted(lines_101) == [(101, 1, "s-c"), (101, 2, "s-d")]
    assert none == []


def test_a_failing_select_among_several_is_sqlalchemys_error(engine: sa.Engine) -> None:
    _, item, _ = _tables()
    runner = Runner(engine.dialect)

    def broken(sizes: Mapping[str, int]) -> Any:
        return sa.select(sa.column("no_such_column")).select_from(item).where(
            in_list([item.c.id], "v", sizes["v"])
        )

    items = [
        ("by id", _select_items(item, "id"), {"v": [1]}, None),
        ("broken", broken, {"v": [1]}, None),
    ]
    with engine.connect() as c, pytest.raises(sa_exc.DBAPIError) as err:
        runner.rows_many(c, items)
    assert "no_such_column" in str(err.value.orig)
