"""The JSON Schema of the policy, generated from the pydantic models.

Editors (yaml-language-server) use it for completion and inline checks. A policy may be split
over several files, each holding some of the top-level sections, so the top level requires
nothing: `steward policy validate` checks completeness and cross-references.
"""

from __future__ import annotations

import json
from typing import Any

from steward.policy.models import Policy

SCHEMA_ID = "https://steward.example/policy.schema.json"


def policy_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a policy document or of one file of a policy folder."""
    schema = Policy.model_json_schema(mode="validation")
    schema.pop("required", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "Steward privacy policy",
        "description": (
            "A privacy policy as code: controller, purposes, processing activities, retention, "
            "consent, processors, systems, rights, breaches and notice texts. A policy may be "
            "one file or a folder of files whose top-level sections are merged; "
            "`steward policy validate` checks the whole."
        ),
    }


def policy_schema_text() -> str:
    """The schema as stable, indented JSON text ending in a newline (what is committed)."""
    return json.dumps(policy_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
