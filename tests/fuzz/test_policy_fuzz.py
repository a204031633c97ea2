"""Hypothesis-generated policy files: whatever the YAML says, the loader answers with a policy
or with `file:line:col: path: message` problems, never with a traceback.

Three generators: structural edits of the example policy (a value replaced, a key dropped,
an item duplicated), text edits of its files (characters and number tokens inserted, slices
cut), and whole random documents. Bounded for CI by `POLICY_EXAMPLES` per generator
(environment `STEWARD_FUZZ_EXAMPLES` scales it for a longer run by hand).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.errors import PolicyError
from steward.policy.loader import load_policy

ROOT = Path(__file__).resolve().parents[2]
FILES = {p.name: p.read_text(encoding="utf-8")
         for p in sorted((ROOT / "examples" / "promark").glob("*.yaml"))}
POLICY_EXAMPLES = 15 * int(os.environ.get("STEWARD_FUZZ_EXAMPLES", "8"))
PROBLEM = re.compile(r"^.+:\d+:\d+: \S.*: .+$")
FUZZ = settings(max_examples=POLICY_EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

# Tokens that stress number and scalar parsing: Python refuses decimals of more than 4,300
# digits; YAML 1.1 and 1.2 disagree on octal, sexagesimal and boolean words.
TOKENS = st.sampled_from([
    "9" * 5000, "-" + "1" * 4301, "0x" + "f" * 5000, "0o" + "7" * 5000, "1e999999", "-.inf",
    ".nan", "1_000", "0777", "12:30:00", "2026-02-30", "yes", "NO", "~", "!!int x", "!!binary",
    "!!python/object:os.system", "&a [*a]", "<<: *x", "? [a]", "{", "]", "'", '"\\x"', "|\n",
    "\t", "\ufeff", "\x00", "%YAML 1.1", "---", "...",
])
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(min_size=1, max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _assert_clean(files: dict[str, str]) -> None:
    """Load the policy made of `files`; a PolicyError must be well-formed problems."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_policy(Path(tmp))
        except PolicyError as err:
            assert err.problems, "a PolicyError without problems"
            for line in err.problems:
                assert PROBLEM.match(line), f"not a file:line:col problem: {line!r}"


def _edit(doc: Any, data: st.DataObject) -> Any:
    """`doc` with one value replaced, one key dropped or one list item duplicated, at a
    random depth."""
    if not isinstance(doc, dict | list) or not doc or data.draw(st.integers(0, 3)) == 0:
        return data.draw(VALUES)
    keys = list(doc) if isinstance(doc, dict) else list(range(len(doc)))
    key = data.draw(st.sampled_from(keys))
    action = data.draw(st.sampled_from(["descend", "descend", "drop", "duplicate"]))
    out = dict(doc) if isinstance(doc, dict) else list(doc)
    if action == "drop":
        del out[key]
    elif action == "duplicate" and isinstance(out, list):
        out.insert(key, out[key])
    else:
        out[key] = _edit(doc[key], data)  # type: ignore[index]
    return out


@FUZZ
@given(data=st.data())
def test_structural_edits_of_the_example_policy(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(FILES)))
    edited = _edit(yaml.safe_load(FILES[name]), data)
    _assert_clean({**FILES, name: yaml.safe_dump(edited, allow_unicode=True)})


@FUZZ
@given(data=st.data())
def test_text_edits_of_the_example_policy(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(FILES)))
    text = FILES[name]
    start = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 40))
    insert = data.draw(TOKENS | st.text(max_size=20))
    _assert_clean({**FILES, name: text[:start] + insert + text[start + cut:]})


@FUZZ
@given(doc=VALUES)
def test_random_documents(doc: Any) -> None:
    _assert_clean({"policy.yaml": yaml.safe_dump(doc, allow_unicode=True)})


def test_a_number_too_long_to_read_is_a_problem_with_its_line() -> None:
    """The probe's finding: 5,000 digits gave "unexpected ValueError" and no position."""
    text = FILES["policy.yaml"].rstrip("\n") + "\nextra: " + "9" * 5000 + "\n"
    line = text.count("\n")
    try:
        load_policy_with({**FILES, "policy.yaml": text})
    except PolicyError as err:
        hits = [p for p in err.problems if "too long to read" in p]
        assert hits and hits[0].startswith(f"policy.yaml:{line}:8: extra: "), err.problems
    else:
        raise AssertionError("a 5,000-digit number was accepted")


def load_policy_with(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        try:
            load_policy(Path(tmp))
        except PolicyError as err:
            # Problems name the file by its path: keep the file name only.
            raise PolicyError([p.replace(tmp + os.sep, "") for p in err.problems]) from None
