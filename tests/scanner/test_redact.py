"""Redaction operators: mask, tag, keyed hash, pseudonym; and scan_and_redact."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from steward.errors import InvalidInput
from steward.scanner import Finding, Operator, redact, scan, scan_and_redact

KEY = b"k" * 32
TEXT = "CPR 211062-5629 og igen 2110625629, mail Jens@example.com; jens@example.com"


def test_tag() -> None:
    assert scan_and_redact(TEXT, "tag").text == (
        "CPR [DK_CPR] og igen [DK_CPR], mail [EMAIL]; [EMAIL]")


def test_mask_keeps_length_and_separators() -> None:
    out = redact("CPR 211062-5629.", scan("CPR 211062-5629."), Operator.MASK)
    assert out == "CPR ******-****."
    assert redact("x 211062-5629", scan("x 211062-5629"), "mask", mask_char="#") == "x ######-####"


def test_hash_is_keyed_and_layout_blind() -> None:
    out = scan_and_redact(TEXT, "hash", key=KEY).text
    tags = [part.split("]")[0] for part in out.split("[")[1:]]
    assert tags[0] == tags[1]              # same CPR, two layouts: same hash
    assert tags[2] == tags[3]              # e-mail compared case-insensitively
    expected = hmac.new(KEY, b"DK_CPR\x1f2110625629", hashlib.sha256).hexdigest()[:16]
    assert tags[0] == f"DK_CPR:{expected}"
    other = scan_and_redact(TEXT, "hash", key=b"x" * 32).text
    assert other != out                    # another key, other hashes
    assert "2110625629" not in out and "5629" not in out


def test_pseudonym_consistent_within_a_document() -> None:
    text = "CPR 211062-5629, 010110-4002 og igen 2110625629"
    assert scan_and_redact(text, "pseudonym").text == (
        "CPR [DK_CPR_1], [DK_CPR_2] og igen [DK_CPR_1]")


def test_redaction_result_keeps_findings_against_the_original() -> None:
    result = scan_and_redact(TEXT)
    assert [f.excerpt(TEXT) for f in result.findings][:1] == ["211062-5629"]


@pytest.mark.parametrize("kwargs,message", [
    ({"operator": "shred"}, "unknown redaction operator"),
    ({"operator": "hash"}, "key of at least 16 bytes"),
    ({"operator": "hash", "key": b"short"}, "key of at least 16 bytes"),
    ({"operator": "mask", "mask_char": "**"}, "exactly one character"),
])
def test_bad_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        scan_and_redact(TEXT, **kwargs)  # type: ignore[arg-type]


def test_span_outside_text_and_overlaps() -> None:
    with pytest.raises(InvalidInput, match="outside"):
        redact("short", [Finding("EMAIL", 2, 50, 0.9, "x")])
    overlapping = [Finding("EMAIL", 0, 5, 0.9, "a"), Finding("PHONE", 3, 8, 0.9, "b")]
    assert redact("abcdefghij", overlapping) == "[EMAIL]fghij"


def test_redact_is_pure_and_handles_any_unicode() -> None:
    text = "😀 CPR 211062-5629 \ud800 ✓"
    findings = scan(text)
    first = redact(text, findings, "hash", key=KEY)
    assert first == redact(text, findings, "hash", key=KEY)
    assert first.startswith("😀 CPR [DK_CPR:") and first.endswith(" \ud800 ✓")
