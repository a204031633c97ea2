"""Assisted requests (GDPR Art. 28(3)(e)) on PostgreSQL, with a generated second controller
set: two customer companies in one multi-tenant schema (alpha: tenant 1, beta: tenant 2) and one
with a database of its own (gamma). A person employed by both alpha and beta (the same e-mail in
both tenants) shows that a search, a copy and an erasure never cross the tenant line.

Expected rows come from hand-written SQL; the other tenants' data is compared by checksum
before and after; a key of one controller on another's request is a 404 and an audit entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import _fresh_pg_schema
from tests.helpers import PROMARK, settings_for

from steward.audit.tables import AuditEvent
from steward.config import Settings
from steward.demo.workforce import build_workforce
from steward.policy.loader import load_policy
from steward.policy.models import Policy, ProcessorRole
from steward.processors import apikeys
from steward.requests import execute, workflow
from steward.requests.plan import close_pool
from steward.requests.tables import DsrRequest
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.store.migrate import upgrade_engine

TABLES = ("employees", "shifts", "absences", "wages")


def _role() -> ProcessorRole:
    return ProcessorRole.model_validate(
        {
            "key": "shift_planning",
            "categories_of_processing": ["Hosting of the shift-planning product"],
            # ProMark's hosting provider runs the product for all customers (Art. 28(2)).
            "sub_processors": ["nordhost"],
            "controllers": [
                {
                    "key": "alpha",
                    "name": "Alpha Logistik ApS",
                    "country": "DK",
                    "contact": {"email": "privacy@alpha-logistik.example"},
                    "assistance_days": 7,
                    "scope": [{"system": "shiftdb", "tenant": {"column": "tenant_id", "value": 1}}],
                },
                {
                    "key": "beta",
                    "name": "Beta Bemanning AB",
                    "country": "SE",
                    "contact": {"email": "dataskydd@beta-bemanning.example"},
                    "scope": [{"system": "shiftdb", "tenant": {"column": "tenant_id", "value": 2}}],
                },
                {
                    "key": "gamma",
                    "name": "Gamma Helse AS",
                    "country": "NO",
                    "contact": {"email": "personvern@gamma-helse.example"},
                    "scope": [{"system": "shiftdb", "url_env": "GAMMA_SHIFTDB_URL"}],
                },
            ],
            # The demo's workforce system, declared under another key and URL.
            "systems": [
                {
                    **load_policy(PROMARK)
                    .processor_roles[0]
                    .systems[0]
                    .model_dump(exclude_none=True),
                    "key": "shiftdb",
                    "url": None,
                    "url_env": "SHIFTDB_URL",
                }
            ],
        }
    )


@dataclass
class World:
    policy: Policy
    settings: Settings
    sm: sessionmaker[Session]
    engine: Engine
    shared: str
    gamma: str
    env: dict[str, str]
    mails: list[Any]
    keys: dict[str, str]
    twin: str  # an e-mail employed by alpha (tenant 1) and beta (tenant 2)

    def client(self) -> TestClient:
        from steward.web.app import create_app

        app = create_app(self.settings, policy=self.policy, engine=self.engine)
        return TestClient(app, base_url="https://testserver")

    def run(self, public_id: str, *, plan: bool = False) -> str:
        with transaction(self.sm) as s:
            rid = workflow.by_public_id(s, public_id).id
        if plan:
            execute.prepare_plan(self.sm, self.settings, self.policy, rid, env=self.env)
        with transaction(self.sm) as s:
            workflow.approve(s, s.get_one(DsrRequest, rid), "officer@steward.example")
        return execute.execute_request(self.sm, self.settings, self.policy, rid, env=self.env)


@pytest.fixture
def world(
    pg_server_url: str, tmp_path: Path, smtp_server: tuple[str, int, list[Any]]
) -> Iterator[World]:
    with contextlib.ExitStack() as stack:
        fresh = contextlib.contextmanager(_fresh_pg_schema)
        store, shared, gamma = (stack.enter_context(fresh(pg_server_url)) for _ in range(3))
        build_workforce(shared, tenants=2, employees=6, seed=11)
        build_workforce(
            gamma, tenants=1, employees=4, seed=12, first_tenant=3, first_serial=960_000
        )
        eng = sa.create_engine(shared)
        with eng.begin() as c:
            twin = c.execute(
                sa.text("SELECT email FROM employees WHERE tenant_id = 1 ORDER BY id LIMIT 1")
            ).scalar_one()
            # The same person also works for beta: same e-mail, another phone, own shifts.
            new_id = c.execute(
                sa.text(
                    "INSERT INTO employees (id, tenant_id, employee_no, name, email, phone, role, "
                    "hired_on) SELECT max(id) + 1, 2, 'E9999', 'Twin Example', :e, '+4670000000', "
                    "'Driver', '2024-01-01' FROM employees RETURNING id"
                ),
                {"e": twin},
            ).scalar_one()
            for i in range(3):
                c.execute(
                    sa.text(
                        "INSERT INTO shifts (id, tenant_id, employee_id, day, starts, ends) "
                        "SELECT max(id) + 1, 2, :emp, :day, '06:00', '14:00' FROM shifts"
                    ),
                    {"emp": new_id, "day": f"2026-11-0{i + 1}"},
                )
        eng.dispose()
        engine = make_engine(store)
        upgrade_engine(engine)
        stack.callback(engine.dispose)
        stack.callback(close_pool)
        host, port, mails = smtp_server
        settings = settings_for(
            engine, tmp_path, smtp_host=host, smtp_port=port, smtp_starttls=False
        )
        base = load_policy(PROMARK)
        policy = base.model_copy(update={"processor_roles": [_role()]})
        sm = make_sessionmaker(engine)
        keys = {}
        with transaction(sm) as s:
            for c in ("alpha", "beta", "gamma"):
                keys[c] = apikeys.create(s, policy, controller=c, name="hr admin", actor="test")[1]
        env = {"SHIFTDB_URL": shared, "GAMMA_SHIFTDB_URL": gamma}
        yield World(policy, settings, sm, engine, shared, gamma, env, mails, keys, twin)


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _ids(url: str, sql: str, **params: Any) -> set[int]:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            return {int(r[0]) for r in c.execute(sa.text(sql), params)}
    finally:
        eng.dispose()


def _checksums(url: str, where: str = "TRUE") -> dict[str, str]:
    """md5 of every row of every table (its text form), ordered by id, under `where`."""
    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            return {
                t: c.execute(
                    sa.text(
                        f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) "  # noqa: S608
                        f"FROM {t} x WHERE {where}"
                    )
                ).scalar_one()
                for t in TABLES
            }
    finally:
        eng.dispose()


def _submit(client: TestClient, key: str, type_: str, email: str) -> dict[str, Any]:
    r = client.post(
        "/api/controllers/requests",
        headers=_auth(key),
        json={"type": type_, "name": "Twin Example", "identities": {"email": [email]}},
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _package_rows(blob: bytes) -> dict[str, list[dict[str, Any]]]:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        names = [n for n in zf.namelist() if n.startswith("data/") and n.endswith(".json")]
        return {n.split("/")[2].removesuffix(".json"): json.loads(zf.read(n)) for n in names}


def _refusals(w: World, controller: str) -> list[dict[str, Any]]:
    with w.sm() as s:
        rows = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "controllers.access_refused",
                AuditEvent.subject_ref == f"controller:{controller}",
            )
        ).all()
        return [json.loads(r.details) if isinstance(r.details, str) else r.details for r in rows]


def test_access_package_holds_exactly_alphas_rows_and_goes_to_alpha(world: World) -> None:
    w = world
    client = w.client()
    beta_before = _checksums(w.shared, "x.tenant_id = 2")
    made = _submit(client, w.keys["alpha"], "access", w.twin)
    assert made["state"] == "awaiting_approval" and made["controller"] == "alpha"
    # Both deadlines: the DPA's 7 days to assist, and alpha's own month (Art. 12(3)).
    assert made["assistance_due_on"] < made["controller_due_on"]
    assert w.run(made["id"]) == "completed"

    r = client.get(
        f"/api/controllers/requests/{made['id']}/package", headers=_auth(w.keys["alpha"])
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    rows = _package_rows(r.content)
    join = "JOIN employees e ON e.id = x.employee_id WHERE e.tenant_id = 1 AND e.email = :m"
    expected = {
        "employees": _ids(
            w.shared, "SELECT id FROM employees WHERE tenant_id = 1 AND email = :m", m=w.twin
        ),
        **{
            t: _ids(w.shared, f"SELECT x.id FROM {t} x {join}", m=w.twin)  # noqa: S608
            for t in ("shifts", "absences", "wages")
        },
    }
    assert {t: {row["id"] for row in rows.get(t, [])} for t in TABLES} == expected
    assert len(expected["employees"]) == 1 and expected["shifts"]
    assert {row["tenant_id"] for t in rows for row in rows[t]} == {1}
    assert "Twin Example" not in r.content.decode("latin-1")  # beta's row of the twin
    # Reading changed nothing of beta.
    assert _checksums(w.shared, "x.tenant_id = 2") == beta_before
    # The answer went to alpha's contact, never to the employee.
    assert [m["To"] for m in w.mails] == ["privacy@alpha-logistik.example"]
    assert "/controllers/portal" in w.mails[0].get_body().get_content()


def test_another_controllers_key_gets_404_and_an_audit_entry(world: World) -> None:
    w = world
    client = w.client()
    made = _submit(client, w.keys["alpha"], "access", w.twin)
    assert w.run(made["id"]) == "completed"
    beta = _auth(w.keys["beta"])
    for path in ("", "/report", "/package"):
        r = client.get(f"/api/controllers/requests/{made['id']}{path}", headers=beta)
        assert r.status_code == 404, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "alpha" not in r.text and w.twin not in r.text
    assert [d["what"] for d in _refusals(w, "beta")] == ["status", "report", "package"]
    assert all(d["exists"] for d in _refusals(w, "beta"))
    assert _refusals(w, "alpha") == []
    # Beta's listing holds none of alpha's requests; alpha's holds its own.
    assert client.get("/api/controllers/requests", headers=beta).json()["requests"] == []
    mine = client.get("/api/controllers/requests", headers=_auth(w.keys["alpha"])).json()
    assert [r["id"] for r in mine["requests"]] == [made["id"]]
    # A revoked key opens nothing; a console session is no key.
    with transaction(w.sm) as s:
        apikeys.revoke(s, w.keys["alpha"].split("_")[1], actor="test")
    r = client.get("/api/controllers/requests", headers=_auth(w.keys["alpha"]))
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem")


def test_erasure_removes_alphas_rows_and_leaves_beta_and_gamma_byte_for_byte(
    world: World,
) -> None:
    w = world
    client = w.client()
    beta_before = _checksums(w.shared, "x.tenant_id = 2")
    gamma_before = _checksums(w.gamma)
    alpha_rows = {
        t: _ids(w.shared, f"SELECT id FROM {t} WHERE tenant_id = 1")  # noqa: S608
        for t in TABLES
    }
    twin_id = _ids(
        w.shared, "SELECT id FROM employees WHERE tenant_id = 1 AND email = :m", m=w.twin
    )
    made = _submit(client, w.keys["alpha"], "erasure", w.twin)
    assert w.run(made["id"], plan=True) == "completed"
    with w.sm() as s:
        plan = json.loads(workflow.by_public_id(s, made["id"]).plan_json or "{}")
    # The plan the officer approved shows the scope, and every statement carries it.
    assert plan["scope"] == [
        "shiftdb: employees: tenant_id = 1; shifts: tenant_id = 1; "
        "absences: tenant_id = 1; wages: tenant_id = 1"
    ]
    statements = [st for sys in plan["systems"].values() for st in sys["statements"]]
    assert statements and all("tenant_id" in st["sql"] for st in statements)

    assert (
        _ids(w.shared, "SELECT id FROM employees WHERE tenant_id = 1 AND email = :m", m=w.twin)
        == set()
    )
    for t in ("shifts", "absences", "wages"):
        left = _ids(w.shared, f"SELECT id FROM {t} WHERE employee_id = :e", e=min(twin_id))  # noqa: S608
        assert left == set(), t
    # Alpha's other employees stay; beta (with the twin) and gamma are unchanged byte for byte.
    assert (
        _ids(w.shared, "SELECT id FROM employees WHERE tenant_id = 1")
        == alpha_rows["employees"] - twin_id
    )
    assert _checksums(w.shared, "x.tenant_id = 2") == beta_before
    assert _checksums(w.gamma) == gamma_before
    report = client.get(
        f"/api/controllers/requests/{made['id']}/report", headers=_auth(w.keys["alpha"])
    )
    assert report.status_code == 200 and "shiftdb.employees deleted: 1" in report.text
    assert (
        client.get(
            f"/api/controllers/requests/{made['id']}/package", headers=_auth(w.keys["alpha"])
        ).status_code
        == 404
    )  # no package to erase


# Whom ProMark tells of a change in a customer's data (Art. 19 with Art. 28(3)(e)): the
# sub-processor it engaged for the product and that one's backup vault, which holds copies
# (examples/promark/processors.yaml). Not its own processors, not another customer.
SUB_PROCESSORS = {
    "privacy-nordhost@example.com": "NordHost A/S (nordhost.example) (Hosting and operation of "
    "the CRM, customer portal, support desk and recruiting systems)",
    "privacy-backupvault@example.com": "Backup Vault Oy (backupvault.example) (Encrypted "
    "off-site backups; sub-processor of NordHost A/S (nordhost.example))",
}


def test_erasure_is_told_to_promarks_sub_processors_for_alpha_and_reported_to_alpha(
    world: World,
) -> None:
    w = world
    client = w.client()
    made = _submit(client, w.keys["alpha"], "erasure", w.twin)
    before = dt.datetime.now(dt.UTC).date().isoformat()
    assert w.run(made["id"], plan=True) == "completed"
    days = {before, dt.datetime.now(dt.UTC).date().isoformat()}  # the run may cross midnight
    notices = {m["To"]: m for m in w.mails if str(m["Subject"]).startswith("GDPR Art. 19")}
    assert set(notices) == set(SUB_PROCESSORS)
    for to, m in notices.items():
        assert m["Subject"] == f"GDPR Art. 19: erasure carried out (ref. {made['id']})"
        body = " ".join(m.get_body().get_content().split())
        assert body.startswith(
            f"Dear {SUB_PROCESSORS[to]}, ProMark A/S, as processor for "
            "Alpha Logistik ApS, tells you on its behalf (GDPR Art. 19 and "
            "Art. 28(3)(e)) that a data subject's erasure request"
        )
        assert f"email: {w.twin}" in body and body.endswith("Kind regards, ProMark A/S")
        assert "Twin Example" not in body  # beta's row of the same person is not alpha's
    # Nobody else: the rest is the answer-ready mail to alpha's contact.
    assert sorted(m["To"] for m in w.mails) == sorted(
        [*SUB_PROCESSORS, "privacy@alpha-logistik.example"]
    )
    answer = client.get(
        f"/api/controllers/requests/{made['id']}", headers=_auth(w.keys["alpha"])
    ).json()
    told_on = answer["report"]["told"][0]["told_on"]
    assert told_on in days
    assert sorted(answer["report"]["told"], key=lambda o: o["name"]) == [
        {"name": SUB_PROCESSORS[k], "status": "sent", "told_on": told_on, "reason": ""}
        for k in ("privacy-backupvault@example.com", "privacy-nordhost@example.com")
    ]
    report = client.get(
        f"/api/controllers/requests/{made['id']}/report", headers=_auth(w.keys["alpha"])
    ).text
    # Alpha is Danish: its report is in Danish.
    told = [line for line in report.splitlines() if told_on in line]
    assert sorted(told) == sorted(
        f"  - {n}: underrettet den {told_on}" for n in SUB_PROCESSORS.values()
    )
    heading = "Underrettet om ændringen på jeres vegne (GDPR art. 19 og art. 28, stk. 3, litra e):"
    assert heading in report.splitlines()


def test_own_database_controller_gets_only_its_database(world: World) -> None:
    w = world
    client = w.client()
    shared_before = _checksums(w.shared)
    email = sorted(_emails(w.gamma))[0]
    made = _submit(client, w.keys["gamma"], "access", email)
    assert w.run(made["id"]) == "completed"
    r = client.get(
        f"/api/controllers/requests/{made['id']}/package", headers=_auth(w.keys["gamma"])
    )
    rows = _package_rows(r.content)
    assert {row["id"] for row in rows["employees"]} == _ids(
        w.gamma, "SELECT id FROM employees WHERE email = :m", m=email
    )
    assert {row["id"] for row in rows["shifts"]} == _ids(
        w.gamma,
        "SELECT s.id FROM shifts s JOIN employees e ON e.id = s.employee_id WHERE e.email = :m",
        m=email,
    )
    assert _checksums(w.shared) == shared_before
    # Alpha asking for gamma's employee finds nothing: gamma's database is not alpha's.
    other = _submit(client, w.keys["alpha"], "access", email)
    assert w.run(other["id"]) == "completed"
    answer = client.get(
        f"/api/controllers/requests/{other['id']}", headers=_auth(w.keys["alpha"])
    ).json()
    assert answer["report"]["rows_found"] == {"shiftdb": 0}


def _emails(url: str) -> set[str]:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            return {r[0] for r in c.execute(sa.text("SELECT email FROM employees"))}
    finally:
        eng.dispose()


def test_bad_input_is_a_problem_and_stores_nothing(world: World) -> None:
    w = world
    client = w.client()
    h = _auth(w.keys["alpha"])
    for body, field in (
        ({"type": "objection", "name": "A", "identities": {"email": [w.twin]}}, "type"),
        ({"type": "access", "name": "", "identities": {"email": [w.twin]}}, "name"),
        ({"type": "access", "name": "A", "identities": {}}, "identities"),
        ({"type": "access", "name": "A", "identities": {"customer_number": ["C-1"]}}, "identities"),
        (
            {
                "type": "access",
                "name": "A",
                "identities": {"email": [w.twin]},
                "received_on": "2999-01-01",
            },
            "received_on",
        ),
    ):
        r = client.post("/api/controllers/requests", headers=h, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in r.json()["detail"]
    assert client.post("/api/controllers/requests", json={}).status_code == 401
    with w.sm() as s:
        assert s.scalars(select(DsrRequest)).all() == []


def test_rectification_changes_alphas_row_only_and_never_the_tenant_column(world: World) -> None:
    w = world
    client = w.client()
    h = _auth(w.keys["alpha"])
    beta_before = _checksums(w.shared, "x.tenant_id = 2")
    moved = client.post(
        "/api/controllers/requests",
        headers=h,
        json={
            "type": "rectification",
            "name": "Twin Example",
            "identities": {"email": [w.twin]},
            "changes": {"shiftdb.employees.tenant_id": "2"},
        },
    )
    assert moved.status_code == 422 and "changes" in moved.json()["detail"]
    r = client.post(
        "/api/controllers/requests",
        headers=h,
        json={
            "type": "rectification",
            "name": "Twin Example",
            "identities": {"email": [w.twin]},
            "changes": {"shiftdb.employees.name": "Twin Renamed"},
        },
    )
    assert r.status_code == 201, r.text
    assert w.run(r.json()["id"]) == "completed"
    eng = sa.create_engine(w.shared)
    with eng.connect() as c:
        names = c.execute(
            sa.text("SELECT tenant_id, name FROM employees WHERE email = :m ORDER BY tenant_id"),
            {"m": w.twin},
        ).all()
    eng.dispose()
    assert [tuple(n) for n in names] == [(1, "Twin Renamed"), (2, "Twin Example")]
    assert _checksums(w.shared, "x.tenant_id = 2") == beta_before
    # Art. 19 with Art. 28(3)(e): ProMark's sub-processors get the corrected value for alpha.
    # (A subject this long is folded on the wire; it reads back with a leading space.)
    notices = [m for m in w.mails if str(m["Subject"]).strip().startswith("GDPR Art. 19")]
    assert sorted(m["To"] for m in notices) == sorted(SUB_PROCESSORS)
    for m in notices:
        body = m.get_body().get_content()
        assert "as processor for Alpha Logistik ApS" in body
        lines = body.splitlines()
        fixed = lines.index("The corrected values:")
        assert lines[fixed + 1] == "  shiftdb.employees.name: Twin Renamed"
