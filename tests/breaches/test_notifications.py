"""Notifications: never before awareness, late ones carry reasons (Art. 33(1)), phases kept
(Art. 33(4)); the authority notice in the order of Art. 33(3)(a)-(d); Art. 34 letters."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.breaches.factories import NOW, breach_input, promark

from steward.breaches.inputs import Kind, NotificationInput, Phase
from steward.breaches.notices import authority_notice, subject_letter
from steward.breaches.notifications import record_notification
from steward.breaches.register import get_breach, notifications, register_breach
from steward.errors import InvalidInput, NotFound
from steward.store.db import transaction

AWARE = NOW - timedelta(hours=100)  # registered late: the 72 hours have passed


def _bid(sm: sessionmaker[Session], **over: object) -> int:
    with transaction(sm) as s:
        return register_breach(s, promark(), breach_input(aware_at=AWARE, **over),
                               actor="officer", now=NOW).id


def _note(s: Session, bid: int, **over: object):  # type: ignore[no-untyped-def]
    return record_notification(s, promark(), bid, NotificationInput(**over),
                               actor="officer", now=NOW)


def test_bad_notifications_are_rejected(sm: sessionmaker[Session]) -> None:
    bid = _bid(sm)
    cases: list[tuple[dict[str, object], type[Exception], str]] = [
        ({"sent_at": AWARE - timedelta(minutes=1)}, InvalidInput, "before the breach was known"),
        ({"sent_at": NOW + timedelta(hours=1)}, InvalidInput, "in the future"),
        ({"sent_at": NOW - timedelta(hours=1)}, InvalidInput, "reasons for the delay"),
        ({"sent_at": NOW - timedelta(hours=1), "phase": "supplement"}, InvalidInput,
         "initial notification"),
        ({"sent_at": NOW - timedelta(hours=1), "authority": "XX", "late_reason": "r"}, NotFound,
         "no supervisory authority"),
    ]
    for data, error, message in cases:
        with pytest.raises(error, match=message) as caught, transaction(sm) as s:
            _note(s, bid, **data)
        assert type(caught.value) is error
    with transaction(sm) as s:
        assert notifications(s, bid) == []


def test_late_notice_with_reason_and_phases_are_kept(sm: sessionmaker[Session]) -> None:
    bid = _bid(sm, countries=["DK", "GB"])
    with transaction(sm) as s:
        first = _note(s, bid, sent_at=AWARE + timedelta(hours=80), reference="VIRK-1",
                      late_reason="The processor told us only after the weekend.")
        assert "Begrundelse for forsinkelsen (art. 33(1)): The processor told us" in first.content
        assert first.channel == "Breach notification form on Virk.dk"
        with pytest.raises(InvalidInput, match="already has the initial"):
            _note(s, bid, sent_at=AWARE + timedelta(hours=81), late_reason="x")
    with transaction(sm) as s:
        _note(s, bid, sent_at=AWARE + timedelta(hours=90), phase=Phase.supplement,
              content="Supplement: 40 more customers found.", reference="VIRK-1")
        _note(s, bid, authority="GB", sent_at=AWARE + timedelta(hours=85),
              late_reason="UK subjects were identified on day four.")
    with transaction(sm) as s:
        kept = notifications(s, bid)
        assert [(n.authority, n.phase) for n in kept] == [
            ("DK", "initial"), ("GB", "initial"), ("DK", "supplement")]
        assert kept[2].content == "Supplement: 40 more customers found."
        assert kept[1].content.startswith(
            "# Personal data breach notification — Information Commissioner's Office (ICO)")
    with pytest.raises(InvalidInput, match="cannot precede"), transaction(sm) as s:
        _note(s, bid, sent_at=AWARE + timedelta(hours=79), phase=Phase.supplement)


def test_on_time_notice_needs_no_reason(sm: sessionmaker[Session]) -> None:
    with transaction(sm) as s:
        bid = register_breach(s, promark(), breach_input(), actor="officer", now=NOW).id
        n = _note(s, bid, sent_at=NOW - timedelta(minutes=10))
        assert n.late_reason is None and "Reasons for the delay" not in n.content


def test_authority_notice_follows_art_33_3(sm: sessionmaker[Session]) -> None:
    with transaction(sm) as s:
        bid = register_breach(s, promark(), breach_input(
            data_categories=["user.contact.email", "user.health_and_medical"]),
            actor="officer", now=NOW).id
        notice = authority_notice(promark(), get_breach(s, bid), "DK", now=NOW)
    md = notice.to_markdown()
    heads = [md.index(f"(art. 33(3)({x}))") for x in "abcd"]
    assert heads == sorted(heads)
    assert "Datatilsynet" in md and "Omtrentligt antal registrerede: ca. 120" in md
    assert "Helbredsoplysninger — særlig kategori af personoplysninger (art. 9(1))" in md
    assert "privacy@promark.example" in md  # (b) contact point
    data = json.loads(notice.to_json())
    assert data["url"] == "https://virk.dk" and [x["key"] for x in data["sections"]] == list("abcd")
    assert "Frist på 72 timer (art. 33(1))" in notice.to_text()


def test_letters_in_the_persons_language(sm: sessionmaker[Session]) -> None:
    with transaction(sm) as s:
        row = register_breach(s, promark(), breach_input(), actor="officer", now=NOW)
        subj_da, da = subject_letter(promark(), row, "da")
        subj_en, en = subject_letter(promark(), row, "en")
        _, nb = subject_letter(promark(), row, "nb")  # not in the policy: default language
    assert subj_da.startswith("Vigtigt") and "artikel 34" in da
    assert subj_en.startswith("Important") and "Article 34" in en
    assert nb == en
    for text in (da, en):
        assert row.consequences in text and row.measures_taken in text
        assert "privacy@promark.example" in text


def test_letters_in_norwegian_and_swedish_when_the_policy_publishes_them(
    sm: sessionmaker[Session],
) -> None:
    nordic = promark().model_copy(update={"policy": promark().policy.model_copy(
        update={"languages": ["en", "da", "nb", "sv"]})})
    with transaction(sm) as s:
        row = register_breach(s, nordic, breach_input(), actor="officer", now=NOW)
        subj_nb, nb = subject_letter(nordic, row, "nb")
        subj_sv, sv = subject_letter(nordic, row, "sv")
    assert subj_nb == "Viktig: brudd på personopplysningssikkerheten hos ProMark A/S"
    assert nb.startswith("Kjære kunde,") and "personvernforordningen artikkel 34" in nb
    assert subj_sv == "Viktigt: en personuppgiftsincident hos ProMark A/S"
    assert sv.startswith("Bästa kund,") and "dataskyddsförordningen artikel 34" in sv
    assert sv.rstrip().endswith("Med vänliga hälsningar\nProMark A/S")
    for text in (nb, sv):
        assert row.consequences in text and "privacy@promark.example" in text


def test_letters_need_an_assessment_before_recording(sm: sessionmaker[Session]) -> None:
    bid = _bid(sm)
    with pytest.raises(InvalidInput, match="Assess the risk"), transaction(sm) as s:
        _note(s, bid, kind=Kind.subjects, sent_at=NOW - timedelta(hours=1))
