"""Consent test helpers: the ProMark policy and small factories over a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.policy.loader import load_policy
from steward.policy.models import Policy

PROMARK = Path(__file__).resolve().parents[2] / "examples" / "promark"
SECRET = "test-secret-key-not-for-production"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(PROMARK)
