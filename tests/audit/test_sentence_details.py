"""How an event's actor and details read in its sentence, written out by hand: Steward's own
actors, user references among the details (and only those) replaced by names, structured and
missing details, stored details that are not a JSON object; and every action's sentence in every
shipped language comes from the translators' catalogs, not from English left untranslated."""

from __future__ import annotations

import pytest

from steward.audit.sentences import actions, sentence
from steward.i18n import language

NAMES = {"user:3": "Anna Officer", "user:7": "Bo Viewer"}


@pytest.mark.parametrize(
    "actor", ["steward", "jobs", "retention", "api", "webhook", "demo", "public"]
)
def test_steward_s_own_actors_read_as_steward(actor: str) -> None:
    assert sentence("dsr.completed", actor, {}) == "Steward completed the request"


@pytest.mark.parametrize(
    ("action", "details", "expected"),
    [
        # a system that happens to be named like one of Steward's actors keeps its name
        (
            "dsr.system_erase",
            {"system": "api"},
            "Anna Officer erased the person's data in api (Art. 17)",
        ),
        (
            "scanner.scanned",
            {"system": "subject"},
            "Anna Officer scanned subject for sensitive data",
        ),
        (
            "dsr.system_restrict",
            {"system": "cli"},
            "Anna Officer restricted processing in cli (Art. 18)",
        ),
        # a user reference is a user's name when it is known, else the reference itself
        ("dsr.assigned", {"assignee": "user:9"}, "Anna Officer assigned the request to user:9"),
        (
            "dsr.unassigned",
            {"previous": "user:7"},
            "Anna Officer removed the assignment (it was Bo Viewer)",
        ),
        # a detail recorded as None reads as a dash, like a missing one
        (
            "dsr.unassigned",
            {"previous": None},
            "Anna Officer removed the assignment (it was \u2013)",
        ),
        # numbers as written; lists and objects as JSON, letters kept
        ("policy.published", {"version": 3}, "Anna Officer published policy version 3"),
        (
            "scanner.scanned",
            {"system": ["Kunderegister", "Butik Ærø"]},
            'Anna Officer scanned ["Kunderegister", "Butik Ærø"] for sensitive data',
        ),
        (
            "breach.notified",
            {"authority": {"country": "DK", "name": "Datatilsynet"}},
            'Anna Officer notified {"country": "DK", "name": "Datatilsynet"} of the breach '
            "(Art. 33)",
        ),
    ],
)
def test_details_read_in_the_sentence(
    action: str, details: dict[str, object], expected: str
) -> None:
    assert sentence(action, "user:3", details, names=NAMES) == expected


@pytest.mark.parametrize("stored", ["", "not json", "[1, 2]", '"2026-12-01"', "null", "7"])
def test_stored_details_that_are_no_json_object_read_as_missing(stored: str) -> None:
    assert sentence("policy.published", "user:3", stored, names=NAMES) == (
        "Anna Officer published policy version \u2013"
    )


@pytest.mark.parametrize("lang", ["da", "nb", "sv"])
def test_every_sentence_is_translated(lang: str) -> None:
    # A sentence whose English text no catalog knows shows in English to a Danish, Norwegian
    # or Swedish officer: each language's sentence differs from the English one.
    details = dict.fromkeys(
        (
            "system",
            "due_on",
            "assignee",
            "previous",
            "deadline",
            "risk",
            "authority",
            "version",
            "from",
            "to",
        ),
        "X",
    )
    english = {a: sentence(a, "steward", details) for a in actions()}
    with language(lang):
        untranslated = sorted(a for a in actions() if sentence(a, "steward", details) == english[a])
    assert untranslated == []
