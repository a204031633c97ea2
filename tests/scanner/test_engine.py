"""scan(): context, hard negatives, collisions between layouts, options and bad input."""

from __future__ import annotations

import pytest

from steward.errors import InvalidInput
from steward.scanner import ALL_TYPES, UnscannableText, scan, scan_batch


def _found(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(f.type, f.excerpt(text)) for f in scan(text, **kwargs)]  # type: ignore[arg-type]


def test_findings_are_ordered_frozen_and_hold_no_value() -> None:
    text = "Mit CPR-nummer er 211062-5629 og min mail er jens@example.com."
    found = scan(text)
    assert [f.type for f in found] == ["DK_CPR", "EMAIL"]
    assert found[0].start < found[1].start
    assert "211062" not in repr(found[0])  # safe to log
    with pytest.raises(AttributeError):
        found[0].start = 0  # type: ignore[misc]


@pytest.mark.parametrize("text", [
    "Ordre 2110625629 er ikke leveret.",
    "Det gælder faktura nr. 2110625629.",
    "Order 8112189876 hasn't arrived.",
    "Sporingsnummer 15108695088.",
    "Ring på tlf. 0701234567.",
    "Kundenummer 4111111111111111 står på regningen.",
    "Varenr. AB123456C mangler.",
])
def test_hard_negatives_are_not_identity_numbers(text: str) -> None:
    kinds = {kind for kind, _ in _found(text)}
    assert not kinds & {"DK_CPR", "SE_PNR", "SE_SAMORD", "NO_FNR", "UK_NINO", "CARD"}


def test_label_belongs_to_the_nearest_number() -> None:
    text = "cpr 211062-5629 og ordre 2110625629"
    assert _found(text) == [("DK_CPR", "211062-5629")]


def test_negative_label_does_not_cross_a_sentence() -> None:
    text = "Jeg betalte 400 kr. Jeg hedder Ida Testesen (211062-5629)."
    assert ("DK_CPR", "211062-5629") in _found(text)


def test_label_heads_a_list() -> None:
    text = "CPR: 211062-5629, 010110-4002"
    assert _found(text) == [("DK_CPR", "211062-5629"), ("DK_CPR", "010110-4002")]


def test_ten_digits_read_by_language_and_context() -> None:
    # 0101201234 reads as a CPR (1 January 1920) and as a Swedish personnummer (2001-01-20).
    number = "0101201234"
    from steward.scanner.nationalids import cpr_birth_date, se_kind

    assert cpr_birth_date(number) is not None and se_kind(number) == "SE_PNR"
    assert _found(f"Mitt personnummer är {number}, och jag är kund hos er.") == [
        ("SE_PNR", number)]
    assert _found(f"Jeg har ikke fået svar, mit cpr er {number}.") == [("DK_CPR", number)]


def test_dates_amounts_and_timestamps_are_not_ids() -> None:
    text = ("Jeg bestilte den 21.10.2062 og 2024-03-12, betalte 1.210.851 kr, "
            "loggen siger 20240312-1015.")
    kinds = {kind for kind, _ in _found(text)}
    assert kinds.isdisjoint({"DK_CPR", "SE_PNR", "PHONE", "NO_FNR"})


def test_phone_numbers_of_the_five_plans() -> None:
    text = ("Ring 20 30 40 50 eller +47 912 34 567, i Sverige 070-174 06 05, "
            "Finland 040 1234567, London 020 7946 0018.")
    phones = [value for kind, value in _found(text) if kind == "PHONE"]
    assert phones == ["20 30 40 50", "+47 912 34 567", "070-174 06 05", "040 1234567",
                      "020 7946 0018"]


def test_health_and_absence_in_four_languages() -> None:
    assert _found("Jeg er sygemeldt med stress.") == [("ABSENCE", "sygemeldt"),
                                                      ("HEALTH", "stress")]
    assert _found("Jeg er sykmeldt etter operasjonen.")[0] == ("ABSENCE", "sykmeldt")
    assert _found("Jag är sjukskriven och gravid.") == [("ABSENCE", "sjukskriven"),
                                                        ("HEALTH", "gravid")]
    assert _found("I'm on sick leave, diagnosed with diabetes.") == [
        ("ABSENCE", "sick leave"), ("HEALTH", "diagnosed"), ("HEALTH", "diabetes")]


def test_phrases_that_are_not_health() -> None:
    assert _found("I'm sick of this bug and the stress test failed.") == []


def test_types_filter_and_min_confidence() -> None:
    text = "CPR 211062-5629, jens@example.com, sygemeldt"
    assert _found(text, types={"EMAIL"}) == [("EMAIL", "jens@example.com")]
    assert all(f.confidence >= 0.9 for f in scan(text, min_confidence=0.9))
    assert len(scan(text, min_confidence=0.0)) >= len(scan(text))


def test_bad_options_are_clear_errors() -> None:
    with pytest.raises(InvalidInput, match="unknown finding type"):
        scan("x", types={"SSN"})
    with pytest.raises(InvalidInput, match="between 0 and 1"):
        scan("x", min_confidence=1.5)
    assert {"DK_CPR", "HEALTH", "PHONE"} <= ALL_TYPES


def test_bytes_binary_and_huge_input() -> None:
    assert [(f.type, f.start, f.end) for f in scan(b"CPR 211062-5629")] == [
        ("DK_CPR", 4, 15)]
    with pytest.raises(UnscannableText) as binary:
        scan(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    assert binary.value.reason == "binary"
    with pytest.raises(UnscannableText) as nul:
        scan("abc\x00def")
    assert nul.value.reason == "binary"
    with pytest.raises(UnscannableText) as big:
        scan("a" * 101, max_chars=100)
    assert big.value.reason == "too_large"
    assert isinstance(big.value, InvalidInput)
    assert scan("") == []


@pytest.mark.parametrize("text", [
    "İİİ CPR 211062-5629 ẞ",                       # lower() changes the length of İ
    "😀🇩🇰 mit cpr er 211062-5629 ✓",
    "\u202eCPR 211062-5629\u202c",                  # right-to-left override
    "CPR \ud800 211062-5629",                       # lone surrogate
    "CPR ٢١١٠٦٢-٥٦٢٩ 211062-5629",                  # Arabic-Indic digits are not read as ids
])
def test_any_unicode(text: str) -> None:
    found = scan(text)
    assert [(f.type, f.excerpt(text)) for f in found if f.type == "DK_CPR"] == [
        ("DK_CPR", "211062-5629")]


def test_long_text_without_matches_is_linear() -> None:
    # Pathological inputs for the email and number patterns stay fast and find nothing.
    assert scan("a" * 200_000 + "@") == []
    assert scan("1-" * 50_000) == []


def test_scan_batch_counts_skipped_values() -> None:
    values = ["CPR 211062-5629", None, b"\xff\xfe\x00\x01", "x" * 50, 2110625629, 3.5,
              "mail jens@example.com"]
    result = scan_batch(values, max_chars=40)
    assert result.scanned == 3
    assert dict(result.skipped) == {"binary": 1, "too_large": 1, "not_text": 1}
    assert sorted(result.findings) == [0, 4, 6]
    assert result.findings[4][0].type == "DK_CPR"


def test_every_type_has_a_detector() -> None:
    from steward.scanner.detectors import installed, known_types

    assert known_types() == ALL_TYPES
    assert [name for name, _ in installed()] == [
        "cards", "emails", "health", "ibans", "national_ids", "phones"]


def test_resolve_overlaps_keeps_the_best_and_text_order() -> None:
    from steward.scanner import Finding
    from steward.scanner.engine import resolve_overlaps

    a = Finding("PHONE", 10, 20, 0.6, "a")
    b = Finding("DK_CPR", 12, 23, 0.9, "b")       # beats a
    c = Finding("EMAIL", 30, 40, 0.95, "c")
    d = Finding("HEALTH", 0, 5, 0.7, "d")
    e = Finding("HEALTH", 22, 31, 0.5, "e")       # touches b and c: loses to both
    f = Finding("PHONE", 40, 45, 0.6, "f")        # adjacent to c, not overlapping
    assert resolve_overlaps([a, b, c, d, e, f]) == [d, b, c, f]
