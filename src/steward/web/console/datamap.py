"""The data map page (the company's systems, the data each holds, the processors and countries
it flows to, drawn from the policy) and a page per system."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from steward.errors import NotFound
from steward.policy import datamap
from steward.web.console.datamap_chart import svg
from steward.web.deps import PolicyDep, Viewer, render

router = APIRouter(prefix="/console")


@router.get("/datamap")
def datamap_page(request: Request, user: Viewer, policy: PolicyDep) -> Response:
    dm = datamap.build(policy)
    return render(request, "console/datamap.html", {"map": dm, "svg": svg(dm)})


@router.get("/systems/{key}")
def system_page(request: Request, user: Viewer, policy: PolicyDep, key: str) -> Response:
    """One system: where it is stored, who owns it, its tables and the categories of their
    fields, the activities that use it and the processors its data flows to."""
    spec = policy.system(key)  # NotFound for a key the policy does not name
    node = next((s for s in datamap.build(policy).systems if s.key == key), None)
    if node is None:
        raise NotFound(f"unknown system {key!r}")
    dm = datamap.build(policy)
    cats = {c.key: policy.text(c.name) for c in policy.data_categories}
    return render(
        request,
        "console/system.html",
        {
            "s": spec,
            "node": node,
            "name": policy.text(spec.name),
            "cats": cats,
            "activities": [
                policy.text(a.name) for a in policy.processing_activities if key in a.systems
            ],
            "processors": [p for p in dm.processors if key in p.systems],
        },
    )
