"""Fides interop: a fideslang dataset (YAML) becomes Steward `TableSpec`s.

    dataset:
      - fides_key: app_db
        collections:
          - name: customer
            fields:
              - name: id
                fides_meta: {primary_key: true}
              - name: email
                data_categories: [user.contact.email]
                fides_meta: {identity: email}
          - name: orders
            fields:
              - name: customer_id
                fides_meta:
                  references: [{dataset: app_db, field: customer.id, direction: from}]

Mapping: a collection is a table; `fides_meta.identity` names an identity column;
`primary_key: true` the primary key (default `id`); the first data category of a field becomes
its category. A reference with direction `from` (or none) makes this field point at the
referenced one; `to` makes the referenced field point at this one. References to other
datasets, and nested fields, cannot be expressed in one system and are reported as notes.
Fides masking overrides `null_rewrite` / `hash` / `random_string_rewrite` map to
`null` / `hash` / `mask`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from steward.errors import InvalidInput
from steward.policy.models import EraseAction, FieldSpec, Reference, TableSpec

_MASKING = {
    "null_rewrite": EraseAction.null,
    "hash": EraseAction.hash,
    "random_string_rewrite": EraseAction.mask,
    "string_rewrite": EraseAction.mask,
}


@dataclass
class Imported:
    """Tables per dataset key, and notes on what could not be carried over."""

    datasets: dict[str, list[TableSpec]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_datasets(path: Path) -> Imported:
    """Read and validate (through fideslang's own model) every dataset in a YAML file."""
    try:
        doc = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InvalidInput(f"cannot read {path}: {err.strerror}") from None
    except YAMLError as err:
        raise InvalidInput(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    return import_datasets(doc, source=str(path))


def import_datasets(doc: Any, *, source: str = "dataset") -> Imported:
    """Convert a parsed fideslang document (`{dataset: [...]}` or one dataset mapping)."""
    from fideslang.models import Dataset

    entries = doc.get("dataset", [doc]) if isinstance(doc, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise InvalidInput(f"{source}: expected a `dataset:` list of fideslang datasets")
    out = Imported()
    for i, entry in enumerate(entries):
        try:
            dataset = Dataset.model_validate(entry)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise InvalidInput(f"{source}: dataset[{i}].{where}: {first['msg']}") from None
        out.datasets[dataset.fides_key] = _tables(dataset, out.notes)
    return out


def _tables(dataset: Any, notes: list[str]) -> list[TableSpec]:
    key = dataset.fides_key
    specs: dict[str, dict[str, Any]] = {}
    for coll in dataset.collections:
        specs[coll.name] = {"name": coll.name, "identities": {}, "references": [], "fields": []}
    for coll in dataset.collections:
        spec = specs[coll.name]
        for f in coll.fields:
            meta = f.fides_meta
            if f.fields:
                notes.append(f"{key}.{coll.name}.{f.name}: nested fields are not imported")
            categories = [c for c in (f.data_categories or []) if not c.startswith("system.")]
            item: dict[str, Any] = {"name": f.name}
            if categories:
                item["category"] = categories[0]
            if meta is not None and meta.masking_strategy_override is not None:
                strategy = getattr(meta.masking_strategy_override, "strategy", None)
                if strategy in _MASKING:
                    item["erase"] = _MASKING[strategy]
            if meta is not None and meta.primary_key:
                spec["primary_key"] = f.name
            spec["fields"].append(item)
            if meta is None:
                continue
            if meta.identity:
                spec["identities"][str(meta.identity)] = f.name
            for ref in meta.references or []:
                target_coll, _, target_field = str(ref.field).partition(".")
                if ref.dataset != key or target_coll not in specs or not target_field:
                    notes.append(
                        f"{key}.{coll.name}.{f.name}: reference to {ref.dataset}.{ref.field} "
                        "is outside this dataset and was not imported"
                    )
                    continue
                if ref.direction == "to":
                    specs[target_coll]["references"].append(
                        {"field": target_field, "to": f"{coll.name}.{f.name}"}
                    )
                else:
                    spec["references"].append({"field": f.name, "to": ref.field})
    tables = []
    for s in specs.values():
        pk = s.get("primary_key", "id")
        # Key columns are structure, not personal fields: leave them out unless categorized.
        keys = {pk} | {r["field"] for r in s["references"]}
        tables.append(TableSpec(
            name=s["name"],
            primary_key=pk,
            identities=s["identities"],
            references=[Reference(**r) for r in s["references"]],
            fields=[
                FieldSpec(**f) for f in s["fields"] if f["name"] not in keys or "category" in f
            ],
        ))
    return tables


def tables_from_file(path: Path, dataset_key: str | None = None) -> list[TableSpec]:
    """The tables of one dataset in the file: `dataset_key`, or the only one there is."""
    imported = read_datasets(path)
    return pick(imported, dataset_key, str(path))


def pick(imported: Imported, dataset_key: str | None, source: str) -> list[TableSpec]:
    if dataset_key is not None:
        if dataset_key not in imported.datasets:
            raise InvalidInput(
                f"{source} has no dataset {dataset_key!r} "
                f"(it has: {', '.join(imported.datasets)})"
            )
        return imported.datasets[dataset_key]
    if len(imported.datasets) != 1:
        raise InvalidInput(
            f"{source} holds several datasets ({', '.join(imported.datasets)}): choose one"
        )
    return next(iter(imported.datasets.values()))


def tables_yaml(tables: list[TableSpec]) -> str:
    """A `tables:` YAML block to paste under a system in the policy."""
    data = {"tables": [t.model_dump(mode="json", exclude_defaults=True) for t in tables]}
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()
