"""Credentials declared `secret` never reach a copy for the subject, yet go with the row."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from steward.connectors.registry import connector_for
from steward.policy.models import SystemSpec


def test_secret_fields_are_left_out_of_exports(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text("CREATE TABLE logins (id INTEGER PRIMARY KEY, email TEXT, "
                          "password_hash TEXT)"))
        c.execute(sa.text("INSERT INTO logins VALUES (1, 'ada@example.com', '$argon2id$x')"))
    eng.dispose()
    system = SystemSpec.model_validate({
        "key": "portal", "name": "Portal", "connector": "sql", "url": url,
        "storage_country": "DK",
        "tables": [{"name": "logins", "identities": {"email": "email"}, "fields": [
            {"name": "email", "category": "user.contact.email"},
            {"name": "password_hash", "category": "user.authorization.password",
             "provided": False, "secret": True},
        ]}],
    })
    conn = connector_for(system)
    records = conn.find({"email": ["ada@example.com"]})
    for portable in (False, True):
        [row] = conn.export(records, portable_only=portable)["logins"]
        assert row["email"] == "ada@example.com" and "password_hash" not in row
    counts = conn.apply(conn.plan_erasure(records))
    assert counts["logins"].deleted == 1
    assert conn.find({"email": ["ada@example.com"]}).tables.get("logins", []) == []
