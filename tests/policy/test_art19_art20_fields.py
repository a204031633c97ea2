"""Policy fields for GDPR Art. 19 (a recipient's `notify` channel) and Art. 20 (a field's
`source`): old policies stay valid, problems are reported with file:line."""

from __future__ import annotations

import pytest

from policy.policy_helpers import BASE, edit, line_of, one_problem
from steward.policy.loader import load_policy_text_report
from steward.policy.models import FieldSource, FieldSpec

HOST_NOTIFY = "    notify: {channel: mail, email: privacy-host@example.com}\n"


def test_art19_processor_without_notify_channel_warns_with_file_and_line() -> None:
    text = edit(BASE, HOST_NOTIFY, "")
    loaded = load_policy_text_report(text, "acme.yaml")
    (warning,) = loaded.warnings
    assert warning.startswith(f"acme.yaml:{line_of(text, '- key: host')}:")
    assert "processors[host]: warning: processor 'host' declares no `notify` channel" in warning
    assert "Art. 19" in warning


def test_art19_sub_processor_and_third_party_without_channel_warn() -> None:
    text = edit(BASE, HOST_NOTIFY, HOST_NOTIFY + "    sub_processors:\n"
                "      - {key: vault, name: Vault Oy, service: Backups, country: FI}\n")
    text = edit(text, "      - processor: host\n",
                "      - processor: host\n      - third_party: Tax authority\n")
    warnings = load_policy_text_report(text, "acme.yaml").warnings
    assert len(warnings) == 2
    assert warnings[0].startswith(f"acme.yaml:{line_of(text, 'key: vault')}:")
    assert "sub-processor 'vault'" in warnings[0]
    assert warnings[1].startswith(f"acme.yaml:{line_of(text, 'third_party: Tax authority')}:")
    assert "third party 'Tax authority'" in warnings[1]
    # With a channel each, the policy is clean.
    text = edit(text, "country: FI}", "country: FI,\n"
                "          notify: {channel: task}}")
    text = edit(text, "      - third_party: Tax authority\n",
                "      - third_party: Tax authority\n"
                "        notify: {channel: http, url: 'https://tax.example.com/hook', "
                "secret_env: TAX_HOOK_KEY}\n")
    assert load_policy_text_report(text, "acme.yaml").warnings == []


@pytest.mark.parametrize(
    ("notify", "message"),
    [
        ("{channel: mail}", "the mail channel needs `email`"),
        ("{channel: http, url: 'https://host.example.com/art19'}", "needs `url` and `secret_env`"),
        ("{channel: mail, email: not-an-address}", "email"),
        ("{channel: http, url: 'javascript:alert(1)', secret_env: KEY}", "url"),
    ],
)
def test_art19_bad_notify_block_is_an_error_on_its_line(notify: str, message: str) -> None:
    text = edit(BASE, HOST_NOTIFY, f"    notify: {notify}\n")
    msg = one_problem(text, f"notify: {notify}")
    assert "processors[host].notify" in msg and message in msg


def test_art20_field_source_keeps_old_provided_flag_valid() -> None:
    # Old policies: `provided: false` means made by the company.
    assert FieldSpec(name="score", provided=False).source is FieldSource.derived
    assert FieldSpec(name="email").source is FieldSource.provided
    # New policies: `provided` follows the source.
    assert FieldSpec(name="at", source="observed").provided is True
    assert FieldSpec(name="note", source="staff").provided is False
    assert FieldSpec(name="note", source="staff").portable is False
    assert FieldSpec(name="ip", source="observed", provided=True).portable is True


def test_art20_contradicting_source_and_provided_is_an_error_on_its_line() -> None:
    text = edit(BASE, "          - {name: body}\n",
                "          - {name: body, source: staff, provided: true}\n")
    msg = one_problem(text, "source: staff, provided: true")
    assert "provided: true contradicts source: staff" in msg
    text = edit(BASE, "          - {name: body}\n", "          - {name: body, source: typed}\n")
    msg = one_problem(text, "source: typed")
    assert "source" in msg and "provided" in msg and "observed" in msg
