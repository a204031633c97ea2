"""Policy versions: new purposes are found and flagged for announcement."""

from __future__ import annotations

from policy.policy_helpers import BASE, edit
from steward.policy.diff import diff_policies
from steward.policy.loader import load_policy_text

NEW_PURPOSE = """\
  - key: profiling
    title: Profiling
    description: Scoring leads
    legal_bases: [f]
    legitimate_interests: [to sell more]
"""


def test_new_changed_and_removed() -> None:
    old = load_policy_text(BASE)
    text = edit(BASE, "    legal_bases: [b]\n", "    legal_bases: [b]\n" + NEW_PURPOSE)
    text = edit(text, '  version: "1"\n', '  version: "2"\n')
    text = edit(text, "    period: {years: 1}\n", "    period: {years: 2}\n")
    text = edit(text, "      - processor: host\n", "      - internal: Support\n")
    text = edit(text, "processors:\n  - key: host\n", "processors:\n  - key: host2\n")
    new = load_policy_text(text)
    result = diff_policies(old, new)
    assert result.new_purposes == ["profiling"]
    lines = result.text().splitlines()
    assert lines[0] == "policy 1 -> 2: 5 change(s)"
    assert "+ purpose profiling: added -- announce before processing starts (GDPR Art. 13(3))" \
        in lines
    assert "+ recipient processor:host2: added" in lines
    assert "- recipient processor:host: removed" in lines
    assert "+ recipient internal:Support: added" in lines
    retention = [line for line in lines if line.startswith("~ retention closed_accounts")]
    assert len(retention) == 1 and "1 year" in retention[0] and "2 years" in retention[0]
    as_json = result.as_dict()
    assert as_json["new_purposes"] == ["profiling"]
    assert as_json["entries"][0]["announce"] is True


def test_identical_policies_have_no_changes() -> None:
    p = load_policy_text(BASE)
    assert diff_policies(p, p).entries == []


def test_changed_legal_basis_is_reported() -> None:
    old = load_policy_text(BASE)
    new = load_policy_text(edit(BASE, "    legal_bases: [b]\n", "    legal_bases: [b, c]\n"))
    (entry,) = diff_policies(old, new).entries
    assert entry.change == "changed" and entry.key == "service"
    assert "legal_bases: ['b'] -> ['b', 'c']" in entry.details[0]
