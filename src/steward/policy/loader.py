"""Load a policy from a YAML file or a folder of YAML files, with line-numbered problems.

`load_policy(path)` returns a validated `Policy` or raises `PolicyError` listing every problem
found as `file:line:column: field.path: message` (1-based). YAML is parsed by libyaml with
YAML 1.2 core-schema scalars (`yamlnodes.py`: `NO` and `on` stay strings). Problems are
collected in stages: YAML syntax and duplicate keys (all files), then merging and the model's
field checks, then the cross-reference checks of `crossrefs.py`; a later stage runs only when
the earlier ones passed, because its findings would otherwise be noise.

Folder semantics (files `*.yaml` / `*.yml`, sorted by name): top-level keys merge; lists under
the same key are concatenated in file order (also inside mappings, e.g. `consent.purposes`);
mappings (e.g. `authorities`) merge key by key; the same scalar key in two files is an error
naming both places.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, get_origin

from pydantic import BaseModel, ValidationError

from steward.errors import PolicyError
from steward.policy.models import Policy
from steward.policy.sources import Location, Path_, SourceMap
from steward.policy.validation_messages import describe_errors
from steward.policy.yamlnodes import NodeIndex, parse_file

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadedPolicy:
    """A validated policy with where each value came from, and the non-fatal warnings."""

    policy: Policy
    sources: SourceMap
    base_dir: Path
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def load_policy(path: Path) -> Policy:
    """Load and check the policy at `path` (file or folder); raise PolicyError on any problem."""
    return load_policy_report(path).policy


def load_policy_text(text: str, name: str = "policy.yaml", base_dir: Path | None = None) -> Policy:
    """Load and check a policy from YAML text; `name` is the file name used in problems."""
    return load_policy_text_report(text, name, base_dir).policy


def load_policy_report(path: Path) -> LoadedPolicy:
    """Like `load_policy`, but also return source positions and warnings."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in YAML_SUFFIXES)
        if not files:
            raise PolicyError([f"{path}:1:1: (policy): no *.yaml or *.yml files in this folder"])
        base_dir = path
    elif path.is_file():
        files, base_dir = [path], path.parent
    else:
        raise PolicyError([f"{path}:1:1: (policy): no such file or folder; set STEWARD_POLICY "
                           "to the folder (or file) holding your policy's YAML"])
    sources: list[tuple[str, str]] = []
    for f in files:
        try:
            sources.append((str(f), f.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as err:
            raise PolicyError([f"{f}:1:1: (policy): cannot read the file: {err}"]) from None
    return _load(sources, base_dir)


def load_policy_text_report(
    text: str, name: str = "policy.yaml", base_dir: Path | None = None
) -> LoadedPolicy:
    return _load([(name, text)], base_dir or Path.cwd())


# --- stages ----------------------------------------------------------------------------------


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector. A load allocates ~100,000 long-lived objects (nodes,
    values, models) and no garbage cycles; with the collector on, the growing heap is scanned
    again and again (about a third of the load's CPU time for a large policy). The objects are
    scanned once later instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(files: list[tuple[str, str]], base_dir: Path) -> LoadedPolicy:
    with paused_gc():
        return _load_files(files, base_dir)


def _load_files(files: list[tuple[str, str]], base_dir: Path) -> LoadedPolicy:
    from steward.policy.crossrefs import check_policy
    from steward.policy.report import Report
    from steward.policy.resolve import resolve

    problems: list[str] = []
    index = NodeIndex()
    docs: list[tuple[str, dict[Any, Any]]] = []
    for name, text in files:
        parsed = parse_file(name, text, index)
        if parsed.problems:
            problems.extend(parsed.problems)
        elif isinstance(parsed.value, dict):
            docs.append((name, parsed.value))
        elif parsed.value is not None:
            problems.append(f"{name}:1:1: (policy): the top level must be a mapping of sections")
    if problems:
        raise PolicyError(problems)
    if not docs:
        raise PolicyError([f"{files[0][0]}:1:1: (policy): the policy is empty"])

    merged: dict[str, Any] = {}
    index.start(merged)
    sources = SourceMap(default=Location(docs[0][0], 1, 1), data=merged, index=index)
    for _name, doc in docs:
        _merge_mapping(merged, doc, (), sources, index, problems)
    try:
        policy = Policy.model_validate(merged)
    except ValidationError as err:
        problems.extend(describe_errors(err.errors(), sources))
        raise PolicyError(problems) from None
    if problems:
        raise PolicyError(problems)

    # Systems' tables (from Fides datasets) and taxonomy categories, decided once for all.
    resolved = Report(sources)
    policy = resolve(policy, resolved, base_dir)
    findings = check_policy(policy, sources, base_dir)
    if findings.errors:
        raise PolicyError(findings.errors)
    warnings = resolved.findings.warnings + findings.warnings
    return LoadedPolicy(policy, sources, base_dir, warnings, [n for n, _ in docs])


# --- merging the files -----------------------------------------------------------------------


def _merge_mapping(
    target: dict[Any, Any],
    doc: dict[Any, Any],
    path: Path_,
    sources: SourceMap,
    index: NodeIndex,
    problems: list[str],
) -> None:
    """Merge `doc` into `target` (lists concatenate, mappings merge key by key); a key set in
    both that cannot merge is a problem naming both places. Positions follow through `index`."""
    index.absorb(target, doc)
    for key, value in doc.items():
        here = (*path, key)
        if key not in target:
            target[key] = value
            continue
        existing = target[key]
        if isinstance(existing, list) and isinstance(value, list):
            existing.extend(value)
            index.absorb(existing, value)
        elif (
            isinstance(existing, dict)
            and isinstance(value, dict)
            and _generic(path) not in _item_maps()
        ):
            _merge_mapping(existing, value, here, sources, index, problems)
        else:
            first = sources.locate(here)
            second = index.entry(doc, key) or sources.default
            problems.append(
                f"{second}: {_dotted(here)}: defined twice, here and at {first} "
                "(only lists and mappings merge across files)"
            )


@cache
def _item_maps() -> frozenset[tuple[str, ...]]:
    """Paths of mappings whose values are whole items (e.g. `authorities` by country): such
    a key in two files is one conflict, not a merge of the two items' fields."""
    out: set[tuple[str, ...]] = set()

    def walk(model: type[BaseModel], path: tuple[str, ...]) -> None:
        for name, info in model.model_fields.items():
            ann = info.annotation
            if get_origin(ann) is dict:
                out.add((*path, name))
            elif isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, (*path, name))

    walk(Policy, ())
    return frozenset(out)


def _generic(path: Path_) -> tuple[str, ...]:
    return tuple(p for p in path if isinstance(p, str))


def _dotted(path: Path_) -> str:
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", ".".join(str(p) for p in path))
