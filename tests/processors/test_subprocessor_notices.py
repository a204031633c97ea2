"""Art. 28(2): adding a sub-processor in a new policy version mails each controller served
(real SMTP) with the objection window its DPA states; objections are recorded once, within
the window, and officers see who objected."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.helpers import PROMARK, login, make_client, settings_for

from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.processors import subnotices
from steward.processors.tables import SubprocessorNotice
from steward.publication.versions import publish
from steward.store.db import make_sessionmaker, transaction

LINK = re.compile(r"https://testserver(/processors/objections/\S+)")


def _with_mailwise(policy: Policy, days: dict[str, int]) -> Policy:
    roles = []
    for r in policy.processor_roles:
        ctls = [c.model_copy(update={"objection_days": days.get(c.name, c.objection_days)})
                for c in r.controllers]
        roles.append(r.model_copy(update={"sub_processors": [*r.sub_processors, "mailwise"],
                                          "controllers": ctls}))
    meta = policy.policy.model_copy(update={"version": "2099-01-01"})
    return policy.model_copy(update={"processor_roles": roles, "policy": meta})


def test_new_subprocessor_is_mailed_to_each_controller_with_its_window(
    sqlite_engine, tmp_path, smtp_server
):  # type: ignore[no-untyped-def]
    host, port, received = smtp_server
    settings = settings_for(sqlite_engine, tmp_path, smtp_host=host, smtp_port=port,
                            smtp_starttls=False)
    sm = make_sessionmaker(sqlite_engine)
    old = load_policy(PROMARK)
    # The three controllers of the example policy; Fjordvik's DPA gives 14 days.
    new = _with_mailwise(old, {"Fjordvik Helse AS": 14})
    with transaction(sm) as s:
        publish(s, old)
        publish(s, new)
    with transaction(sm) as s:
        assert subnotices.send_pending(s, settings, new) == 3
    with transaction(sm) as s:
        assert subnotices.send_pending(s, settings, new) == 0  # each told once
    mails = {m["To"]: m for m in received}  # type: ignore[index]
    assert set(mails) == {"privacy@nordlys-logistik.example", "personvern@fjordvik-helse.example",
                          "dataskydd@skargard-bemanning.example"}
    today = datetime.now(UTC).date()
    fjord = mails["personvern@fjordvik-helse.example"].get_content()
    assert (today + timedelta(days=14)).isoformat() in fjord and "Art. 28(2)" in fjord
    nord = mails["privacy@nordlys-logistik.example"].get_content()
    assert (today + timedelta(days=30)).isoformat() in nord and "Mailwise" in nord.title()

    client = make_client(sqlite_engine, tmp_path)
    path = LINK.search(fjord).group(1)  # type: ignore[union-attr]
    assert client.get(path).status_code == 200
    done = client.post(path, data={"note": "Our staff data must stay in Norway."})
    assert done.status_code == 200 and 'id="objected"' in done.text
    again = client.post(path, data={"note": "twice"})
    assert again.status_code == 409 and "already recorded" in again.text
    assert client.get("/processors/objections/not-a-token").status_code == 404

    # A notice whose window has closed takes no objection.
    with transaction(sm) as s:
        late = s.query(SubprocessorNotice).filter_by(controller="Skärgårds Bemanning AB").one()
        try:
            subnotices.record_objection(s, late, "late", today=late.objection_deadline
                                        + timedelta(days=1))
            raise AssertionError("a late objection was accepted")
        except subnotices.Conflict as err:
            assert "window closed" in err.detail

    login(client, sqlite_engine, "viewer")
    rows = client.get("/api/processors/subprocessor-notices").json()
    objected = {r["controller"] for r in rows if r["objected"]}
    assert objected == {"Fjordvik Helse AS"} and len(rows) == 3
    assert {r["sub_processor"] for r in rows} == {"mailwise"}
    page = client.get("/console/processors").text
    row = next(r for r in page.split("<tr>") if "Fjordvik Helse AS" in r and "mailwise" in r)
    assert "objected" in row and "Our staff data must stay in Norway." in row
    other = next(r for r in page.split("<tr>") if "Nordlys Logistik" in r and "mailwise" in r)
    assert "objected" not in other
