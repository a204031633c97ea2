"""The committed JSON Schema is the one the models generate; examples point at it."""

from __future__ import annotations

import json

from policy.policy_helpers import PROMARK, ROOT
from steward.policy.schema import policy_schema, policy_schema_text


def test_committed_schema_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "policy.schema.json").read_text(encoding="utf-8")
    assert committed == policy_schema_text(), (
        "docs/policy.schema.json is stale: "
        "run `steward policy schema --out docs/policy.schema.json`"
    )


def test_schema_describes_sections_without_requiring_them() -> None:
    schema = policy_schema()
    assert "required" not in schema
    assert schema["additionalProperties"] is False
    assert {"purposes", "retention_rules", "systems", "consent"} <= set(schema["properties"])
    assert "Art. 30(1)" in schema["$defs"]["ProcessingActivity"]["description"]
    json.dumps(schema)


def test_every_example_file_points_at_the_schema() -> None:
    files = sorted(PROMARK.glob("*.yaml"))
    assert files
    for f in files:
        first = f.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../docs/policy.schema.json", f.name
