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

Mapping: a collection is a table; each `fides_meta.identity` names an identity column (several
columns of one type become a list, e.g. `email: [alt_email, email]`); fields marked
`primary_key` make the key (several: a composite key); a collection that marks none gets its key
from the live database (`keys_from_database`, filled in by the registry or `import-fides`). The
first non-`system` data category of a field becomes its category. A reference with direction
`from` (or none) makes this field point at the referenced one; `to` makes the referenced field
point at this one. Erasure follows Fides' masking: tables are `erase: null` (rows kept), fields
without a `user` category are kept, and the masking overrides `null_rewrite` / `hash` /
`random_string_rewrite` map to `null` / `hash` / `mask`. What cannot be carried over (nested
fields, references to other datasets, `read_only`, collection-level options, other masking
strategies) is reported in `notes`, each naming the dataset, collection and field.

`resolve_system` is the one place a system's tables are decided: those declared under `tables`,
plus its `fides_dataset`'s. The policy loader calls it once per system.
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
from steward.policy.models import EraseAction, FieldSpec, Reference, SystemSpec, TableSpec

_MASKING = {
    "null_rewrite": EraseAction.null,
    "hash": EraseAction.hash,
    "random_string_rewrite": EraseAction.mask,
    "string_rewrite": EraseAction.mask,
}


@dataclass
class Imported:
    """Tables per dataset key, what could not be carried over (`notes`, each naming the
    dataset, collection and field), and per dataset the collections that declare no primary
    key (`keyless`: their key is taken from the live database)."""

    datasets: dict[str, list[TableSpec]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    keyless: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


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
        tables, keyless = _tables(dataset, out.notes, _written_order(entry))
        out.datasets[dataset.fides_key] = tables
        out.keyless[dataset.fides_key] = keyless
        out.names[dataset.fides_key] = dataset.name or dataset.fides_key
    return out


def _written_order(entry: Any) -> dict[str, dict[str, int]]:
    """Collection -> field -> its position in the file. fideslang's model sorts fields by
    name; the written order is kept (the columns of a composite key are in key order)."""
    out: dict[str, dict[str, int]] = {}
    for coll in entry.get("collections") or [] if isinstance(entry, Mapping) else []:
        if isinstance(coll, Mapping):
            fields = [f.get("name") for f in coll.get("fields") or [] if isinstance(f, Mapping)]
            out[str(coll.get("name"))] = {str(n): i for i, n in enumerate(fields)}
    return out


def _personal(categories: list[str]) -> bool:
    return any(c == "user" or c.startswith("user.") for c in categories)


def _tables(
    dataset: Any, notes: list[str], order: dict[str, dict[str, int]]
) -> tuple[list[TableSpec], list[str]]:
    key = dataset.fides_key
    specs: dict[str, dict[str, Any]] = {}
    for coll in dataset.collections:
        specs[coll.name] = {"name": coll.name, "identities": {}, "references": [], "fields": [],
                            "keys": []}
    for coll in dataset.collections:
        spec = specs[coll.name]
        where = f"{key}.{coll.name}"
        _collection_meta(coll, where, notes)
        written = order.get(coll.name, {})
        for f in sorted(coll.fields, key=lambda f: written.get(f.name, len(written))):
            meta = f.fides_meta
            if f.fields:
                notes.append(f"{where}.{f.name}: nested fields are not supported and were "
                             "not imported (the field itself is kept)")
            categories = [str(c) for c in (f.data_categories or [])]
            item: dict[str, Any] = {"name": f.name}
            personal = [c for c in categories if not c.startswith("system.")]
            if personal:
                item["category"] = personal[0]
            if len(personal) > 1:
                notes.append(f"{where}.{f.name}: several data categories; the first "
                             f"({personal[0]}) is used")
            # Fides' default erasure masks fields of `user` categories and keeps the row;
            # other fields are left as they are.
            if not _personal(categories):
                item["erase"] = EraseAction.keep
            if meta is not None and meta.masking_strategy_override is not None:
                strategy = getattr(meta.masking_strategy_override, "strategy", None)
                if strategy in _MASKING:
                    item["erase"] = _MASKING[strategy]
                else:
                    notes.append(f"{where}.{f.name}: masking strategy {strategy!r} is not "
                                 "supported; the field is blanked instead")
            spec["fields"].append(item)
            if meta is None:
                continue
            if meta.primary_key:
                spec["keys"].append(f.name)
            _field_meta(meta, f"{where}.{f.name}", notes)
            if meta.identity:
                # Several columns may hold one identity type (email and alt_email): each is
                # searched.
                spec["identities"].setdefault(str(meta.identity), []).append(f.name)
            for ref in meta.references or []:
                target_coll, _, target_field = str(ref.field).partition(".")
                if ref.dataset != key or target_coll not in specs or not target_field:
                    notes.append(
                        f"{where}.{f.name}: reference to {ref.dataset}.{ref.field} "
                        "is outside this dataset and was not imported"
                    )
                    continue
                if "." in target_field:
                    notes.append(f"{where}.{f.name}: reference to the nested field "
                                 f"{ref.field} is not supported and was not imported")
                    continue
                if ref.direction == "to":
                    specs[target_coll]["references"].append(
                        {"field": target_field, "to": f"{coll.name}.{f.name}"}
                    )
                else:
                    spec["references"].append({"field": f.name, "to": ref.field})
    tables, keyless = [], []
    for s in specs.values():
        keys: list[str] = s["keys"]
        if not keys:
            keyless.append(s["name"])
        pk: str | list[str] = keys[0] if len(keys) == 1 else (keys or "id")
        # Key and reference columns are structure, not personal fields: leave them out unless
        # they carry a personal category.
        structural = {*([pk] if isinstance(pk, str) else pk)}
        structural |= {r["field"] for r in s["references"]}
        fields = [f for f in s["fields"] if f["name"] not in structural or "category" in f]
        # Fides masks fields and keeps rows: the table's action is `null`.
        tables.append(TableSpec(
            name=s["name"],
            primary_key=pk,
            identities={k: v[0] if len(v) == 1 else v for k, v in s["identities"].items()},
            references=[Reference(**r) for r in s["references"]],
            fields=[FieldSpec(**f) for f in fields],
            erase=EraseAction.null,
        ))
    return tables, keyless


def _collection_meta(coll: Any, where: str, notes: list[str]) -> None:
    meta = coll.fides_meta
    if meta is None:
        return
    for name in ("after", "erase_after", "skip_processing", "masking_strategy_override",
                 "partitioning"):
        if getattr(meta, name, None):
            notes.append(f"{where}: fides_meta.{name} is not supported and was ignored")


def _field_meta(meta: Any, where: str, notes: list[str]) -> None:
    if meta.read_only:
        notes.append(f"{where}: fides_meta.read_only is not supported: the field is erased "
                     "like the others unless a masking override says otherwise")
    for name in ("return_all_elements", "custom_request_field"):
        if getattr(meta, name, None):
            notes.append(f"{where}: fides_meta.{name} is not supported and was ignored")


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
    return _yaml({"tables": [t.model_dump(mode="json", exclude_defaults=True) for t in tables]})


def system_yaml(system: SystemSpec) -> str:
    """A policy file holding one system, ready to be placed in a policy folder."""
    return _yaml({"systems": [system.model_dump(mode="json", exclude_defaults=True)]})


def _yaml(data: Any) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


# --- a system's tables: the one place they are decided ---------------------------------------


@dataclass
class Resolved:
    """A system with its tables decided, and what its dataset could not carry over."""

    system: SystemSpec
    notes: list[str] = field(default_factory=list)


def dataset_path(system: SystemSpec, policy_dir: Path | None) -> Path | None:
    if not system.fides_dataset:
        return None
    path = Path(system.fides_dataset)
    if not path.is_absolute() and policy_dir is not None:
        path = policy_dir / path
    return path


def resolve_system(system: SystemSpec, policy_dir: Path | None) -> Resolved:
    """The single source of a system's tables: those declared under `tables`, plus those of
    its `fides_dataset` file (relative to `policy_dir`) not declared by name (a declared table
    overrides the dataset's). Of several datasets in the file, the one whose fides_key is the
    system's key. Tables whose key the dataset does not declare are listed in
    `system.keys_from_database`. Raises InvalidInput if the file cannot be read. Resolving a
    resolved system returns it unchanged."""
    path = dataset_path(system, policy_dir)
    if path is None or system._resolved:
        return Resolved(system)
    imported = read_datasets(path)
    key = system.key if system.key in imported.datasets else None
    tables = pick(imported, key, str(path))
    fides_key = key or next(iter(imported.datasets))
    declared = {t.name for t in system.tables}
    added = [t for t in tables if t.name not in declared]
    out = system.model_copy(update={"tables": [*system.tables, *added]})
    out._keys_from_database = frozenset(imported.keyless.get(fides_key, [])) & {
        t.name for t in added
    }
    out._resolved = True
    return Resolved(out, imported.notes)


def unreadable(system: SystemSpec, reason: str) -> SystemSpec:
    """`system` marked as resolved without its dataset's tables, keeping why."""
    out = system.model_copy()
    out._resolved, out._dataset_error = True, reason
    return out


def with_keys(system: SystemSpec, keys: Mapping[str, list[str]]) -> SystemSpec:
    """`system` with the primary keys of `keys` (table -> columns, e.g. read from the live
    database) set on the tables that declare none."""
    todo = {t: k for t, k in keys.items() if t in system.keys_from_database and k}
    if not todo:
        return system
    tables = [
        t.model_copy(update={"primary_key": todo[t.name][0] if len(todo[t.name]) == 1
                             else list(todo[t.name])})
        if t.name in todo else t
        for t in system.tables
    ]
    out = system.model_copy(update={"tables": tables})
    out._keys_from_database = system.keys_from_database - set(todo)
    return out
