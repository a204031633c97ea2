"""Completing a validated policy with what it names but does not spell out.

`resolve(policy, report, base_dir)` returns the policy every other part of Steward reads:

- each system's tables decided once (`steward.policy.fides.resolve_system`): declared under
  `tables`, else read from its `fides_dataset` file. What the dataset could not carry over is a
  warning at the system's `fides_dataset` line; an unreadable file is a warning too, and the
  system then has no table (requests report it as not searched, never as "no data").
- fideslang's default data categories used in the policy (a field's `category`, an activity's
  or processor's `data_categories`, ...) without being declared under `data_categories` are
  added with the taxonomy's own name and description, so the notice and the Art. 30 record
  name them. A key outside the taxonomy still has to be declared (crossrefs reports it).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from steward.errors import InvalidInput
from steward.policy.models import DataCategory, Policy, SystemSpec
from steward.policy.report import Report


def resolve(policy: Policy, r: Report, base_dir: Path | None) -> Policy:
    systems = [_system(s, i, r, base_dir) for i, s in enumerate(policy.systems)]
    if any(a is not b for a, b in zip(systems, policy.systems, strict=True)):
        policy = policy.model_copy(update={"systems": systems})
    extra = taxonomy_categories(policy)
    if extra:
        policy = policy.model_copy(update={"data_categories": [*policy.data_categories, *extra]})
    return policy


def _system(system: SystemSpec, i: int, r: Report, base_dir: Path | None) -> SystemSpec:
    from steward.policy.fides import dataset_path, resolve_system, unreadable

    if not system.fides_dataset:
        return system
    try:
        resolved = resolve_system(system, base_dir)
    except InvalidInput as err:
        r.warn(
            ("systems", i, "fides_dataset"),
            f"cannot load fideslang dataset {str(dataset_path(system, base_dir))!r} "
            f"({err.detail}): table and field checks for this system are skipped, and requests "
            "report it as not searched",
        )
        return unreadable(system, f"cannot load its Fides dataset ({err.detail})")
    for note in resolved.notes:
        r.warn(("systems", i, "fides_dataset"), note)
    return resolved.system


@cache
def _taxonomy() -> dict[str, tuple[str, str | None]]:
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return {c.fides_key: (c.name or c.fides_key, c.description)
            for c in DEFAULT_TAXONOMY.data_category}


def used_categories(policy: Policy) -> list[str]:
    """Every data category key the policy refers to, in order of first mention."""
    keys: list[str] = []
    for act in policy.processing_activities:
        keys += act.data_categories
    for proc in policy.processors:
        keys += proc.data_categories
    for role in policy.processor_roles:
        keys += role.data_categories
    for system in policy.systems:
        for table in system.tables:
            for f in table.fields:
                keys += ([f.category] if f.category else []) + list(f.may_contain)
    return list(dict.fromkeys(keys))


def taxonomy_categories(policy: Policy) -> list[DataCategory]:
    """The fideslang default categories used but not declared, named as in the taxonomy."""
    declared = {c.key for c in policy.data_categories}
    taxonomy = _taxonomy()
    return [
        DataCategory(key=k, name=taxonomy[k][0], description=taxonomy[k][1])
        for k in used_categories(policy)
        if k not in declared and k in taxonomy
    ]
