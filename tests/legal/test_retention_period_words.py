"""The storage-limitation warning (GDPR Art. 5(1)(e)) as the console shows it, in the language
in force: Danish and Swedish sentences written out by hand from the catalogs' wording, with the
amounts in the right plural (1 dag, 1827 dage). The English message stays the finding's
`message` (policy validation, plans and logs)."""

from __future__ import annotations

import pytest

from steward import i18n
from steward.legal.retention_periods import RetentionPeriod, check_rule_period

DA_TAIL = (
    "Opbevar ikke personoplysninger længere end nødvendigt (GDPR art. 5, stk. 1, litra e, "
    "opbevaringsbegrænsning), eller dokumentér det formål, der kræver det."
)

CASES = [
    pytest.param(
        dict(period=RetentionPeriod(10, "years_plus_current_year")),
        "Opbevaring i 10 år plus det indeværende år går op til 1827 dage ud over lovens minimum "
        "(en post dateret 2026-01-01 opbevares til 2036-12-31, men skal kun bruges til "
        "2031-12-31). " + DA_TAIL,
        id="statute",
    ),
    pytest.param(
        dict(
            period=RetentionPeriod(10, "years_plus_current_year"),
            needed=RetentionPeriod(6, "years_plus_current_year"),
        ),
        "Opbevaring i 10 år plus det indeværende år går op til 1461 dage ud over loven og det "
        "dokumenterede behov (en post dateret 2024-01-01 opbevares til 2034-12-31, men skal kun "
        "bruges til 2030-12-31). " + DA_TAIL,
        id="statute-and-need",
    ),
    pytest.param(
        dict(period=RetentionPeriod(2, "days"), kind=None, needed=RetentionPeriod(1, "days")),
        "Opbevaring i 2 dage går op til 1 dag ud over det dokumenterede behov (en post dateret "
        "2024-01-01 opbevares til 2024-01-03, men skal kun bruges til 2024-01-02). " + DA_TAIL,
        id="need-one-day",
    ),
]


@pytest.mark.parametrize(("args", "danish"), CASES)
def test_the_storage_warning_reads_in_danish(args: dict[str, object], danish: str) -> None:
    rest = {k: v for k, v in args.items() if k != "period"}
    [finding] = check_rule_period(args["period"], country="DK", **rest)  # type: ignore[arg-type]
    with i18n.language("da"):
        assert finding.words() == danish
    # The finding's own message stays English, whatever the language in force.
    with i18n.language("da"):
        assert finding.message.startswith("Keeping data for ")
    with i18n.language("en"):
        assert finding.words() == finding.message


def test_the_storage_warning_reads_in_swedish() -> None:
    [finding] = check_rule_period(
        RetentionPeriod(400, "days"), country="DK", kind=None, needed=RetentionPeriod(1, "years")
    )
    with i18n.language("sv"):
        assert finding.words() == (
            "Att spara i 400 dagar går upp till 35 dagar utöver det dokumenterade behovet (en "
            "post daterad 2024-02-29 sparas till 2025-04-04 men behövs bara till 2025-02-28). "
            "Spara inte personuppgifter längre än nödvändigt (GDPR art. 5.1 e, "
            "lagringsminimering), eller dokumentera det ändamål som kräver det."
        )


@pytest.mark.parametrize(
    ("period", "en", "da", "sv"),
    [
        (RetentionPeriod(1, "months"), "1 month", "1 måned", "1 månad"),
        (RetentionPeriod(70, "months"), "70 months", "70 måneder", "70 månader"),
        (RetentionPeriod(1, "years"), "1 year", "1 år", "1 år"),
        (RetentionPeriod(3, "days"), "3 days", "3 dage", "3 dagar"),
        (
            RetentionPeriod(5, "years_plus_current_year"),
            "5 years plus the current year",
            "5 år plus det indeværende år",
            "5 år plus innevarande år",
        ),
    ],
)
def test_periods_in_words(period: RetentionPeriod, en: str, da: str, sv: str) -> None:
    for lang, expected in (("en", en), ("da", da), ("sv", sv)):
        with i18n.language(lang):
            assert period.describe_words() == expected


def test_a_finding_without_words_of_its_own_reads_as_its_message() -> None:
    # The shortfall error has no translation of its own: the console shows the English text.
    [finding] = check_rule_period(RetentionPeriod(3, "years"), country="DK")
    assert finding.code == "shorter_than_statutory_minimum"
    with i18n.language("da"):
        assert finding.words() == finding.message
