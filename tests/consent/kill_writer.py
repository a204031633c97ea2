"""A consent writer for the kill test: records decision `i` for i in [start, stop), one
transaction each, the way the banner endpoint does. Run as
`python -m tests.consent.kill_writer STORE_URL START STOP [PAUSE]`: with PAUSE (seconds), it
waits that long after each decision past the first third, so that the test's kill lands while
it is still writing however slowly a loaded machine schedules the test."""

from __future__ import annotations

import sys
import time

from tests.helpers import PROMARK

from steward.consent import ledger
from steward.consent.purposes import resolve
from steward.consent.snapshots import purpose_notice
from steward.consent.subjects import email_ref
from steward.policy.loader import load_policy
from steward.store.db import make_engine, make_sessionmaker, transaction

SECRET = "kill-test-secret-not-for-production"
PEOPLE = 150


def decision(i: int) -> tuple[str, str]:
    """(e-mail, action) of decision `i`: each person gives, withdraws, gives ... in turn."""
    return f"person{i % PEOPLE}@example.com", ("given", "withdrawn")[(i // PEOPLE) % 2]


def main(url: str, start: int, stop: int, pause: float = 0.0) -> None:
    policy = load_policy(PROMARK)
    purpose = resolve(policy, "newsletter")
    notice = purpose_notice(policy, "newsletter", "en")
    sm = make_sessionmaker(make_engine(url))
    for i in range(start, stop):
        email, action = decision(i)
        with transaction(sm) as s:
            ledger.record(s, policy, subject_ref=email_ref(SECRET, email), purpose=purpose,
                          action=action, method="banner", recorded_by="kill-test",
                          notice=notice)
        if pause and i >= stop // 3:
            time.sleep(pause)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *map(float, sys.argv[4:5]))
