"""Issue 15's "done when", in the demo: a customer company's admin gets an access package for
one of its employees from ProMark's workforce data, and nothing of another customer. The key
comes from the command line, the request and the download go through the portal page; the
console lists the controllers with their scope and makes (and shows once) a key."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import sqlalchemy as sa
from tests.helpers import PROMARK, csrf_from, login, make_client

from steward.policy.loader import load_policy
from steward.requests import execute, workflow
from steward.requests.plan import close_pool
from steward.requests.tables import DsrRequest
from steward.store.db import make_engine, make_sessionmaker, transaction


def _steward(*args: str, data_dir: Path, db: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "STEWARD_DATA_DIR": str(data_dir),
        "STEWARD_POLICY": str(PROMARK),
        "STEWARD_DATABASE_URL": f"sqlite:///{db}",
    }
    return subprocess.run(
        [sys.executable, "-c", "from steward.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def _zip_rows(blob: bytes) -> dict[str, list[dict[str, object]]]:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        return {
            n.split("/")[2].removesuffix(".json"): json.loads(zf.read(n))
            for n in zf.namelist()
            if n.startswith("data/") and n.endswith(".json")
        }


def test_customer_admin_gets_its_employees_package_and_nothing_of_another(
    tmp_path: Path,
) -> None:
    db = tmp_path / "steward.db"
    made = _steward("demo", "--customers", "5", data_dir=tmp_path, db=db)
    assert made.returncode == 0, made.stderr
    # The demo's customer companies are the controllers the policy names, with their tenant.
    assert "tenant 1: Nordlys Logistik A/S" in made.stdout
    assert "steward controllers key create nordlys" in made.stdout
    assert _steward("db", "upgrade", data_dir=tmp_path, db=db).returncode == 0
    keys = {}
    for c in ("nordlys", "fjordvik"):
        out = _steward("controllers", "key", "create", c, data_dir=tmp_path, db=db)
        assert out.returncode == 0, out.stderr
        keys[c] = out.stdout.strip().splitlines()[-1]
        assert keys[c].startswith("sck_")
    listed = _steward("controllers", "key", "list", data_dir=tmp_path, db=db).stdout
    assert keys["nordlys"] not in listed and keys["nordlys"].split("_")[1] in listed
    unknown = _steward("controllers", "key", "create", "acme", data_dir=tmp_path, db=db)
    assert unknown.returncode != 0 and unknown.stderr.count("\n") <= 1 and "acme" in unknown.stderr

    wf = sa.create_engine(f"sqlite:///{tmp_path / 'demo' / 'workforce.db'}")
    with wf.connect() as c:
        emp_id, email = c.execute(
            sa.text("SELECT id, email FROM employees WHERE tenant_id = 1 ORDER BY id LIMIT 1")
        ).one()
        expected = {
            t: {
                r[0]
                for r in c.execute(
                    sa.text(f"SELECT id FROM {t} WHERE employee_id = :e"),  # noqa: S608
                    {"e": emp_id},
                )
            }
            for t in ("shifts", "absences", "wages")
        }
    wf.dispose()

    engine = make_engine(f"sqlite:///{db}")
    try:
        client = make_client(engine, tmp_path, data_dir=tmp_path)
        page = client.post("/controllers/portal", data={"key": keys["nordlys"]})
        assert page.status_code == 200 and "Nordlys Logistik A/S" in page.text
        assert page.headers["cache-control"] == "no-store"
        sent = client.post(
            "/controllers/portal",
            data={
                "key": keys["nordlys"],
                "action": "submit",
                "type": "access",
                "name": "An Employee",
                "email": email,
            },
        )
        assert sent.status_code == 200 and 'id="notice"' in sent.text, sent.text
        sm = make_sessionmaker(engine)
        with transaction(sm) as s:
            req = s.scalars(sa.select(DsrRequest)).one()
            rid, public_id = req.id, req.public_id
            assert (req.controller, req.email) == ("nordlys", "privacy@nordlys-logistik.example")
            workflow.approve(s, req, "officer@steward.example")
        settings = client.app.state.settings  # type: ignore[attr-defined]
        policy = load_policy(PROMARK)
        assert execute.execute_request(sm, settings, policy, rid) == "completed"
        got = client.post(
            "/controllers/portal",
            data={"key": keys["nordlys"], "action": "package", "public_id": public_id},
        )
        assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
        rows = _zip_rows(got.content)
        assert [r["id"] for r in rows["employees"]] == [emp_id]
        for t, ids in expected.items():
            assert {r["id"] for r in rows.get(t, [])} == ids, t
        assert {r["tenant_id"] for t in rows for r in rows[t]} == {1}
        # Another customer's key: the same "no such request" as an unknown one.
        other = client.post(
            "/controllers/portal",
            data={"key": keys["fjordvik"], "action": "package", "public_id": public_id},
        )
        assert other.status_code == 404 and "Nordlys" not in other.text
        assert client.post("/controllers/portal", data={"key": "sck_x_y"}).status_code == 422
    finally:
        close_pool()
        engine.dispose()


def test_console_lists_scope_and_shows_a_new_key_once(tmp_path: Path) -> None:
    from steward.store.migrate import upgrade_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'steward.db'}")
    upgrade_engine(engine)
    try:
        client = make_client(engine, tmp_path)
        token = login(client, engine, "admin")
        page = client.get("/console/controllers")
        assert page.status_code == 200
        assert "workforce: employees: tenant_id = 1" in page.text
        made = client.post(
            "/console/controllers/nordlys/keys", data={"name": "HR admin", "csrf_token": token}
        )
        assert made.status_code == 200 and 'id="new-key"' in made.text
        key = made.text.split("<code>sck_", 1)[1].split("</code>", 1)[0]
        again = client.get("/console/controllers")
        assert key not in again.text and "HR admin" in again.text
        prefix = key.split("_")[0]
        revoked = client.post(
            f"/console/controllers/keys/{prefix}/revoke", data={"csrf_token": csrf_from(again.text)}
        )
        assert revoked.status_code == 200
        assert client.post("/controllers/portal", data={"key": f"sck_{key}"}).status_code == 422
    finally:
        engine.dispose()
