"""Every command shown in a ```console block of the docs runs, in order, and prints what the
page says it prints (tests/docs/console.py)."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from tests.conftest import MARIA_ADMIN, PG_ADMIN, _unavailable
from tests.docs.console import DOCS, Command, check_output, commands, run_page

# What `make run` has done before a page that works on the demo company.
AFTER_MAKE_RUN = ["steward db upgrade", "steward demo --if-missing", "steward users demo-admin"]
PAGES = {
    "getting-started.md": None,  # starts from a bare checkout: it runs those steps itself
    "guides/connect-sql.md": None,
    "guides/connect-http.md": AFTER_MAKE_RUN,
    "guides/retention-rule.md": None,
    "guides/import-consents.md": AFTER_MAKE_RUN,
    "guides/backup-restore.md": AFTER_MAKE_RUN,
    "guides/rotate-secret-key.md": AFTER_MAKE_RUN,
    "guides/assisted-requests.md": AFTER_MAKE_RUN,
}
# Databases the guides make on the servers: connect-sql.md the shop on PostgreSQL and MariaDB,
# backup-restore.md a store on PostgreSQL. A run gives them names of its own (the name the page
# shows, a random suffix), so two runs at once on one machine never share one.
NEEDS_SERVERS = {"guides/connect-sql.md", "guides/backup-restore.md"}
PG_DBS = ("steward_guide_shop", "steward_guide_store")
MARIA_DBS = ("steward_guide_shop",)


def test_every_page_with_commands_is_run() -> None:
    with_commands = {
        str(p.relative_to(DOCS))
        for p in DOCS.rglob("*.md")
        if "```console" in p.read_text(encoding="utf-8")
    }
    assert with_commands == set(PAGES)


@contextlib.contextmanager
def guide_databases() -> Iterator[dict[str, str]]:
    """This run's names for the guides' databases; whatever a page made under them is dropped
    afterwards, even when it failed half-way."""
    suffix = uuid.uuid4().hex[:10]
    names = {db: f"{db}_{suffix}" for db in (*PG_DBS, *MARIA_DBS)}
    drops = [(PG_ADMIN, f'DROP DATABASE IF EXISTS "{names[db]}" WITH (FORCE)') for db in PG_DBS]
    drops += [(MARIA_ADMIN, f"DROP DATABASE IF EXISTS `{names[db]}`") for db in MARIA_DBS]
    engines = {}
    try:
        for url in (PG_ADMIN, MARIA_ADMIN):
            engines[url] = create_engine(url, isolation_level="AUTOCOMMIT")
            with engines[url].connect() as c:
                c.execute(text("SELECT 1"))
    except Exception as err:  # noqa: BLE001 - a server that is down
        for engine in engines.values():
            engine.dispose()
        _unavailable("PostgreSQL or MariaDB", err)
    try:
        yield names
    finally:
        for url, drop in drops:
            with engines[url].connect() as c:
                c.execute(text(drop))
        for engine in engines.values():
            engine.dispose()


@pytest.fixture
def guide_names() -> Iterator[dict[str, str]]:
    with guide_databases() as names:
        yield names


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_commands_run(page: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    names = request.getfixturevalue("guide_names") if page in NEEDS_SERVERS else {}
    problems = run_page(DOCS / page, tmp_path, PAGES[page], names=names)
    assert not problems, "\n\n".join(problems)


# --- the checker itself, on hand-written cases ------------------------------------------------


def test_blocks_commands_and_expected_lines(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(
        "text\n\n```console\n$ echo a\na\n$ true\n```\n\n```sh\n$ not run\n```\n"
        "```console\n$ printf 'x 1\\ny 2'\n...\ny <n>\n```\n"
    )
    cmds = commands(page)
    assert [(c.line, c.text, c.expected) for c in cmds] == [
        (4, "echo a", ["a"]),
        (6, "true", []),
        (13, "printf 'x 1\\ny 2'", ["...", "y <n>"]),
    ]


def test_expected_output_must_appear_in_order() -> None:
    cmd = Command(line=1, text="x", expected=["login: <who> / <password>", "done"])
    assert check_output(cmd, "login:  admin@example.com / s3cret\nmore\ndone\n") is None
    assert check_output(cmd, "done\nlogin: a / b\n") is not None  # order matters
    assert check_output(cmd, "login: a\ndone\n") is not None  # the literal " / " is missing


def test_a_failing_command_is_reported_with_its_line(tmp_path: Path) -> None:
    docs_copy = DOCS / "p.md"
    page = tmp_path / "p.md"
    page.write_text(
        "```console\n$ export X=1\n$ test \"$X\" = 1\n$ false\n$ sh -c 'exit 3'\n"
        "(exit status 3)\n$ true\n(exit status 2)\n```\n"
    )
    problems = run_page(page, tmp_path / "w", None, where=docs_copy)
    assert len(problems) == 2, problems
    assert ":4: $ false: exit 1" in problems[0] and ":7: $ true: exit 0" in problems[1]


def test_a_page_runs_under_the_names_it_is_given(tmp_path: Path) -> None:
    """The stand-in replaces a whole name in commands and expected output, never a longer
    word that begins with it."""
    page = tmp_path / "p.md"
    page.write_text(
        '```console\n$ test "$(echo steward_guide_shop)" = steward_guide_shop_t1\n'
        "$ echo steward_guide_shop\nsteward_guide_shop_t1\n"
        "$ printf steward_guide_shopping | wc -c\n22\n```\n"
    )
    names = {"steward_guide_shop": "steward_guide_shop_t1"}
    assert run_page(page, tmp_path / "a", None, where=DOCS / "p.md", names=names) == []
    # Under the page's own names the first two commands fail (test exits 1, echo prints the
    # name the page shows).
    problems = run_page(page, tmp_path / "b", None, where=DOCS / "p.md")
    assert [p.split(": $")[0] for p in problems] == ["p.md:2", "p.md:3"], problems


def test_the_guides_databases_are_the_runs_own_and_dropped() -> None:
    """Two runs at once get different names; what a page made under them is gone after."""
    with guide_databases() as first, guide_databases() as second:
        assert set(first) == {"steward_guide_shop", "steward_guide_store"}
        assert not set(first.values()) & set(second.values())
        shop = first["steward_guide_shop"]
        assert re.fullmatch(r"steward_guide_shop_[0-9a-f]{10}", shop), shop
        pg = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        maria = create_engine(MARIA_ADMIN, isolation_level="AUTOCOMMIT")
        with pg.connect() as c:
            c.execute(text(f'CREATE DATABASE "{shop}"'))
            c.execute(text(f'CREATE DATABASE "{first["steward_guide_store"]}"'))
        with maria.connect() as c:
            c.execute(text(f"CREATE DATABASE `{shop}`"))
    with pg.connect() as c:
        left = c.scalars(
            text("SELECT datname FROM pg_database WHERE datname LIKE :n"), {"n": f"%{shop[-10:]}"}
        ).all()
    with maria.connect() as c:
        left += c.scalars(
            text("SELECT schema_name FROM information_schema.schemata WHERE schema_name = :n"),
            {"n": shop},
        ).all()
    pg.dispose()
    maria.dispose()
    assert left == []
