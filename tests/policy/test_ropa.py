"""The Art. 30 record: every item for every activity, in CSV, XLSX and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from policy.policy_helpers import BASE, PROMARK, edit, line_of
from steward.errors import InvalidInput
from steward.policy.loader import load_policy, load_policy_text_report
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
    assert "standard contractual clauses (GDPR Art. 46(2)(c))" in \
        by["newsletter_marketing"]["transfers"]
    assert "no later than 3 months after the process was completed" in \
        by["recruitment"]["erasure_time_limits"]
    assert "10 years plus the current year" in by["customer_administration"]["erasure_time_limits"]
    assert "redacted immediately after the case was closed" in \
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


# Hand-written from examples/promark/processors.yaml: (controller, contact, DPO/representative).
PROMARK_CONTROLLERS = [
    ("Nordlys Logistik A/S (DK)",
     "Data protection contact, privacy@nordlys-logistik.example, +45 7010 2030", "not designated"),
    ("Fjordvik Helse AS (NO)", "Personvernombud, personvern@fjordvik-helse.example",
     "DPO: Personvernombud, personvern@fjordvik-helse.example"),
    ("Skärgårds Bemanning AB (SE)",
     "Dataskydd, dataskydd@skargard-bemanning.example, +46 8 555 010 20", "not designated"),
]


def test_art_30_2_a_names_each_controller(promark) -> None:  # type: ignore[no-untyped-def]
    rows = ropa_processor_rows(promark)
    assert [(r["controller"], r["controller_contact"], r["controller_dpo"]) for r in rows] == \
        PROMARK_CONTROLLERS
    for row in rows:
        assert list(row) == [k for k, _ in PROCESSOR_FIELDS]
        assert all(v.strip() for v in row.values())
        assert row["role"] == "workforce_management" and "NordHost" in row["sub_processors"]
    # Art. 30(2)(b): per controller; the role's categories unless the controller has its own.
    assert "Support and problem solving" in rows[0]["categories_of_processing"]
    assert rows[2]["categories_of_processing"] == \
        "Hosting and operation of the Workforce Management solution (scheduling, time registration)"


def test_art_30_2_exports_carry_each_controller(promark) -> None:  # type: ignore[no-untyped-def]
    rows = ropa_processor_rows(promark)
    names = [c[0] for c in PROMARK_CONTROLLERS]
    parsed = list(csv.reader(io.StringIO(export_rows(rows, PROCESSOR_FIELDS, "csv")
                                         .decode("utf-8-sig"))))
    col = parsed[0].index("(a) Controller on whose behalf we act")
    contact = parsed[0].index("(a) Controller's contact details")
    assert [r[col] for r in parsed[1:]] == names
    assert [r[contact] for r in parsed[1:]] == [c[1] for c in PROMARK_CONTROLLERS]
    sheet = load_workbook(io.BytesIO(export_rows(rows, PROCESSOR_FIELDS, "xlsx"))).active
    assert [r[col] for r in sheet.iter_rows(min_row=2, values_only=True)] == names
    data = json.loads(export_rows(rows, PROCESSOR_FIELDS, "json"))
    assert [r["controller"] for r in data] == names


def test_art_30_2_a_role_without_named_controllers_warns() -> None:
    text = BASE + """processor_roles:
  - key: hosting_for_clients
    controller: Our hosting clients
    categories_of_processing: [Hosting]
"""
    loaded = load_policy_text_report(text, "acme.yaml")
    (warning,) = loaded.warnings
    assert warning.startswith(f"acme.yaml:{line_of(text, 'controller: Our hosting clients')}:")
    assert "Art. 30(2)(a)" in warning
    (row,) = ropa_processor_rows(loaded.policy)
    assert (row["controller"], row["controller_contact"]) == ("Our hosting clients", "not recorded")
    fixed = edit(text, "    controller: Our hosting clients\n",
                 "    controllers:\n      - name: Client One ApS\n"
                 "        contact: {email: dpo@client-one.example}\n")
    loaded = load_policy_text_report(fixed, "acme.yaml")
    assert loaded.warnings == []
    (row,) = ropa_processor_rows(loaded.policy)
    assert (row["controller"], row["controller_contact"]) == \
        ("Client One ApS", "dpo@client-one.example")


def test_art_30_1_covers_suppliers_and_payroll(promark) -> None:  # type: ignore[no-untyped-def]
    by = {r["activity"].rsplit("(", 1)[1].rstrip(")"): r for r in ropa_rows(promark)}
    assert by["supplier_administration"]["data_subjects"] == "Suppliers"
    assert "processor: Ledgerly AS" in by["payroll"]["recipients"]
    assert "third party: Tax authorities" in by["payroll"]["recipients"]
    assert by["payroll"]["data_subjects"] == "Employees"
    assert by["payroll"]["legal_basis"] == "GDPR Art. 6(1)(b) and (c)"
    covered = {s for a in promark.processing_activities for s in a.subjects}
    assert covered == {s.key for s in promark.subject_categories}


def test_art_30_1_uncovered_subjects_and_processors_warn() -> None:
    text = edit(BASE, "subject_categories:\n", "subject_categories:\n  - key: supplier\n"
                "    name: Suppliers\n")
    host_notify = "    notify: {channel: mail, email: privacy-host@example.com}\n"
    text = edit(text, host_notify, host_notify +
                "  - key: payroll_co\n    name: Payroll Co\n    service: Payroll\n"
                "    country: DK\n"
                "    notify: {channel: mail, email: privacy@payroll.example.com}\n")
    warnings = load_policy_text_report(text, "acme.yaml").warnings
    assert len(warnings) == 2
    assert warnings[0].startswith(f"acme.yaml:{line_of(text, 'key: supplier')}:")
    assert "Art. 30(1)(c)" in warnings[0]
    assert warnings[1].startswith(f"acme.yaml:{line_of(text, 'key: payroll_co')}:")
    assert "Art. 30(1)(d)" in warnings[1]


def test_unknown_format(promark) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput):
        export_rows(ropa_rows(promark), CONTROLLER_FIELDS, "pdf")


def test_the_danish_record_has_its_own_words_in_danish(promark) -> None:  # type: ignore[no-untyped-def]
    # Steward's words around the policy's values in the record's language; the company's own
    # wording (here English, as examples/promark gives it) and names stay as written.
    by = {r["activity"].rsplit("(", 1)[1].rstrip(")"): r for r in ropa_rows(promark, "da")}
    assert by["payroll"]["recipients"] == (
        "intern: Finance and HR; databehandler: Ledgerly AS (ledgerly.example) (Payroll and "
        "accounting, NO); tredjemand: Tax authorities, as tax law requires"
    )
    assert by["customer_support"]["art9_condition"].startswith("art. 9, stk. 2, litra b; ")
    assert by["newsletter_marketing"]["third_countries"] == (
        "CloudSend Inc. (cloudsend.example), underdatabehandler for Mailwise Ltd "
        "(mailwise.example) (US)"
    )
    rows = ropa_processor_rows(promark, "da")
    assert [r["controller_dpo"] for r in rows] == [
        "ikke udpeget",
        "databeskyttelsesrådgiver: Personvernombud, personvern@fjordvik-helse.example",
        "ikke udpeget",
    ]
    text = " ".join(v for r in [*by.values(), *rows] for v in r.values())
    for english in ("processor:", "third party:", "sub-processor of", "not designated",
                    "internal:", "DPO:"):
        assert english not in text
