"""Art. 33(1): a breach promise stricter than 72 hours is kept as written (clock, reminders,
late notifications, the notice), and the Art. 33 notice labels categories for what they are
and speaks the authority's language."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.breaches.factories import NOW, breach_input, promark
from tests.helpers import PROMARK

from steward.breaches.inputs import NotificationInput
from steward.breaches.notices import authority_notice
from steward.breaches.notifications import record_notification
from steward.breaches.register import clock, get_breach, register_breach
from steward.breaches.reminders import send_due_reminders
from steward.config import Settings
from steward.errors import InvalidInput
from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.store.db import transaction

AWARE = NOW - timedelta(hours=1)  # 2026-11-26 11:00 UTC

BREACHES_48 = """\
breaches:
  notify_within_hours: 48
  promise:
    en: We report every breach to the authorities within 48 hours.
    da: Vi anmelder ethvert brud til myndighederne inden for 48 timer.
"""


@pytest.fixture(scope="module")
def policy_48(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    folder = tmp_path_factory.mktemp("policy") / "promark"
    shutil.copytree(PROMARK, folder)
    (folder / "breaches.yaml").write_text(BREACHES_48, encoding="utf-8")
    return load_policy(folder)


def test_art_33_1_promise_of_48_hours_sets_the_deadline(
    sm: sessionmaker[Session], policy_48: Policy,
) -> None:
    with transaction(sm) as s:
        row = register_breach(s, policy_48, breach_input(aware_at=AWARE), actor="o", now=NOW)
        c = clock(s, policy_48, row, NOW)
        notice = authority_notice(policy_48, row, "DK", now=NOW).to_text()
    # Hand-computed: 11:00 UTC + 48 h = 28 Nov 11:00 UTC = 12:00 in Copenhagen (CET, UTC+1).
    assert c.deadline == datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    assert c.deadline_local.strftime("%Y-%m-%d %H:%M %Z") == "2026-11-28 12:00 CET"
    assert c.hours == 48 and c.hours_left == 47
    assert ("Frist på 48 timer (art. 33(1); vores offentliggjorte løfte; art. 33(1) tillader "
            "højst 72 timer): 2026-11-28 12:00 CET (UTC+0100)") in notice
    # The same breach under the 72-hour policy: 72 hours.
    with transaction(sm) as s:
        assert clock(s, promark(), get_breach(s, row.id), NOW).deadline == \
            datetime(2026, 11, 29, 11, 0, tzinfo=UTC)


def test_art_33_1_reminders_scale_to_the_promise(
    sm: sessionmaker[Session], smtp_server: tuple[str, int, list[object]], tmp_path: Path,
    policy_48: Policy,
) -> None:
    host, port, received = smtp_server
    settings = Settings(smtp_host=host, smtp_port=port, smtp_starttls=False, data_dir=tmp_path,
                        officer_email="dpo@promark.example", secret_key="test")
    assert policy_48.breaches.reminder_points == (16, 32, 44)  # 24/48/66 of 72, scaled to 48
    with transaction(sm) as s:
        bid = register_breach(s, policy_48, breach_input(aware_at=AWARE), actor="o", now=NOW).id
    for hours, expected in [(15, 0), (16, 1), (31, 1), (32, 2), (44, 3), (47, 3)]:
        with transaction(sm) as s:
            send_due_reminders(s, settings, policy_48, AWARE + timedelta(hours=hours))
        assert len(received) == expected, hours
    subjects = [str(m["Subject"]) for m in received]  # type: ignore[index]
    assert subjects == [f"Breach {bid}: 32.0 hours left", f"Breach {bid}: 16.0 hours left",
                        f"Breach {bid}: 4.0 hours left"]
    body = received[0].get_body().get_content()  # type: ignore[attr-defined]
    assert "2026-11-28 12:00 CET" in body and "within 48 hours" in body


def test_art_33_1_notification_after_the_promise_needs_reasons(
    sm: sessionmaker[Session], policy_48: Policy,
) -> None:
    with transaction(sm) as s:
        bid = register_breach(s, policy_48, breach_input(aware_at=AWARE), actor="o", now=NOW).id
    late = AWARE + timedelta(hours=50)  # inside 72 hours, but after the promised 48
    with pytest.raises(InvalidInput, match="later than 48 hours"), transaction(sm) as s:
        record_notification(s, policy_48, bid, NotificationInput(sent_at=late), actor="o",
                            now=late)
    with transaction(sm) as s:
        n = record_notification(s, policy_48, bid, NotificationInput(
            sent_at=late, late_reason="The share was found on a Sunday."), actor="o", now=late)
        assert "The share was found on a Sunday." in n.content


def test_art_33_3_a_labels_health_and_national_ids_apart(sm: sessionmaker[Session]) -> None:
    keys = ["user.contact.email", "user.government_id.national_identification_number",
            "user.health_and_medical"]
    with transaction(sm) as s:
        row = register_breach(s, promark(), breach_input(data_categories=keys), actor="o",
                              now=NOW)
        text = authority_notice(promark(), row, "GB", now=NOW).to_text()
    lines = {ln.strip() for ln in text.splitlines()}
    # Expected from the policy's flags (data.yaml): health is Art. 9(1), the CPR number Art. 87.
    assert "- E-mail" in lines
    assert ("- Social security numbers (CPR/national identity numbers) — national "
            "identification number (Art. 87)") in lines
    assert "- Health information — special category of personal data (Art. 9(1))" in lines
    assert "national identification number" not in text.split("Health information")[1]


# Hand-written from the Danish, Norwegian and Swedish versions of GDPR Art. 33(3).
EXPECTED_HEADINGS = {
    "DK": ("Anmeldelse af brud på persondatasikkerheden — Datatilsynet", [
        "Bruddets karakter (art. 33(3)(a))",
        "Databeskyttelsesrådgiver eller andet kontaktpunkt (art. 33(3)(b))",
        "Sandsynlige konsekvenser (art. 33(3)(c))",
        "Trufne eller foreslåede foranstaltninger (art. 33(3)(d))"]),
    "NO": ("Melding om brudd på personopplysningssikkerheten — Datatilsynet", [
        "Bruddets art (art. 33(3)(a))",
        "Personvernombud eller annet kontaktpunkt (art. 33(3)(b))",
        "Sannsynlige konsekvenser (art. 33(3)(c))",
        "Tiltak som er truffet eller foreslått (art. 33(3)(d))"]),
    "SE": ("Anmälan av personuppgiftsincident — Integritetsskyddsmyndigheten (IMY)", [
        "Personuppgiftsincidentens art (art. 33(3)(a))",
        "Dataskyddsombud eller annan kontaktpunkt (art. 33(3)(b))",
        "Sannolika konsekvenser (art. 33(3)(c))",
        "Vidtagna eller föreslagna åtgärder (art. 33(3)(d))"]),
    "GB": ("Personal data breach notification — Information Commissioner's Office (ICO)", [
        "Nature of the breach (Art. 33(3)(a))",
        "Data protection officer or other contact point (Art. 33(3)(b))",
        "Likely consequences (Art. 33(3)(c))",
        "Measures taken or proposed (Art. 33(3)(d))"]),
}


@pytest.mark.parametrize("country", sorted(EXPECTED_HEADINGS))
def test_art_33_notice_in_the_authoritys_language(
    sm: sessionmaker[Session], country: str,
) -> None:
    with transaction(sm) as s:
        row = register_breach(s, promark(), breach_input(subjects_approx=12500), actor="o",
                              now=NOW)
        md = authority_notice(promark(), row, country, now=NOW).to_markdown()
    title, sections = EXPECTED_HEADINGS[country]
    lines = md.splitlines()
    assert lines[0] == f"# {title}"
    assert [ln[3:] for ln in lines if ln.startswith("## ")] == sections
    expected_count = {"DK": "ca. 12.500", "NO": "ca. 12\u00a0500", "SE": "cirka 12\u00a0500",
                      "GB": "about 12,500"}[country]
    assert expected_count in md
