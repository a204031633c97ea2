"""Every command shown in a ```console block of the docs runs, in order, and prints what the
page says it prints (tests/docs/console.py)."""

from __future__ import annotations

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
# backup-restore.md a store on PostgreSQL.
NEEDS_SERVERS = {"guides/connect-sql.md", "guides/backup-restore.md"}
PG_DBS = ("steward_guide_shop", "steward_guide_store")
MARIA_DBS = ("steward_guide_shop",)


def test_every_page_with_commands_is_run() -> None:
    with_commands = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")
                     if "```console" in p.read_text(encoding="utf-8")}
    assert with_commands == set(PAGES)


@pytest.fixture
def guide_databases() -> Iterator[None]:
    """The guides' databases: none before a page runs, none left after."""
    drops = [(PG_ADMIN, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)') for db in PG_DBS]
    drops += [(MARIA_ADMIN, f"DROP DATABASE IF EXISTS `{db}`") for db in MARIA_DBS]
    engines = []
    try:
        for url, drop in drops:
            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            engines.append((engine, drop))
            with engine.connect() as c:
                c.execute(text(drop))
    except Exception as err:  # noqa: BLE001 - a server that is down
        _unavailable("PostgreSQL or MariaDB", err)
    yield
    for engine, drop in engines:
        with engine.connect() as c:
            c.execute(text(drop))
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_commands_run(page: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if page in NEEDS_SERVERS:
        request.getfixturevalue("guide_databases")
    problems = run_page(DOCS / page, tmp_path, PAGES[page])
    assert not problems, "\n\n".join(problems)


# --- the checker itself, on hand-written cases ------------------------------------------------

def test_blocks_commands_and_expected_lines(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("text\n\n```console\n$ echo a\na\n$ true\n```\n\n```sh\n$ not run\n```\n"
                    "```console\n$ printf 'x 1\\ny 2'\n...\ny <n>\n```\n")
    cmds = commands(page)
    assert [(c.line, c.text, c.expected) for c in cmds] == [
        (4, "echo a", ["a"]), (6, "true", []), (13, "printf 'x 1\\ny 2'", ["...", "y <n>"])]


def test_expected_output_must_appear_in_order() -> None:
    cmd = Command(line=1, text="x", expected=["login: <who> / <password>", "done"])
    assert check_output(cmd, "login:  admin@example.com / s3cret\nmore\ndone\n") is None
    assert check_output(cmd, "done\nlogin: a / b\n") is not None  # order matters
    assert check_output(cmd, "login: a\ndone\n") is not None  # the literal " / " is missing


def test_a_failing_command_is_reported_with_its_line(tmp_path: Path) -> None:
    docs_copy = DOCS / "p.md"
    page = tmp_path / "p.md"
    page.write_text("```console\n$ export X=1\n$ test \"$X\" = 1\n$ false\n$ sh -c 'exit 3'\n"
                    "(exit status 3)\n$ true\n(exit status 2)\n```\n")
    problems = run_page(page, tmp_path / "w", None, where=docs_copy)
    assert len(problems) == 2, problems
    assert ":4: $ false: exit 1" in problems[0] and ":7: $ true: exit 0" in problems[1]
