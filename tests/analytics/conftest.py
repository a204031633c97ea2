"""Shared pieces for the analytics tests: ProMark's policy (and variants), a movable clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest
from tests.helpers import PROMARK

from steward.policy.models import Analytics, Policy

UA_FIREFOX = ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
UA_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


@cache
def promark() -> Policy:
    from steward.policy.loader import load_policy

    return load_policy(PROMARK)


def with_analytics(**changes: Any) -> Policy:
    """ProMark with its analytics section changed."""
    p = promark()
    assert p.analytics is not None
    return p.model_copy(update={"analytics": p.analytics.model_copy(update=changes)})


def config(**changes: Any) -> Analytics:
    a = with_analytics(**changes).analytics
    assert a is not None
    return a


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 14, 23, 40, tzinfo=UTC))


def event(page: str = "https://www.promark.example/products?q=crm&email=x@example.com",
          *, site: str = "www", ref: str = "https://search.example.net/?q=promark",
          vid: str = "a1b2c3d4e5f6") -> bytes:
    return json.dumps({"s": site, "u": page, "r": ref, "i": vid}).encode()
