"""Every audit action the code can emit reads as a sentence. The action names are collected from
the source (calls passing `action=` to an `append`, the request events recorded through
`steward.requests.states.record`, and values passed down to a function that forwards its
parameter), not from the sentence table under test; a sample of sentences is written out by
hand."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from steward.audit.sentences import actions, actor_name, sentence
from steward.i18n import language
from steward.requests.states import State

SRC = Path(__file__).resolve().parents[2] / "src" / "steward"

# Actions built from a runtime value, with the values that value takes (read from the code's
# comments and the places that set it): an f-string the collector meets that is not listed
# here fails the test until someone writes its sentences.
EXPANSIONS: dict[str, list[str]] = {
    # states.record itself: every state a request moves to (`states.move`), plus the kinds the
    # collector finds passed to `record` directly.
    "dsr.*": [f"dsr.{s.value}" for s in State],
    "dsr.system_*": ["dsr.system_erase", "dsr.system_restrict", "dsr.system_rectify"],
    # retention.evidence.record_stop: the statuses a run stops in (retention.sweep).
    "retention.run_*": ["retention.run_failed", "retention.run_waiting", "retention.run_paused"],
}


def _strings(node: ast.AST, env: dict[str, list[str]]) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _strings(node.body, env), _strings(node.orelse, env)
        return None if a is None or b is None else a + b
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "*" for v in node.values)]
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    return None


def _call_name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def collect(src: Path) -> tuple[set[str], list[str]]:
    """(action names and patterns emitted, places whose action could not be read)."""
    found: set[str] = set()
    unread: list[str] = []
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        env: dict[str, list[str]] = {}
        for n in ast.walk(tree):  # module and local constants: ACTION = "dsr.x"
            if (
                isinstance(n, ast.Assign)
                and len(n.targets) == 1
                and isinstance(n.targets[0], ast.Name)
            ):
                got = _strings(n.value, {})
                if got is not None:
                    env.setdefault(n.targets[0].id, []).extend(got)
        record_names = {
            a.asname or a.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module == "steward.requests.states"
            for a in n.names
            if a.name == "record"
        }
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        for fn in [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]:
            params = [a.arg for a in fn.args.args]
            for call in [n for n in ast.walk(fn) if isinstance(n, ast.Call)]:
                for kw in call.keywords:
                    if kw.arg != "action" or not _call_name(call).endswith("append"):
                        continue
                    got = _strings(kw.value, env)
                    if got is None and isinstance(kw.value, ast.Name) and kw.value.id in params:
                        # forwarded parameter: the constants its callers in this file pass
                        i = params.index(kw.value.id)
                        got = []
                        for c in calls:
                            if _call_name(c) == fn.name and len(c.args) > i:
                                got += _strings(c.args[i], env) or []
                        got = got or None
                    if got is None:
                        unread.append(f"{path.relative_to(src)}:{call.lineno}")
                    else:
                        found.update(got)
        for call in calls:
            if isinstance(call.func, ast.Name) and call.func.id in record_names:
                kind = _strings(call.args[2], env) if len(call.args) > 2 else None
                if kind is None:
                    unread.append(f"{path.relative_to(src)}:{call.lineno}")
                else:
                    found.update(f"dsr.{k}" for k in kind)
    return found, unread


def emitted() -> set[str]:
    found, unread = collect(SRC)
    assert not unread, f"audit actions the test cannot read (write them plainly): {unread}"
    out = set()
    for name in found:
        if "*" in name:
            assert name in EXPANSIONS, f"{name}: list its values in EXPANSIONS"
            out.update(EXPANSIONS[name])
        else:
            out.add(name)
    return out


def test_the_collector_sees_the_known_kinds_of_emission() -> None:
    names = emitted()
    # a literal, a module constant, a forwarded parameter, a recorded request event, an
    # f-string expanded, and this desk's own events
    for a in (
        "breach.registered",
        "dsr.deadline_reminder",
        "user.password_reset",
        "dsr.art19_waived",
        "dsr.system_erase",
        "dsr.assigned",
        "dsr.note_added",
    ):
        assert a in names, a


def test_every_emitted_action_has_a_sentence_and_none_is_stale() -> None:
    names = emitted()
    assert sorted(names - actions()) == []
    assert sorted(actions() - names) == []


NAMES = {"user:3": "Anna Officer", "user:7": "Bo Viewer"}


@pytest.mark.parametrize(
    ("action", "actor", "details", "note", "expected"),
    [
        (
            "dsr.extended",
            "user:3",
            {"due_on": "2027-03-01", "type": "access"},
            "complex request",
            "Anna Officer extended the deadline by two months, to 2027-03-01 (Art. 12(3)): "
            "complex request",
        ),
        (
            "dsr.assigned",
            "user:3",
            {"assignee": "user:7", "previous": None},
            None,
            "Anna Officer assigned the request to Bo Viewer",
        ),
        (
            "dsr.verified",
            "subject",
            {"method": "code"},
            None,
            "Identity verified (Art. 12(6)), recorded by The person",
        ),
        (
            "breach.registered",
            "user:3",
            {"deadline": "2026-12-09T10:00:00+00:00"},
            None,
            "Anna Officer registered a breach; the authority must be told by "
            "2026-12-09T10:00:00+00:00 (Art. 33)",
        ),
        (
            "user.role_changed",
            "user:3",
            {"from": "viewer", "to": "officer"},
            None,
            "Anna Officer changed a user's role from viewer to officer",
        ),
        ("retention.run_completed", "retention", {}, None, "A retention run finished"),
        (
            "scanner.scanned",
            "cli:scan",
            {"system": "crm"},
            None,
            "Someone at the command line scanned crm for sensitive data",
        ),
        # an older event without the detail its sentence names: a dash, not a crash
        (
            "dsr.extended",
            "steward",
            {},
            None,
            "Steward extended the deadline by two months, to \u2013 (Art. 12(3))",
        ),
        # an action without a sentence still reads, naming itself
        ("future.thing", "user:9", {}, None, "user:9: future.thing"),
    ],
)
def test_sample_sentences(
    action: str, actor: str, details: dict[str, object], note: str | None, expected: str
) -> None:
    assert sentence(action, actor, details, note=note, names=NAMES) == expected


def test_stored_json_details_and_actors() -> None:
    assert sentence("policy.published", "cli", '{"version": "2026-12-01"}') == (
        "Someone at the command line published policy version 2026-12-01"
    )
    assert actor_name("controller:Acme Ltd") == "Acme Ltd"


def test_sentences_follow_the_language_in_force() -> None:
    with language("da"):
        assert sentence("dsr.note_added", "user:3", {}, names=NAMES) == (
            "Anna Officer tilføjede en intern note"
        )
    with language("sv"):
        assert sentence("dsr.note_added", "user:3", {}, names=NAMES) == (
            "Anna Officer lade till en intern anteckning"
        )
