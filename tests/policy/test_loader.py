"""The loader: YAML errors, model errors and folder merging, all line-numbered."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy.policy_helpers import BASE, edit, line_of, one_problem, problems
from steward.errors import PolicyError
from steward.policy.loader import load_policy, load_policy_text, load_policy_text_report


def test_base_policy_is_valid() -> None:
    policy = load_policy_text(BASE, "acme.yaml")
    assert policy.policy.id == "acme"
    assert policy.systems[0].tables[1].references[0].to == "accounts.id"


def test_malformed_yaml_is_one_problem_with_its_line() -> None:
    text = edit(BASE, "    title: Service\n", "    title: [Service\n")
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith("acme.yaml:")
    assert "(yaml)" in found[0]
    line = int(found[0].split(":")[1])
    assert line_of(text, "title: [Service") <= line <= line_of(text, "title: [Service") + 2


def test_every_duplicate_key_in_a_file_is_reported_with_lines() -> None:
    text = edit(BASE, "  version: \"1\"\n", "  version: \"1\"\n  id: again\n")
    text = edit(text, "    storage_country: DK\n", "    storage_country: DK\n    connector: http\n")
    found = problems(text)
    assert len(found) == 2, found
    assert found[0].startswith(f"acme.yaml:{line_of(text, 'id: again')}:3: policy.id:")
    assert "duplicate key 'id' (first defined at line 2)" in found[0]
    assert found[1].startswith(f"acme.yaml:{line_of(text, 'connector: http')}:")
    assert "systems.0.connector" in found[1]


def test_missing_required_field_points_at_parent() -> None:
    text = edit(BASE, "    description: Providing the service\n", "")
    msg = one_problem(text, "- key: service")
    assert "purposes[service].description: required field is missing" in msg


def test_unknown_legal_basis_lists_article_6_letters() -> None:
    text = edit(BASE, "    legal_bases: [b]\n", "    legal_bases: [b, g]\n")
    msg = one_problem(text, "legal_bases: [b, g]")
    assert "purposes[service].legal_bases[1]: unknown legal basis 'g'" in msg
    assert "GDPR Art. 6(1)" in msg and "a (consent)" in msg and "f (legitimate interests)" in msg


def test_unknown_field_is_an_error() -> None:
    text = edit(BASE, "    legal_bases: [b]\n", "    legal_bases: [b]\n    legal_base: b\n")
    msg = one_problem(text, "legal_base: b")
    assert "purposes[service].legal_base: unknown field" in msg


def test_wrong_type_of_multilingual_text() -> None:
    text = edit(BASE, "    title: Service\n", "    title: {en: 5}\n")
    msg = one_problem(text, "title: {en: 5}")
    assert "purposes[service].title.en: Input should be a valid string" in msg


def test_model_rule_error_is_line_numbered() -> None:
    text = edit(BASE, "    legal_bases: [b]\n", "    legal_bases: [f]\n")
    msg = one_problem(text, "- key: service")
    assert "Art. 6(1)(f) needs the legitimate interests stated" in msg


def test_all_model_problems_are_collected() -> None:
    text = edit(BASE, "  effective: 2024-01-01\n", "  effective: someday\n")
    text = edit(text, "    country: DK\n    dpa:", "    country: dk\n    dpa:")
    found = problems(text)
    assert len(found) == 2, found
    assert found[0].startswith(f"acme.yaml:{line_of(text, 'effective: someday')}:14: "
                               "policy.effective:")
    assert found[1].startswith(f"acme.yaml:{line_of(text, 'country: dk')}:")
    assert "processors[host].country" in found[1]


def test_top_level_must_be_mapping() -> None:
    found = problems("- a\n- b\n")
    assert found == ["acme.yaml:1:1: (policy): the top level must be a mapping of sections"]


def _split(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _sections(text: str) -> dict[str, str]:
    """Split BASE into its top-level sections (name -> YAML text)."""
    out: dict[str, str] = {}
    current = ""
    for line in text.splitlines(keepends=True):
        if line[0] != " ":
            current = line.split(":")[0]
        out[current] = out.get(current, "") + line
    return out


def test_folder_merges_sections_lists_and_mappings(tmp_path: Path) -> None:
    s = _sections(BASE)
    more = (
        "purposes:\n  - key: extra\n    title: Extra\n    description: More\n"
        "    legal_bases: [c]\n"
        "authorities:\n  GB: {name: ICO, website: https://ico.org.uk, breach_channel: form}\n"
        "consent:\n  purposes:\n    - key: post\n      title: Post\n      purpose: extra\n"
        "      mode: opt_out\n      legal_basis: f\n      wording: We may send post.\n"
    )
    folder = _split(tmp_path / "pol", {
        "a.yaml": s["policy"] + s["controller"] + s["authorities"],
        "b.yml": s["subject_categories"] + s["data_categories"] + s["purposes"],
        "c.yaml": "".join(s[k] for k in ("processing_activities", "retention_rules", "systems",
                                         "processors", "consent")),
        "d.yaml": more,
        "notes.txt": "not yaml: ignored",
    })
    policy = load_policy(folder)
    assert [p.key for p in policy.purposes] == ["service", "extra"]
    assert sorted(policy.authorities) == ["DK", "GB"]
    assert [c.key for c in policy.consent.purposes] == ["news", "post"]


def test_folder_problem_names_the_right_file_and_line(tmp_path: Path) -> None:
    s = _sections(BASE)
    bad = "purposes:\n  - key: extra\n    title: Extra\n    description: More\n" \
          "    legal_bases: [x]\n"
    folder = _split(tmp_path / "pol", {"a.yaml": BASE, "b.yaml": bad})
    with pytest.raises(PolicyError) as info:
        load_policy(folder)
    assert info.value.problems == [
        f"{folder / 'b.yaml'}:5:19: purposes[extra].legal_bases[0]: unknown legal basis 'x': "
        + info.value.problems[0].split("unknown legal basis 'x': ")[1]
    ]
    assert s  # sections were split


def test_folder_scalar_key_twice_names_both_files(tmp_path: Path) -> None:
    folder = _split(tmp_path / "pol", {
        "a.yaml": BASE,
        "b.yaml": "# second\ncontroller:\n  name: Other Ltd\n",
    })
    with pytest.raises(PolicyError) as info:
        load_policy(folder)
    (msg,) = info.value.problems
    assert msg.startswith(f"{folder / 'b.yaml'}:3:9: controller.name: defined twice")
    assert f"{folder / 'a.yaml'}:{line_of(BASE, 'name: Acme Ltd')}:" in msg


def test_folder_mapping_key_twice_is_an_error(tmp_path: Path) -> None:
    folder = _split(tmp_path / "pol", {
        "a.yaml": BASE,
        "b.yaml": "authorities:\n  DK: {name: Other, website: x, breach_channel: y}\n",
    })
    with pytest.raises(PolicyError) as info:
        load_policy(folder)
    (msg,) = info.value.problems
    assert msg.startswith(f"{folder / 'b.yaml'}:2:3: authorities.DK: defined twice")


def test_yaml_problems_in_several_files_all_reported(tmp_path: Path) -> None:
    folder = _split(tmp_path / "pol", {"a.yaml": "a: [1\n", "b.yaml": "x: 1\nx: 2\n"})
    with pytest.raises(PolicyError) as info:
        load_policy(folder)
    assert len(info.value.problems) == 2
    assert info.value.problems[0].startswith(f"{folder / 'a.yaml'}:")
    assert info.value.problems[1].startswith(f"{folder / 'b.yaml'}:2:1: x: duplicate key")


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="1 problem"):
        load_policy(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "empty")
    assert "no *.yaml" in info.value.problems[0]


def test_report_keeps_positions() -> None:
    loaded = load_policy_text_report(BASE, "acme.yaml")
    loc = loaded.sources.locate(("purposes", 0, "legal_bases"))
    assert (loc.file, loc.line) == ("acme.yaml", line_of(BASE, "legal_bases: [b]"))
    assert loaded.warnings == []
