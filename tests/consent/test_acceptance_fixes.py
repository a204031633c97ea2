"""Regressions found in the acceptance run of issue 4 (a new user on a fresh data dir)."""

from __future__ import annotations

import uuid
from email import message_from_bytes
from email import policy as email_policy

from markupsafe import escape
from tests.consent.conftest import SECRET
from tests.consent.test_cli import run
from tests.helpers import csrf_from, login, make_client, settings_for

from steward.consent import ledger, mails, preferences, tokens
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref, subject_ref
from steward.store.db import make_sessionmaker, transaction


def test_bare_consent_id_from_the_cookie_is_a_subject():
    """The banner's cookie keeps the consent id without `cid:`; lookups accept it as is."""
    cid = str(uuid.uuid4())
    assert subject_ref(SECRET, cid) == "cid:" + cid
    assert subject_ref(SECRET, cid.upper()) == "cid:" + cid
    assert subject_ref(SECRET, "cid:" + cid) == "cid:" + cid


def test_list_unsubscribe_is_one_plain_header_line(sqlite_engine, tmp_path, policy):
    """A long List-Unsubscribe URL was folded into RFC 2047 encoded-words, which mail clients
    cannot use as a URL (RFC 2369 §2): it must be written as `<https://…>` on one line."""
    settings = settings_for(sqlite_engine, tmp_path)
    ref = email_ref(SECRET, "ines.berg@example.com")
    mails.send_marketing(settings, to="ines.berg@example.com", subject_ref=ref,
                         purpose="newsletter", subject="News", text="Hello", policy=policy,
                         lang="en")
    raw = next(settings.outbox_dir.glob("*.eml")).read_bytes()
    line = next(x for x in raw.split(b"\n") if x.startswith(b"List-Unsubscribe:"))
    assert line.startswith(b"List-Unsubscribe: <http") and line.rstrip().endswith(b">"), line
    assert b"=?" not in line
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    url = message_from_bytes(raw, policy=email_policy.default)["List-Unsubscribe"]
    token = str(url).strip("<>").split("token=", 1)[1]
    assert tokens.read(SECRET, "unsubscribe", token)["p"] == "newsletter"


def test_filter_with_unknown_purpose_prints_no_rows(sqlite_engine, tmp_path):
    """The CSV header used to be printed to stdout before the unknown-purpose error."""
    csv = tmp_path / "list.csv"
    csv.write_text("email\nkim@example.com\n")
    r = run(sqlite_engine, tmp_path, "filter", str(csv), "--purpose", "newslettr")
    assert r.returncode != 0 and r.stdout == ""
    assert "known purposes: newsletter" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_proof_page_shows_notice_text_readably(engine, tmp_path, policy):
    """The notice snapshot was shown as HTML-safe JSON (`ProMark\\u0027s`)."""
    client = make_client(engine, tmp_path)
    login(client, engine, "officer")
    with transaction(make_sessionmaker(engine)) as s:
        from steward.consent.snapshots import purpose_notice
        ledger.record(s, policy, subject_ref=email_ref(client.app.state.settings
                                                       .resolved_secret_key(), "ole@example.com"),
                      purpose=resolve(policy, "newsletter"), action="given", method="test",
                      notice=purpose_notice(policy, "newsletter", "en"), recorded_by="test")
        wording = purpose_notice(policy, "newsletter", "en").content["wording"]
    ref = email_ref(client.app.state.settings.resolved_secret_key(), "ole@example.com")
    page = client.get(f"/console/consent/proof?ref={ref}")
    assert page.status_code == 200
    assert "\\u0027" not in page.text
    assert escape(str(wording)) in page.text


def test_preference_history_speaks_plainly(engine, tmp_path, policy):
    """The history showed ledger codes (`double_opt_in`, `rfc8058_one_click`) to the person."""
    client = make_client(engine, tmp_path)
    secret = client.app.state.settings.resolved_secret_key()
    ref = email_ref(secret, "ole@example.com")
    with transaction(make_sessionmaker(engine)) as s:
        for action, method in (("given", "double_opt_in"), ("withdrawn", "rfc8058_one_click")):
            ledger.record(s, policy, subject_ref=ref, purpose=resolve(policy, "newsletter"),
                          action=action, method=method, recorded_by="subject")
    token = tokens.make(secret, "preferences", {"s": ref, "l": "en"})
    page = client.get("/privacy/preferences", params={"token": token})
    assert page.status_code == 200 and csrf_from(page.text)
    assert escape(preferences.METHOD_LABELS["double_opt_in"]) in page.text
    assert escape(preferences.METHOD_LABELS["rfc8058_one_click"]) in page.text
    assert "rfc8058_one_click" not in page.text
    assert preferences.method_label("paper_form") == "paper form"
