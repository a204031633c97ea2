"""The Art. 30 record: every item for every activity, in CSV, XLSX and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from policy.policy_helpers import PROMARK
from steward.errors import InvalidInput
from steward.policy.loader import load_policy
from steward.policy.ropa import (
    CONTROLLER_FIELDS,
    PROCESSOR_FIELDS,
    export_rows,
    ropa_processor_rows,
    ropa_rows,
)


@pytest.fixture(scope="module")
def promark():  # type: ignore[no-untyped-def]
    return load_policy(PROMARK)


def test_every_field_for_every_activity(promark) -> None:  # type: ignore[no-untyped-def]
    rows = ropa_rows(promark)
    assert len(rows) == len(promark.processing_activities) == 8
    keys = [k for k, _ in CONTROLLER_FIELDS]
    for row in rows:
        assert list(row) == keys
        assert all(row[k].strip() for k in keys), row
    by = {r["activity"].rsplit("(", 1)[1].rstrip(")"): r for r in rows}
    assert "Art. 9(2)(b)" in by["customer_support"]["art9_condition"]
    assert by["customer_administration"]["art9_condition"] == "none"
    assert "US" in by["newsletter_marketing"]["third_countries"]
    assert "standard contractual clauses (Art. 46(2)(c))" in by["newsletter_marketing"]["transfers"]
    assert "no later than 3 months after the process was completed" in \
        by["recruitment"]["erasure_time_limits"]
    assert "10 years plus the current year" in by["customer_administration"]["erasure_time_limits"]
    assert "redacted immediately when the case was closed" in \
        by["customer_support"]["erasure_time_limits"]
    assert by["recruitment"]["legal_basis"] == "GDPR Art. 6(1)(b)"
    assert "CVR 31 07 52 62" in by["recruitment"]["controller"]


def test_csv_xlsx_json_hold_the_same_rows(promark) -> None:  # type: ignore[no-untyped-def]
    rows = ropa_rows(promark)
    headings = [h for _, h in CONTROLLER_FIELDS]
    parsed = list(csv.reader(io.StringIO(export_rows(rows, CONTROLLER_FIELDS, "csv")
                                         .decode("utf-8-sig"))))
    assert parsed[0] == headings
    assert parsed[1:] == [[r[k] for k, _ in CONTROLLER_FIELDS] for r in rows]

    wb = load_workbook(io.BytesIO(export_rows(rows, CONTROLLER_FIELDS, "xlsx")))
    values = [list(r) for r in wb.active.iter_rows(values_only=True)]
    assert values[0] == headings
    assert values[1:] == [[r[k] for k, _ in CONTROLLER_FIELDS] for r in rows]

    assert json.loads(export_rows(rows, CONTROLLER_FIELDS, "json")) == rows


def test_processor_record(promark) -> None:  # type: ignore[no-untyped-def]
    rows = ropa_processor_rows(promark)
    assert len(rows) == 1
    (row,) = rows
    assert list(row) == [k for k, _ in PROCESSOR_FIELDS]
    assert all(v.strip() for v in row.values())
    assert "Workforce Management" in row["controller"]
    assert "NordHost" in row["sub_processors"]


def test_unknown_format(promark) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput):
        export_rows(ropa_rows(promark), CONTROLLER_FIELDS, "pdf")
