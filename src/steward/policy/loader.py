"""Load a policy from a YAML file or a folder of YAML files, with line-numbered problems.

`load_policy(path)` returns a validated `Policy` or raises `PolicyError` listing every problem
found as `file:line:column: field.path: message` (1-based). Problems are collected in stages:
YAML syntax and duplicate keys (all files), then merging and the model's field checks, then the
cross-reference checks of `crossrefs.py`; a later stage runs only when the earlier ones passed,
because its findings would otherwise be noise.

Folder semantics (files `*.yaml` / `*.yml`, sorted by name): top-level keys merge; lists under
the same key are concatenated in file order (also inside mappings, e.g. `consent.purposes`);
mappings (e.g. `authorities`) merge key by key; the same scalar key in two files is an error
naming both places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, get_origin

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from steward.errors import PolicyError
from steward.policy.models import Policy
from steward.policy.sources import Location, Path_, SourceMap
from steward.policy.validation_messages import describe_errors

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
        raise PolicyError([f"{path}:1:1: (policy): no such file or folder"])
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


def _load(files: list[tuple[str, str]], base_dir: Path) -> LoadedPolicy:
    from steward.policy.crossrefs import check_policy

    problems: list[str] = []
    docs: list[tuple[str, CommentedMap]] = []
    for name, text in files:
        doc = _parse(name, text, problems)
        if doc is not None:
            docs.append((name, doc))
    if problems:
        raise PolicyError(problems)
    if not docs:
        raise PolicyError([f"{files[0][0]}:1:1: (policy): the policy is empty"])

    sources = SourceMap(default=Location(docs[0][0], 1, 1))
    merged: dict[str, Any] = {}
    for name, doc in docs:
        _merge_mapping(merged, doc, (), name, sources, problems)
    sources.data = merged
    try:
        policy = Policy.model_validate(merged)
    except ValidationError as err:
        problems.extend(describe_errors(err.errors(), sources))
        raise PolicyError(problems) from None
    if problems:
        raise PolicyError(problems)

    findings = check_policy(policy, sources, base_dir)
    if findings.errors:
        raise PolicyError(findings.errors)
    return LoadedPolicy(policy, sources, base_dir, findings.warnings, [n for n, _ in docs])


def _parse(name: str, text: str, problems: list[str]) -> CommentedMap | None:
    """Round-trip load one file (keeps line/column of every node); None if empty or broken."""
    yaml = YAML(typ="rt")
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as err:
        if "duplicate key" in str(err.problem or ""):
            # ruamel stops at the first duplicate; walk the node graph to report them all.
            before = len(problems)
            _report_duplicates(name, yaml.compose(text), (), problems)
            if len(problems) > before:
                return None
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(x for x in (err.context, err.problem) if x) or "invalid YAML"
        problems.append(f"{name}:{line}:{col}: (yaml): {what}")
        return None
    except Exception as err:  # noqa: BLE001 - e.g. a reader error on control characters
        problems.append(f"{name}:1:1: (yaml): {err.__class__.__name__}: {err}")
        return None
    if doc is None:
        return None
    if not isinstance(doc, CommentedMap):
        problems.append(f"{name}:1:1: (policy): the top level must be a mapping of sections")
        return None
    return doc


def _report_duplicates(name: str, node: Node | None, path: Path_, problems: list[str]) -> None:
    if isinstance(node, MappingNode):
        seen: dict[Any, Node] = {}
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            if isinstance(key, str) and key in seen:
                first = seen[key].start_mark.line + 1
                m = key_node.start_mark
                where = ".".join(str(p) for p in (*path, key))
                problems.append(
                    f"{name}:{m.line + 1}:{m.column + 1}: {where}: "
                    f"duplicate key {key!r} (first defined at line {first})"
                )
            elif isinstance(key, str):
                seen[key] = key_node
            _report_duplicates(name, value_node, (*path, str(key)), problems)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _report_duplicates(name, item, (*path, i), problems)


# --- merging with positions ------------------------------------------------------------------


def _loc(name: str, line_col: Any) -> Location:
    line, col = line_col[0], line_col[1]
    return Location(name, int(line) + 1, int(col) + 1)


def _entry_location(name: str, node: CommentedMap, key: Any) -> Location:
    # Scalars: point at the value (same line as the key, more precise column); collections:
    # point at the key, because a block collection's value starts on the next line.
    value = node[key]
    if isinstance(value, CommentedMap | CommentedSeq):
        return _loc(name, node.lc.key(key))
    return _loc(name, node.lc.value(key))


def _plain(node: Any, path: Path_, name: str, sources: SourceMap) -> Any:
    """Copy a ruamel node into plain Python values, recording every position on the way."""
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key in node:
            skey = key if isinstance(key, str | int) else str(key)
            sources.add((*path, skey), _entry_location(name, node, key))
            out[skey] = _plain(node[key], (*path, skey), name, sources)
        return out
    if isinstance(node, CommentedSeq):
        return _plain_items(node, path, name, sources, 0)
    return _scalar(node)


def _plain_items(
    node: CommentedSeq, path: Path_, name: str, sources: SourceMap, start: int
) -> list[Any]:
    items = []
    for i, item in enumerate(node):
        sources.add((*path, start + i), _loc(name, node.lc.item(i)))
        items.append(_plain(item, (*path, start + i), name, sources))
    return items


def _scalar(value: Any) -> Any:
    # ruamel's round-trip scalar subclasses (ScalarFloat, ScalarInt, ScalarBoolean, ...)
    # become plain values so that models compare and serialize normally.
    if isinstance(value, bool) or value is None:
        return value if value is None else bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return value


def _merge_mapping(
    target: dict[str, Any],
    node: CommentedMap,
    path: Path_,
    name: str,
    sources: SourceMap,
    problems: list[str],
) -> None:
    for key in node:
        skey = key if isinstance(key, str | int) else str(key)
        here = (*path, skey)
        value = node[key]
        if skey not in target:
            sources.add(here, _entry_location(name, node, key))
            target[skey] = _plain(value, here, name, sources)
            continue
        existing = target[skey]
        if isinstance(existing, list) and isinstance(value, CommentedSeq):
            existing.extend(_plain_items(value, here, name, sources, len(existing)))
        elif (
            isinstance(existing, dict)
            and isinstance(value, CommentedMap)
            and _generic(path) not in _item_maps()
        ):
            _merge_mapping(existing, value, here, name, sources, problems)
        else:
            first = sources.locate(here)
            second = _entry_location(name, node, key)
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
