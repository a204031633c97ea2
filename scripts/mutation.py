"""Mutation testing, one module at a time: `make mutation` (or `python scripts/mutation.py
[NAME ...]`). For each module below, mutmut mutates only that module's files and runs only the
tests named beside it (SQLite parametrizations only, to keep a module to minutes), then the
killed share per module is written to docs/quality.md between the markers there.

The module table is the list of places where a silent bug hurts most; the tests beside each
are the ones that are meant to catch its bugs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUALITY = ROOT / "docs" / "quality.md"
BEGIN, END = "<!-- mutation scores: begin -->", "<!-- mutation scores: end -->"
GOAL = 0.85
# SQLite only; and not the tests that only run the installed `steward` command, which imports
# the unmutated tree, not mutmut's copy (tests find the command beside `sys.executable`, so
# those that also check in-process run from the copy too).
ONLY_SQLITE = (
    "not postgres and not mariadb and not test_the_cli_takes_the_receipt"
    " and not test_a_password_change_ends_the_users_sessions"
)

# Modules whose behaviour differs on PostgreSQL run their PostgreSQL tests too: the audit log's
# one-statement append is a PostgreSQL-only path; and SQLite stores timestamps as text, where a
# timestamp at midnight never equals its date, so the sweep statements' boundaries (`<` or
# `<=` the cutoff) show on PostgreSQL only.
WITH_POSTGRES = ONLY_SQLITE.replace("not postgres and ", "")
KEYWORDS = {"audit/": WITH_POSTGRES, "retention/statements.py": WITH_POSTGRES}

# name: (files to mutate, tests to run)
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "legal/": (["src/steward/legal/*"], ["tests/legal"]),
    "requests/deadlines.py": (
        ["src/steward/requests/deadlines.py"],
        [
            "tests/requests/test_receipt.py",
            "tests/requests/test_deadlines.py",
            "tests/requests/test_clock_pauses.py",
            "tests/requests/test_establishment_holidays.py",
            "tests/requests/test_deadline_calendars.py",
        ],
    ),
    "requests/plan.py": (
        ["src/steward/requests/plan.py"],
        [
            "tests/retention/test_statutes.py",
            "tests/requests/test_legal_holds_erasure.py",
            "tests/requests/test_not_searched.py",
            "tests/requests/test_copy_own_and_others.py",
            "tests/requests/test_erasure_plan_words.py",
            "tests/requests/test_plan_plumbing.py",
            "tests/requests/test_search_rounds.py",
            "tests/requests/test_erasure_plans.py",
        ],
    ),
    "retention/cutoff.py": (
        ["src/steward/retention/cutoff.py"],
        ["tests/retention/test_cutoff.py", "tests/retention/test_deadlines.py"],
    ),
    # With PostgreSQL (see KEYWORDS): `<` and `<=` on a timestamp differ only there.
    "retention/statements.py": (
        ["src/steward/retention/statements.py"],
        [
            "tests/retention/test_statements.py",
            "tests/retention/test_statement_plans.py",
            "tests/retention/test_sweep.py",
            "tests/retention/test_deadlines.py",
            "tests/retention/test_composite_keys.py",
            "tests/retention/test_child_trigger.py",
            "tests/retention/test_conditions.py",
            "tests/retention/test_holds.py",
            "tests/retention/test_declared_references.py",
            "tests/retention/test_condition_errors.py",
        ],
    ),
    "consent/checks.py": (
        ["src/steward/consent/checks.py"],
        [
            "tests/consent/test_checks.py",
            "tests/consent/test_withdrawal_kinds.py",
            "tests/consent/test_check_answers.py",
            "tests/consent/test_check_gates.py",
            "tests/consent/test_check_blockers.py",
            "tests/consent/test_check_round_trips.py",
        ],
    ),
    "consent/state.py": (
        ["src/steward/consent/state.py"],
        [
            "tests/consent/test_ledger.py",
            "tests/consent/test_state_edges.py",
            "tests/consent/test_checks.py",
            "tests/consent/test_withdrawal_kinds.py",
            # Counts the statements of the batch filter, which reads states 500 subjects at a
            # time through `for_subjects`.
            "tests/consent/test_check_round_trips.py",
        ],
    ),
    # With PostgreSQL (see KEYWORDS): its one-statement append is its own code path.
    "audit/": (["src/steward/audit/*"], ["tests/audit"]),
    "web/security.py+deps.py": (
        ["src/steward/web/security.py", "src/steward/web/deps.py"],
        [
            "tests/web/test_guards.py",
            "tests/web/test_security_headers.py",
            "tests/web/test_access_matrix.py",
            "tests/web/test_access.py",
            "tests/web/test_hardening.py",
            "tests/web/test_sessions.py",
        ],
    ),
    "scanner/finance.py+nationalids.py": (
        ["src/steward/scanner/finance.py", "src/steward/scanner/nationalids.py"],
        [
            "tests/scanner/test_checkdigits.py",
            "tests/scanner/test_nationalids.py",
            "tests/scanner/test_handwritten.py",
            "tests/scanner/test_id_scores.py",
            "tests/scanner/test_finance.py",
        ],
    ),
}


def _config(files: list[str], tests: list[str], keyword: str = ONLY_SQLITE) -> str:
    def lines(values: list[str]) -> str:
        return "\n  ".join(values)

    return (
        "[mutmut]\n"
        "source_paths=src/steward/\n"
        f"only_mutate=\n  {lines(files)}\n"
        f"pytest_add_cli_args_test_selection=\n  {lines(tests)}\n"
        f"pytest_add_cli_args=\n  -p\n  no:cacheprovider\n  -q\n  -k\n  {keyword}\n"
        "also_copy=\n  tests/\n  examples/\n  docs/\n  scripts/\n"
    )


def run(name: str, children: int = 2) -> dict[str, object]:
    files, tests = MODULES[name]
    cfg, mutants = ROOT / "setup.cfg", ROOT / "mutants"
    shutil.rmtree(mutants, ignore_errors=True)
    cfg.write_text(_config(files, tests, KEYWORDS.get(name, ONLY_SQLITE)), encoding="utf-8")
    try:
        subprocess.run(
            [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(children)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [str(Path(sys.executable).parent / "mutmut"), "export-cicd-stats"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        stats = json.loads((mutants / "mutmut-cicd-stats.json").read_text(encoding="utf-8"))
        out = subprocess.run(
            [str(Path(sys.executable).parent / "mutmut"), "results"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        stats["survivors"] = [
            line.split(":")[0].strip()
            for line in out.splitlines()
            if line.strip().endswith("survived")
        ]
        return dict(stats)
    finally:
        # The mutants stay for `mutmut show NAME` (until the next module's run replaces them);
        # setup.cfg exists only while mutmut runs.
        cfg.unlink(missing_ok=True)


def _row(name: str, stats: dict[str, object]) -> str:
    def n(key: str) -> int:
        return int(stats.get(key, 0))  # type: ignore[call-overload]

    killed, total, untested = n("killed") + n("timeout"), n("total"), n("no_tests")
    share = killed / total if total else 1.0
    flag = "yes" if share >= GOAL else "**no**"
    return f"| {name} | {total} | {killed} | {n('survived')} | {untested} | {share:.0%} | {flag} |"


def write(results: dict[str, dict[str, object]]) -> None:
    text = QUALITY.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    old = {
        line.split("|")[1].strip(): line
        for line in rest.split(END, 1)[0].splitlines()
        if line.startswith("| ") and not line.startswith("| Module") and "---" not in line
    }
    for name, stats in results.items():
        old[name] = _row(name, stats)
    rows = [old[n] for n in MODULES if n in old]
    table = "\n".join(
        [
            "| Module | Mutants | Killed | Survived | No test ran | Killed % | ≥ 85 % |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
            *rows,
        ]
    )
    stamp = datetime.now(UTC).date().isoformat()
    QUALITY.write_text(
        f"{head}{BEGIN}\nMeasured {stamp}.\n\n{table}\n{END}{tail}", encoding="utf-8"
    )


def main(argv: list[str]) -> int:
    names = argv or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        print(f"unknown module {unknown[0]!r}; known: {', '.join(MODULES)}", file=sys.stderr)
        return 2
    results: dict[str, dict[str, object]] = {}
    for name in names:
        results[name] = run(name)
        write(results)
        stats = results[name]
        survivors = ", ".join(stats["survivors"]) or "none"  # type: ignore[arg-type]
        print(f"{name}: {stats['killed']}/{stats['total']} killed; survivors: {survivors}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
