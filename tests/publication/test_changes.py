"""Which changes are announced (Art. 13(3)): a new purpose, or a purpose widened to new data
categories or recipients; publishing plans one announcement per such purpose, and nothing for
a version that changes neither."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from tests.helpers import PROMARK
from tests.publication.factories import NEW_PURPOSE, policy_v2

from steward.consent.checks import check
from steward.policy.loader import load_policy
from steward.publication import announcements
from steward.publication.changes import NewUse, announced_changes
from steward.publication.versions import publish
from steward.store.db import make_sessionmaker, transaction

# Marketing starts using browsing history and a new analytics firm (third party).
WIDENED = """
processing_activities:
  - key: marketing_web_profiles
    name: {en: Marketing profiles from site visits}
    purposes: [marketing]
    subjects: [customer]
    data_categories: [user.behavior.browsing_history, user.contact.email]
    recipients:
      - third_party: Clickwise Analytics A/S
    systems: [portal]
"""


def test_added_and_widened_purposes(tmp_path: Path) -> None:
    v1 = load_policy(PROMARK)
    added = load_policy(policy_v2(tmp_path / "a"))
    widened = load_policy(policy_v2(tmp_path / "w", WIDENED))
    assert announced_changes(v1, added) == [NewUse("product_research", "added")]
    assert announced_changes(v1, widened) == [NewUse(
        "marketing", "widened",
        ("new data category user.behavior.browsing_history",
         "new recipient third party:Clickwise Analytics A/S"))]
    assert announced_changes(v1, v1) == []
    assert announced_changes(added, v1) == []  # a purpose removed is not announced


def test_publishing_plans_one_announcement_per_purpose(sqlite_engine: Engine,
                                                       tmp_path: Path) -> None:
    sm = make_sessionmaker(sqlite_engine)
    folder = policy_v2(tmp_path, NEW_PURPOSE)
    (folder / "zz-widened.yaml").write_text(WIDENED)
    both = load_policy(folder)
    with transaction(sm) as s:
        publish(s, load_policy(PROMARK))
        row = publish(s, both)
        publish(s, both)  # the same content again: nothing new
    with transaction(sm) as s:
        got = [(a.version_id, a.purpose, a.change, a.status, a.starts_at)
               for a in announcements.listing(s)]
    assert sorted(got) == [(row.id, "marketing", "widened", "planned", None),
                           (row.id, "product_research", "added", "planned", None)]
    # The new purpose waits; the widened one keeps its existing processing (newsletter
    # consent given, satisfaction surveys on legitimate interests).
    with transaction(sm) as s:
        new = check(s, both, "someone@example.com", "product_research_invites", secret="k")
        assert new.basis["kind"] == "not_yet"
        widened = check(s, both, "someone@example.com", "satisfaction_surveys", secret="k")
        assert widened.allowed and widened.basis["kind"] == "legitimate_interest"
