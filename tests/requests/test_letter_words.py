"""The answer letter in the person's language has no words of Steward's left in English: a
sub-processor told of an erasure (Art. 19), the complaint authorities joined (Art. 77), the
safeguard of a transfer (Art. 15(2)), the right's article as the language writes it. Expected
words written out by hand from examples/promark (NordHost's backup vault, Datatilsynet and the
ICO, standard contractual clauses for the US)."""

from __future__ import annotations

from tests.helpers import PROMARK

from steward.policy.loader import load_policy
from steward.requests import letters

STORED_NAME = (  # as execute stored it: Steward's words in English
    "Backup Vault Oy (backupvault.example) (Encrypted off-site backups; sub-processor of "
    "NordHost A/S (nordhost.example))"
)


def _erasure_letter(lang: str) -> str:
    return letters.render_letter(
        load_policy(PROMARK),
        name="Freja Testesen",
        type_="erasure",
        received="2026-12-01",
        lang=lang,
        jurisdiction="DK",
        result={
            "erased": {"crm.contacts deleted": 1},
            "art19": [{"recipient": "nordhost.nordhost_backup", "name": STORED_NAME,
                       "channel": "mail", "status": "sent", "told_on": "2026-12-02",
                       "reason": ""}],
        },
    )


def test_a_danish_erasure_letter_names_the_sub_processor_and_authorities_in_danish() -> None:
    letter = _erasure_letter("da")
    assert (
        "  - Backup Vault Oy (backupvault.example) (Encrypted off-site backups; "
        "underdatabehandler for NordHost A/S (nordhost.example)): underrettet den 2026-12-02 "
        "pr. e-mail"
    ) in letter
    assert "Datatilsynet (https://www.datatilsynet.dk) eller Information Commissioner's Office" \
        in letter
    assert "sub-processor of" not in letter and ") or " not in letter
    assert "din anmodning om sletning, modtaget 2026-12-01 (GDPR art. 17)." in letter
    assert "GDPR Art." not in letter


def test_the_english_letter_keeps_its_english() -> None:
    letter = _erasure_letter("en")
    assert STORED_NAME in letter
    assert "Datatilsynet (https://www.datatilsynet.dk) or Information Commissioner's Office" \
        in letter


def test_the_art_15_2_safeguard_is_words_not_a_code() -> None:
    # The sub-processor's own safeguard and the activity's transfer (whose recipient is the
    # company's own wording) both name the safeguard in words.
    info = letters.art15_information(load_policy(PROMARK), ["newsletter"], "da", "DK")
    assert info["transfers"] == [
        "CloudSend Inc. (cloudsend.example) (US): standardkontraktbestemmelser (GDPR art. "
        "46(2)(c))",
        "CloudSend Inc. (sub-processor of Mailwise Ltd) (US): standardkontraktbestemmelser "
        "(GDPR art. 46(2)(c)) — Standard contractual clauses (Commission Decision (EU) 2021/914)",
    ]
