"""Collecting cross-reference findings as line-numbered errors and warnings."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from steward.policy.sources import Path_, SourceMap


@dataclass
class Findings:
    """Errors fail validation; warnings are shown but do not."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Report:
    """Formats findings with the position of their path (see `SourceMap.problem`)."""

    def __init__(self, sources: SourceMap) -> None:
        self.sources = sources
        self.findings = Findings()

    def error(self, path: Path_, message: str) -> None:
        self.findings.errors.append(self.sources.problem(path, message))

    def warn(self, path: Path_, message: str) -> None:
        self.findings.warnings.append(self.sources.problem(path, f"warning: {message}"))

    def where(self, path: Path_) -> str:
        loc = self.sources.locate(path)
        return f"{loc.file}:{loc.line}"

    def unique(self, items: Iterable[Any], path: Path_, attr: str = "key") -> dict[str, int]:
        """Index of `attr` -> position in the list; a repeated value is an error."""
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            value = getattr(item, attr)
            if value in seen:
                self.error(
                    (*path, i, attr),
                    f"duplicate {attr} {value!r} in {path[-1]} "
                    f"(first at {self.where((*path, seen[value], attr))})",
                )
            else:
                seen[value] = i
        return seen

    def known(self, value: str, known: Iterable[str], path: Path_, what: str) -> bool:
        """Report `value` as undefined unless it is among `known`."""
        names = known if isinstance(known, dict | set | frozenset) else set(known)
        if value in names:
            return True
        close = difflib.get_close_matches(value, list(names), n=1)
        if close:
            hint = f"did you mean {close[0]!r}?"
        else:
            shown = sorted(names)
            more = f", ... ({len(shown)} in all)" if len(shown) > 8 else ""
            hint = f"defined: {', '.join(shown[:8])}{more}" if shown else "none defined"
        self.error(path, f"undefined {what} {value!r} ({hint})")
        return False
