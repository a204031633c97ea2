"""A retention plan over a system it cannot reach reports it as not searched, never as
"nothing expired"."""

from __future__ import annotations

from pathlib import Path

from tests.retention import company as co

from steward.connectors.engines import SystemEngines
from steward.retention.plan import plan_rule


def test_unreachable_system_is_not_searched_not_zero(tmp_path: Path) -> None:
    gone = f"sqlite:///{tmp_path / 'gone.db'}"
    plan = plan_rule(co.make_policy(), "job_applications",
                     engines=SystemEngines(urls={"recruiting": gone}))
    assert plan.not_searched is not None and "recruiting" in plan.not_searched
    assert plan.error == f"not searched: {plan.not_searched}"
    assert plan.to_dict()["not_searched"] == plan.not_searched
    assert not (tmp_path / "gone.db").exists()


def test_reachable_system_is_searched(sqlite_company: str) -> None:
    plan = plan_rule(co.make_policy(), "job_applications",
                     engines=SystemEngines(urls={"recruiting": sqlite_company}))
    assert plan.not_searched is None and plan.error is None and plan.expired == 0
