"""Identities from the policy on intake (Art. 12(6)) and in the search (Art. 15): values
normalised by kind, bad values refused without echoing them, only verified values searched,
and what the search finds recorded as the subject's own."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest
from tests.helpers import ROOT

from steward.errors import InvalidInput
from steward.policy.models import IdentityKind, IdentityType
from steward.requests import execute, workflow
from steward.requests.identities import normalise, normalise_as, request_identities
from steward.requests.intake import submit
from steward.requests.tables import DsrIdentity, DsrRequest
from steward.store.db import transaction

STEWARD = str(ROOT / ".venv" / "bin" / "steward")
CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def valid_cpr(born: date, serial: int) -> str:
    """A CPR number for `born` that passes the modulus-11 check (generated, fictional)."""
    head = born.strftime("%d%m%y")
    for n in range(serial, serial + 1000):
        digits = head + f"{n % 1000:03d}"
        for last in range(10):
            cand = digits + str(last)
            if sum(int(c) * w for c, w in zip(cand, CPR_WEIGHTS, strict=True)) % 11 == 0:
                return cand
    raise AssertionError("no CPR number found")


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        ("email", "  Kim.Jensen@EXAMPLE.com ", "kim.jensen@example.com"),
        # the controller is Danish: a number without +country code is read as Danish
        ("phone", "20 12 34 56", "+4520123456"),
        ("phone", "+44 7400 123456", "+447400123456"),
        ("phone", "+46 70-123 45 67", "+46701234567"),
        ("customer_number", " PM-100001 ", "PM-100001"),
    ],
)
def test_values_are_normalised_by_kind(policy, kind, given, expected):  # type: ignore[no-untyped-def]
    assert normalise(policy, kind, given) == expected


def test_national_ids_are_validated_for_their_country(policy):  # type: ignore[no-untyped-def]
    cpr = valid_cpr(date(1985, 7, 14), 412)
    assert normalise(policy, "national_id", f"{cpr[:6]}-{cpr[6:]}") == cpr
    with pytest.raises(InvalidInput, match="not a valid DK national identity number") as err:
        normalise(policy, "national_id", "320185-4121")  # no 32nd day
    assert "320185" not in err.value.detail  # the value is never echoed
    se = IdentityType(
        key="pnr", label="Personnummer", kind=IdentityKind.national_id, country="SE"
    )
    # YYMMDD-NNNC with a Luhn check digit; the separator stays (`+` marks age 100 and over)
    assert normalise_as(se, " 811218 - 9876 ", "DK") == "811218-9876"
    with pytest.raises(InvalidInput, match="SE national identity"):
        normalise_as(se, "811218-9875", "DK")


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("phone", "12", "identity.phone: not a valid phone number"),
        ("email", "not-an-address", "identity.email: a valid e-mail address is needed"),
        ("customer_number", "pm 1; drop", "identity.customer_number: not in the form"),
        ("shoe_size", "44", "identity.shoe_size: unknown identity type; the policy accepts "
         "email, phone, customer_number, national_id"),
        ("phone", "", "identity.phone: give a value"),
    ],
)
def test_bad_values_get_a_clear_error(policy, kind, value, message):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as err:
        normalise(policy, kind, value)
    assert err.value.detail.startswith(message)


def test_given_identities_are_stored_encrypted_and_unverified_until_proven(  # type: ignore[no-untyped-def]
    dsm, settings, policy
):
    sealer = workflow.sealer_for(settings)
    with transaction(dsm) as s:
        sub = submit(
            s, policy, sealer, type="access", name="Kim Jensen", email="Kim@Example.COM",
            identities=[("phone", "+45 20 12 34 56"), ("customer_number", "PM-100001")],
        )
        rid = sub.request.id
        rows = s.query(DsrIdentity).filter_by(request_id=rid).all()
        assert sorted(r.kind for r in rows) == ["customer_number", "email", "phone"]
        assert all("2012" not in r.value_enc and "@" not in r.value_enc for r in rows)
        assert not any(r.verified for r in rows)
        assert request_identities(s, rid, sealer=sealer) == {}
        assert request_identities(s, rid, sealer=sealer, verified_only=False) == {
            "customer_number": ["PM-100001"], "email": ["kim@example.com"],
            "phone": ["+4520123456"],
        }
        # the e-mail code proves the address only
        code = sub.code
    assert code is not None
    result, _ = workflow.verify_code(dsm, settings, policy, sub.request.public_id, code)
    assert result.value == "ok"
    with transaction(dsm) as s:
        assert request_identities(s, rid, sealer=sealer) == {"email": ["kim@example.com"]}


def test_an_identity_marked_alone_starts_a_request_without_an_email(  # type: ignore[no-untyped-def]
    dsm, settings, policy
):
    sealer = workflow.sealer_for(settings)
    with transaction(dsm) as s, pytest.raises(InvalidInput, match="email: a valid e-mail"):
        submit(s, policy, sealer, type="access", name="No Mail", channel="officer",
               evidence="ID checked in person", identities={"phone": ["+4520123456"]})
    types = [t.model_copy(update={"alone": t.key == "phone" or t.alone})
             for t in policy.identities]
    phone_alone = policy.model_copy(update={"identities": types})
    with transaction(dsm) as s:
        # the public cannot: the code goes to an e-mail address
        with pytest.raises(InvalidInput, match="email"):
            submit(s, phone_alone, sealer, type="access", name="No Mail",
                   identities={"phone": ["+4520123456"]})
        sub = submit(s, phone_alone, sealer, type="access", name="No Mail", channel="officer",
                     evidence="ID checked in person", identities={"phone": ["20 12 34 56"]})
        assert sub.request.email == "" and sub.request.state == "verified"
        assert request_identities(s, sub.request.id, sealer=sealer) == {"phone": ["+4520123456"]}


def test_a_phone_starts_the_search_and_the_found_identities_are_the_subjects_own(  # type: ignore[no-untyped-def]
    sqlite_company, dsm, settings, policy
):
    who = sqlite_company.who
    phone = who["phone"]
    typed = f"{phone[:3]} {phone[3:7]} {phone[7:]}"  # as a person writes it
    out = workflow.submit_request(
        dsm, settings, policy, type="access", name="Test Person", email="other@example.org",
        identities={"phone": [typed]}, country="DK", channel="officer",
        evidence="passport checked at the front desk", actor="officer",
    )
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer")
    assert execute.execute_request(dsm, settings, policy, out.id) == "completed"
    sealer = workflow.sealer_for(settings)
    with transaction(dsm) as s:
        found = request_identities(s, out.id, sealer=sealer, source="discovered")
        given = request_identities(s, out.id, sealer=sealer, source="given")
        result = json.loads(s.get_one(DsrRequest, out.id).result_json)
    assert given == {"email": ["other@example.org"], "phone": [phone]}
    # found through the phone: the customer's own e-mail and customer number
    assert who["email"] in found["email"] and found["customer_number"] == [who["customer_number"]]
    assert sum(result["rows_found"].values()) > 0


def test_cli_submit_takes_repeated_identities(tmp_path, sqlite_engine):  # type: ignore[no-untyped-def]
    env = {"STEWARD_DATABASE_URL": sqlite_engine.url.render_as_string(hide_password=False),
           "STEWARD_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin",
           "STEWARD_POLICY": str(ROOT / "examples" / "promark")}
    base = [STEWARD, "dsr", "submit", "--type", "access",
            "--name", "Kim Jensen", "--evidence", "ID checked in person", "--json"]
    ok = subprocess.run(
        [*base, "--email", "kim@example.com", "--identity", "phone=20 12 34 56",
         "--identity", "customer_number=PM-100001"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert ok.returncode == 0, ok.stderr
    rid = json.loads(ok.stdout)["id"]
    bad = subprocess.run([*base, "--email", "kim@example.com", "--identity", "phone=12"],
                         capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip() == (
        "error: identity.phone: not a valid phone number (write it with its country code, "
        "e.g. +45, or as a DK number)"
    )
    shown = subprocess.run(
        [STEWARD, "dsr", "show", str(rid), "--json"],
        capture_output=True, text=True, env=env, check=True,
    )
    assert json.loads(shown.stdout)["state"] == "awaiting_approval"
