"""The Art. 7(3) sentence of a consent purpose's notice comes from the translation catalogs:
Danish and Swedish as written here by hand, English for a language without a catalog, and the
policy's own wording (`texts:`) where it gives one, so the stored snapshot holds what was shown."""

from __future__ import annotations

import pytest
from tests.helpers import PROMARK

from steward.consent.snapshots import WITHDRAW_NOTE, purpose_notice
from steward.policy.loader import load_policy
from steward.policy.models import Policy

EXPECTED = {
    "da": "Du kan til enhver tid trække dit samtykke tilbage, lige så let som du gav det "
    "(GDPR art. 7, stk. 3).",
    "sv": "Du kan när som helst återkalla ditt samtycke, lika enkelt som du gav det "
    "(GDPR art. 7.3).",
    "fi": "You can withdraw your consent at any time, as easily as you gave it (GDPR Art. 7(3)).",
}


@pytest.fixture(scope="module")
def policy() -> Policy:
    base = load_policy(PROMARK)
    meta = base.policy.model_copy(update={"languages": ["en", "da", "sv", "fi"]})
    return base.model_copy(update={"policy": meta})


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_withdrawal_sentence_in_the_notice_language(policy: Policy, lang: str) -> None:
    notice = purpose_notice(policy, "newsletter", lang)
    assert notice.language == lang
    assert notice.content["withdrawal"] == EXPECTED[lang]


def test_the_policy_wording_wins_and_changes_the_snapshot(policy: Policy) -> None:
    own = "Du kan altid afmelde dig igen med ét klik (GDPR art. 7, stk. 3)."
    reworded = policy.model_copy(update={"texts": {"da": {WITHDRAW_NOTE: own}}})
    before = purpose_notice(policy, "newsletter", "da")
    after = purpose_notice(reworded, "newsletter", "da")
    assert after.content["withdrawal"] == own
    assert after.sha256 != before.sha256
