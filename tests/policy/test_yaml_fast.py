"""The libyaml-based parse: YAML 1.2 core-schema scalars, duplicate keys, aliases, errors."""

from __future__ import annotations

import gc
import math
from pathlib import Path
from typing import Any

import pytest
from bench.policy import generated_policy

from policy.policy_helpers import BASE, edit, line_of, problems
from steward.policy.loader import load_policy_report, load_policy_text_report
from steward.policy.yamlnodes import (
    FAST_COMPOSER,
    PURE_COMPOSER,
    NodeIndex,
    ParsedFile,
    parse_file,
    resolve_plain,
)


def parse(text: str, name: str = "x.yaml") -> ParsedFile:
    return parse_file(name, text, NodeIndex())


def value(text: str) -> Any:
    parsed = parse(text)
    assert parsed.problems == []
    return parsed.value


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        # YAML 1.1 booleans (Norway's country code!) stay strings under YAML 1.2.
        ("NO", "NO"), ("no", "no"), ("yes", "yes"), ("Yes", "Yes"), ("on", "on"),
        ("off", "off"), ("y", "y"), ("tRUE", "tRUE"),
        ("true", True), ("True", True), ("TRUE", True),
        ("false", False), ("False", False), ("FALSE", False),
        ("null", None), ("Null", None), ("NULL", None), ("~", None), ("", None),
        ("42", 42), ("+5", 5), ("-3", -3), ("0755", 755), ("0o17", 15), ("0x1F", 31),
        ("1_000", "1_000"), ("1:20", "1:20"), ("2020-02-20", "2020-02-20"),
        ("1.5", 1.5), ("-.5", -0.5), ("5.", 5.0), ("1e3", 1000.0), ("12E-1", 1.2),
        (".inf", math.inf), ("-.Inf", -math.inf),
        ("1.2.3", "1.2.3"), ("+", "+"), ("-x", "-x"), ("12abc", "12abc"), ("DK", "DK"),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(plain: str, expected: Any) -> None:
    got = resolve_plain(plain)
    assert got == expected and type(got) is type(expected)


def test_nan_is_a_float() -> None:
    assert math.isnan(resolve_plain(".NaN"))


def test_country_codes_and_words_stay_strings_as_keys_and_values() -> None:
    doc = value("NO: {country: NO, ok: yes}\non: off\n1: one\n0755: x\nnull: z\n")
    assert doc == {"NO": {"country": "NO", "ok": "yes"}, "on": "off", 1: "one", 755: "x",
                   "None": "z"}


def test_quoted_and_tagged_scalars() -> None:
    doc = value(
        "a: '5'\nb: \"true\"\nc: !!str 5\nd: !!int \"7\"\ne: !!float 1\nf: !!bool True\n"
        "g: !!null ''\nh: |\n  NO\n"
    )
    assert doc == {"a": "5", "b": "true", "c": "5", "d": 7, "e": 1.0, "f": True, "g": None,
                   "h": "NO\n"}
    assert type(doc["e"]) is float


def test_bad_and_unknown_tags_are_line_numbered() -> None:
    found = parse("a: 1\nb: !!int twelve\nc:\n  - !shout hello\n").problems
    assert found == [
        "x.yaml:2:4: b: 'twelve' is not a valid tag:yaml.org,2002:int",
        "x.yaml:4:5: c.0: unsupported tag '!shout'",
    ]


def test_norway_authority_loads_with_its_country_code() -> None:
    text = edit(BASE, "  lead_authority: DK\n", "  lead_authority: DK\n  complaint_authority: NO\n")
    text = edit(text, "authorities:\n", "authorities:\n  NO: {name: Datatilsynet (Norge), "
                "website: https://www.datatilsynet.no, breach_channel: Altinn}\n")
    text = edit(text, "    title: News\n", "    title: Yes\n")
    policy = load_policy_text_report(text, "acme.yaml").policy
    assert sorted(policy.authorities) == ["DK", "NO"]
    assert policy.controller.complaint_authority == "NO"
    assert policy.consent.purposes[0].title == "Yes"


def test_every_duplicate_is_reported_with_both_lines() -> None:
    found = parse("a: 1\nb:\n  - c: 1\n    d: 2\n    c: 3\n    c: 4\na: 5\n").problems
    assert found == [
        "x.yaml:5:5: b.0.c: duplicate key 'c' (first defined at line 3)",
        "x.yaml:6:5: b.0.c: duplicate key 'c' (first defined at line 3)",
        "x.yaml:7:1: a: duplicate key 'a' (first defined at line 1)",
    ]


def test_keys_equal_after_resolution_are_duplicates() -> None:
    (msg,) = parse("1: a\n'x': b\n01: c\n").problems
    assert msg == "x.yaml:3:1: 01: duplicate key '01' (first defined at line 1)"


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("a: [1, 2\nb: 3\n", "x.yaml:2:", "flow sequence"),
        ("a: 'open\nb: 3\n", "x.yaml:3:1:", "quoted scalar"),
        ("a:\n\t- x\n", "x.yaml:2:1:", "cannot start any token"),
        ("a: 1\nb: ok \x07 no\n", "x.yaml:2:7:", "unacceptable character #x0007"),
        ("a: æøå\nb: ø \x07\n", "x.yaml:2:6:", "unacceptable character #x0007"),
        ("a: 1\n---\nb: 2\n", "x.yaml:2:1:", "single document"),
        ("a: *nowhere\n", "x.yaml:1:4:", "undefined alias"),
    ],
)
def test_malformed_yaml_is_one_line_numbered_problem(text: str, where: str, words: str) -> None:
    (msg,) = parse(text).problems
    assert msg.startswith(where) and "(yaml)" in msg and words in msg, msg


def test_libyaml_is_used() -> None:
    assert FAST_COMPOSER is not None, "PyYAML without libyaml: policies load ~20x slower"


def test_pure_python_fallback_gives_the_same_values_and_problems() -> None:
    cases = [BASE, "NO: {on: yes}\nb: [1, '2', 0x1F]\n", "a: 1\nb:\n  c: 1\n  c: 2\n",
             "a: æøå\nb: ø \x07\n", "a: &x [1]\nb: *x\n"]
    for text in cases:
        fast = parse_file("x.yaml", text, NodeIndex(), FAST_COMPOSER)
        pure = parse_file("x.yaml", text, NodeIndex(), PURE_COMPOSER)
        assert fast.value == pure.value
        # libyaml and PyYAML word some errors differently; the places must agree.
        assert [p.rsplit(": ", 1)[0] for p in fast.problems] == \
            [p.rsplit(": ", 1)[0] for p in pure.problems]


def test_aliases_expand_to_independent_copies() -> None:
    doc = value("base: &m [Encryption, Access control]\nother: *m\nk: &s NO\nl: *s\n")
    assert doc["other"] == ["Encryption", "Access control"] and doc["l"] == "NO"
    assert doc["other"] is not doc["base"]


def test_merge_keys_are_refused_with_their_line() -> None:
    (msg,) = parse("base: &b {x: 1}\nthing:\n  <<: *b\n  y: 2\n").problems
    assert msg.startswith("x.yaml:3:3: thing.<<: merge keys (<<) are not supported")


def test_recursive_alias_is_refused() -> None:
    (msg,) = parse("a: &x [1, *x]\n").problems
    assert "recursive alias" in msg and msg.startswith("x.yaml:1:")


def test_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (msg,) = parse("\n".join(lines) + "\n").problems
    assert "aliases expand to too much data" in msg


def test_non_scalar_key_is_refused() -> None:
    (msg,) = parse("? [a, b]\n: c\n").problems
    assert msg == "x.yaml:1:3: ?: a mapping key must be a scalar"


def test_empty_value_points_at_its_key_line() -> None:
    text = edit(BASE, "  DK: {name: Datatilsynet, website: https://www.datatilsynet.dk, "
                "breach_channel: form}\n", "")
    (msg,) = problems(text)
    assert msg.startswith(f"acme.yaml:{line_of(text, 'authorities:')}:")
    assert "authorities: Input should be a valid dictionary" in msg


def test_positions_follow_items_merged_from_a_second_file(tmp_path: Path) -> None:
    folder = tmp_path / "pol"
    folder.mkdir()
    (folder / "a.yaml").write_text(BASE)
    (folder / "b.yaml").write_text(
        "# more\npurposes:\n  - key: extra\n    title: Extra\n    description: More\n"
        "    legal_bases: [c]\n"
    )
    loaded = load_policy_report(folder)
    assert str(loaded.sources.locate(("purposes", 1, "legal_bases", 0))) == \
        f"{folder / 'b.yaml'}:6:19"
    assert str(loaded.sources.locate(("purposes", 1))) == f"{folder / 'b.yaml'}:3:5"
    first = loaded.sources.locate(("purposes", 0, "title"))
    assert (first.file, first.line) == (str(folder / "a.yaml"), line_of(BASE, "title: Service"))
    # A missing field points at its nearest recorded parent.
    assert loaded.sources.locate(("purposes", 1, "examples", 3)) == \
        loaded.sources.locate(("purposes", 1))


def test_generated_500_activity_policy_loads_whole() -> None:
    """The bench's large policy loads without a problem. How fast is measured in
    bench/policy.py against the pure-Python composer, not asserted here (tests never assert
    timings: on a shared machine a CPU budget fails for reasons that are not ours)."""
    big = generated_policy(500, 200)
    loaded = load_policy_text_report(big, "bench.yaml")
    assert len(loaded.policy.processing_activities) == 500


def test_the_garbage_collector_is_restored_after_a_load() -> None:
    assert gc.isenabled()
    load_policy_text_report(BASE, "acme.yaml")
    assert gc.isenabled()
    problems("a: [1\n")
    assert gc.isenabled()
    gc.disable()
    try:
        load_policy_text_report(BASE, "acme.yaml")
        assert not gc.isenabled()
    finally:
        gc.enable()
