"""Storage limitation (GDPR Art. 5(1)(e)): no personal data without a retention rule. The
validator warns, at the table's line, for each table no rule covers; the ProMark example has
the rules its notice implies, and they sweep the demo company's old rows."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from policy.policy_helpers import BASE, PROMARK, edit, line_of
from steward.connectors.engines import SystemEngines
from steward.policy.loader import load_policy, load_policy_report, load_policy_text_report
from steward.retention.plan import plan_rule
from steward.retention.rules import resolve

SESSIONS = """\
      - name: sessions
        references: [{field: account_id, to: accounts.id}]
        fields:
          - {name: email_seen, category: user.contact.email}
          - {name: note, category: user.health_and_medical}
          - {name: started_at}
"""


def _with_sessions(table: str = SESSIONS) -> str:
    return edit(BASE, "          - {name: body}\n", "          - {name: body}\n" + table)


def _warnings(text: str) -> list[str]:
    return load_policy_text_report(text, "acme.yaml").warnings


def test_art_5_1_e_table_going_with_a_deleted_parent_is_covered() -> None:
    assert _warnings(_with_sessions()) == []


def test_art_5_1_e_uncovered_table_warns_at_its_line() -> None:
    text = _with_sessions(SESSIONS.replace(
        "        references: [{field: account_id, to: accounts.id}]\n", ""))
    (warning,) = _warnings(text)
    assert warning.startswith(f"acme.yaml:{line_of(text, '- name: sessions')}:")
    assert "app.sessions holds personal data that no retention rule covers" in warning
    assert "Art. 5(1)(e)" in warning
    # A rule for it covers it.
    rule = ("  - key: old_sessions\n    description: Sessions go after 90 days\n"
            "    system: app\n    table: sessions\n    trigger: {field: sessions.started_at}\n"
            "    period: {days: 90}\n")
    assert _warnings(edit(text, "systems:\n", rule + "systems:\n")) == []


def test_art_5_1_e_redaction_covers_only_the_fields_it_names() -> None:
    text = _with_sessions(SESSIONS.replace(
        "        references: [{field: account_id, to: accounts.id}]\n", ""))
    rule = ("  - key: ip_cleanup\n    description: Seen addresses cleared after 30 days\n"
            "    system: app\n    table: sessions\n    trigger: {field: sessions.started_at}\n"
            "    period: {days: 30}\n    action: 'null'\n    fields: [email_seen]\n")
    partial = edit(text, "systems:\n", rule + "systems:\n")
    (warning,) = _warnings(partial)
    assert "app.sessions" in warning  # `note` is still kept without limit
    assert _warnings(edit(partial, "    fields: [email_seen]\n",
                          "    fields: [email_seen, note]\n")) == []


def test_art_5_1_e_system_steward_cannot_sweep_needs_stated_criteria() -> None:
    http = ("  - key: mailer\n    name: Mailer\n    connector: http\n"
            "    url: https://mailer.example/api\n    storage_country: DK\n"
            "    endpoints: {lookup: '/people?{identity_type}={value}'}\n"
            "    auth: {token_env: MAILER_TOKEN}\n    tables:\n      - name: people\n"
            "        identities: {email: email}\n        fields:\n"
            "          - {name: email, category: user.contact.email}\n")
    text = edit(BASE, "processors:\n", http + "processors:\n")
    (warning,) = _warnings(text)
    assert warning.startswith(f"acme.yaml:{line_of(text, '- name: people')}:")
    assert "retention_description" in warning
    stated = edit(text, "    systems: [app]\n",
                  "    systems: [app, mailer]\n    retention_description: Until you unsubscribe\n")
    assert _warnings(stated) == []


def test_art_5_1_e_promark_without_the_new_rules_warns_for_portal_and_support(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "promark"
    shutil.copytree(PROMARK, folder)
    (folder / "retention-activity.yaml").unlink()
    acts = (folder / "activities.yaml").read_text(encoding="utf-8")
    acts = acts.replace(", portal_logins, portal_activity_log]", "]")
    acts = acts.replace("[support_sensitive_data, support_tickets]", "[support_sensitive_data]")
    (folder / "activities.yaml").write_text(acts, encoding="utf-8")
    warned = [w.split(": ", 2)[1] for w in load_policy_report(folder).warnings]
    assert warned == ["systems[portal].tables[logins]", "systems[portal].tables[activity_log]",
                      "systems[support].tables[tickets]", "systems[support].tables[messages]"]
    assert load_policy_report(PROMARK).warnings == []


def test_art_5_1_e_promark_rules_sweep_the_demos_old_rows(tmp_path: Path) -> None:
    from steward.demo.build import build, in_dir

    demo = tmp_path / "demo"
    today = date(2026, 11, 26)
    build(in_dir(demo), customers=60, seed=3, today=today)
    policy = load_policy(PROMARK)
    # "10 years plus the current year" (seed §6): on 26 Nov 2026, rows whose trigger year is
    # 2015 or earlier are past 31 December of trigger year + 10.
    expected_sql = {
        "portal_logins": ("portal", "SELECT count(*) FROM logins WHERE last_login_at < "
                          "'2016-01-01'"),
        "portal_activity_log": ("portal", "SELECT count(*) FROM activity_log WHERE at < "
                                "'2016-01-01'"),
        "support_tickets": ("support", "SELECT count(*) FROM tickets WHERE closed_at < "
                            "'2016-01-01'"),
    }
    engines = SystemEngines(base_dir=demo)
    try:
        for key, (system, sql) in expected_sql.items():
            eng = sa.create_engine(f"sqlite:///{demo / (system + '.db')}")
            with eng.connect() as conn:
                expected = conn.execute(sa.text(sql)).scalar_one()
            eng.dispose()
            plan = plan_rule(policy, key, engines=engines, today=today)
            assert plan.error is None, plan.error
            assert plan.expired == expected, key
        assert plan.expired > 0  # the demo's support desk holds cases closed before 2016
    finally:
        engines.dispose()
    assert "activity_log" in resolve(policy, "portal_logins").dependants
    assert "messages" in resolve(policy, "support_tickets").dependants
