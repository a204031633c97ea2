"""Turn pydantic validation errors into `file:line:column: field.path: message` lines.

Pydantic's `loc` holds union member tags (`str`, `dict[constrained-str,str]`) next to field
names and list indexes; they are dropped by walking the location through the actual data. When
a union fails both as a string and deeper as a mapping, only the deeper error is kept: the
author clearly meant the mapping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from steward.legal.articles import ART_9_CONDITIONS, LEGAL_BASES
from steward.policy.sources import Path_, SourceMap

_TAG = re.compile(
    r"^(str|int|float|bool|date|none|constrained-.*|(dict|list|literal|function-\w+|"
    r"tagged-union|union|enum)\[.*\]|[A-Z]\w*)$"
)

# GDPR Art. 6(1) and Art. 9(2) letters, shown when an unknown letter is given.
_ART6 = ", ".join(f"{k} ({v})" for k, v in LEGAL_BASES.items())
_ART9 = ", ".join(f"{k} ({v})" for k, v in ART_9_CONDITIONS.items())


def _clean(loc: Sequence[Any], data: Any) -> tuple[Path_, Path_ | None]:
    """The real path of an error, and the prefix at which a union tag was dropped (if any)."""
    path: list[str | int] = []
    tag_at: Path_ | None = None
    node = data
    missing = False
    for part in loc:
        if part == "[key]":
            continue
        if missing:
            path.append(part)
            continue
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and _TAG.match(part):
            if tag_at is None:
                tag_at = tuple(path)
        else:
            path.append(part)
            missing = True
    return tuple(path), tag_at


def _message(err: dict[str, Any], path: Path_) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    last = next((p for p in reversed(path) if isinstance(p, str)), "")
    given = err.get("input")
    if kind == "enum" and last in ("legal_bases", "legal_basis"):
        return f"unknown legal basis {given!r}: use a letter of GDPR Art. 6(1): {_ART6}"
    if kind == "enum" and last == "art9_condition":
        return f"unknown Art. 9(2) condition {given!r}: use a letter of GDPR Art. 9(2): {_ART9}"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/policy.schema.json)"
    if kind == "missing":
        return "required field is missing"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg


def describe_errors(errors: Sequence[Any], sources: SourceMap) -> list[str]:
    """One line per problem, in document order, union alternatives folded together."""
    cleaned: list[tuple[Path_, Path_ | None, str]] = []
    for err in errors:
        path, tag_at = _clean(err["loc"], sources.data)
        cleaned.append((path, tag_at, _message(err, path)))
    # Drop a shallow union alternative when a sibling alternative failed deeper.
    keep: list[tuple[Path_, str]] = []
    for path, tag_at, msg in cleaned:
        if tag_at is not None and any(
            t == tag_at and len(p) > len(path) for p, t, _ in cleaned
        ):
            continue
        keep.append((path, msg))
    # Fold alternatives that failed at the same place into one line.
    merged: dict[Path_, list[str]] = {}
    for path, msg in keep:
        msgs = merged.setdefault(path, [])
        if msg not in msgs:
            msgs.append(msg)
    lines = []
    for path, msgs in merged.items():
        text = msgs[0]
        if len(msgs) > 1:
            text = " or ".join([msgs[0]] + [m[0].lower() + m[1:] for m in msgs[1:]])
            text = text.replace(
                "Input should be a valid string or input should be a valid dictionary",
                "Input should be a text, or a mapping of language code to text",
            )
        loc = sources.locate(path)
        lines.append((loc.file, loc.line, loc.column, sources.problem(path, text)))
    lines.sort(key=lambda t: (t[0], t[1], t[2]))
    return [t[3] for t in lines]
