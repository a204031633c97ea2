"""The Art. 30 record in the reader's language: the time limits for erasure (Art. 30(1)(f)) and
the transfer safeguards (Art. 30(1)(e)) are written in Danish and Swedish, each unit in its
plural form for its number. The expected wording is written here by hand."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from policy.policy_helpers import PROMARK
from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.policy.ropa import CONTROLLER_FIELDS, export_rows, period_words, ropa_rows

# activity -> (language -> a phrase its time limits must hold)
LIMITS = {
    "recruitment": {
        "da": "recruiting.applications: slettes senest 3 måneder efter at processen blev afsluttet",
        "sv": "recruiting.applications: raderas senast 3 månader efter att processen slutfördes",
        "nb": "recruiting.applications: slettes senest 3 måneder etter at prosessen ble fullført",
    },
    "customer_support": {
        "da": "support.messages (body): sløres straks efter at sagen blev lukket",
        "sv": "support.messages (body): maskeras omedelbart efter att ärendet avslutades",
        "nb": "support.messages (body): sladdes straks etter at saken ble avsluttet",
    },
    "customer_administration": {
        "da": "crm.customers: slettes senest 10 år plus det indeværende år efter at forholdet "
        "ophørte",
        "sv": "crm.customers: raderas senast 10 år plus innevarande år efter att relationen "
        "upphörde",
        "nb": "crm.customers: slettes senest 10 år pluss inneværende år etter at forholdet "
        "opphørte",
    },
}
# English words that must not be left in a translated record's time limits
ENGLISH = [
    "no later than",
    "after the",
    "deleted",
    "redacted",
    "months",
    "immediately",
    "plus the current year",
    "company's choice",
]


@pytest.fixture(scope="module")
def promark() -> Policy:
    return load_policy(PROMARK)


def _by_activity(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["activity"].rsplit("(", 1)[1].rstrip(")"): r for r in rows}


@pytest.mark.parametrize("lang", ["da", "sv", "nb"])
def test_time_limits_in_the_record_language(promark: Policy, lang: str) -> None:
    by = _by_activity(ropa_rows(promark, lang))
    for activity, phrases in LIMITS.items():
        limits = by[activity]["erasure_time_limits"]
        assert phrases[lang] in limits, (activity, limits)
        for word in ENGLISH:
            assert word not in limits, (activity, word, limits)


def test_the_bookkeeping_rule_says_whose_choice_in_danish(promark: Policy) -> None:
    text = period_words(promark.retention_rule("invoices_bookkeeping"), "da")
    assert text == (
        "crm.invoices: slettes senest 10 år plus det indeværende år efter datoen i "
        "invoices.issued_at (virksomhedens eget valg; inden for perioden kræver "
        "lagringslandets bogføringslov, at det opbevares, art. 17, stk. 3, litra b)"
    )


@pytest.mark.parametrize(
    ("years", "months", "days", "lang", "amount"),
    [
        (1, 0, 0, "da", "senest 1 år efter"),
        (0, 1, 0, "da", "senest 1 måned efter"),
        (0, 2, 1, "da", "senest 2 måneder 1 dag efter"),
        (0, 0, 14, "da", "senest 14 dage efter"),
        (0, 1, 1, "sv", "senast 1 månad 1 dag efter"),
        (0, 6, 30, "sv", "senast 6 månader 30 dagar efter"),
        (0, 0, 2, "nb", "senest 2 dager etter"),
        (1, 1, 1, "en", "no later than 1 year 1 month 1 day after"),
        (2, 3, 0, "en", "no later than 2 years 3 months after"),
    ],
)
def test_each_unit_takes_its_plural_form(
    promark: Policy, years: int, months: int, days: int, lang: str, amount: str
) -> None:
    rule = promark.retention_rule("job_applications")
    period = rule.period.model_copy(update={"years": years, "months": months, "days": days})
    assert amount in period_words(rule.model_copy(update={"period": period}), lang)


def test_transfers_and_limits_in_the_danish_exports(promark: Policy) -> None:
    rows = ropa_rows(promark, "da")
    xlsx = load_workbook(io.BytesIO(export_rows(rows, CONTROLLER_FIELDS, "xlsx", "da")))
    cells = " ".join(str(v) for r in xlsx.active.iter_rows(values_only=True) for v in r if v)
    assert "standardkontraktbestemmelser (GDPR art. 46(2)(c))" in cells
    assert "standard contractual clauses" not in cells
    assert LIMITS["recruitment"]["da"] in cells
    text = export_rows(rows, CONTROLLER_FIELDS, "csv", "da").decode("utf-8-sig")
    flat = " ".join(" ".join(r) for r in csv.reader(io.StringIO(text)))
    assert "standardkontraktbestemmelser (GDPR art. 46(2)(c))" in flat
    assert "no later than" not in flat


def test_english_record_reads_as_before(promark: Policy) -> None:
    by = _by_activity(ropa_rows(promark, "en"))
    assert (
        "recruiting.applications: deleted no later than 3 months after the process was "
        "completed" in by["recruitment"]["erasure_time_limits"]
    )
    assert (
        "standard contractual clauses (GDPR Art. 46(2)(c))"
        in by["newsletter_marketing"]["transfers"]
    )
