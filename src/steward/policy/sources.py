"""Where each value of a policy came from: file, line and column, by its path in the document.

The loader records a `Location` for every mapping entry and list item it reads (paths are the
tuples pydantic uses in `err["loc"]`, e.g. `("purposes", 2, "legal_bases", 0)`); validation and
cross-reference checks turn a path into a `file:line:column: field.path: message` line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based position in a policy file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class SourceMap:
    """Path in the merged document -> Location, plus the merged data to name list items."""

    default: Location
    positions: dict[Path_, Location] = field(default_factory=dict)
    data: Any = None

    def add(self, path: Path_, location: Location) -> None:
        self.positions[path] = location

    def locate(self, path: Path_) -> Location:
        """The position of `path`, or of its longest recorded prefix (e.g. for a missing key)."""
        for n in range(len(path), 0, -1):
            loc = self.positions.get(tuple(path[:n]))
            if loc is not None:
                return loc
        return self.default

    def dotted(self, path: Path_) -> str:
        """`purposes[marketing].legal_bases[0]`: list items shown by their key if they have one."""
        out = ""
        node = self.data
        for part in path:
            if isinstance(part, int):
                label: str | int = part
                item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
                if isinstance(item, dict):
                    ident = item.get("key", item.get("name"))
                    if isinstance(ident, str) and ident:
                        label = ident
                out += f"[{label}]"
                node = item
            else:
                out += f".{part}" if out else str(part)
                node = node.get(part) if isinstance(node, dict) else None
        return out or "(policy)"

    def problem(self, path: Path_, message: str) -> str:
        return f"{self.locate(path)}: {self.dotted(path)}: {message}"
