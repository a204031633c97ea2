"""Where each value of a policy came from: file, line and column, by its path in the document.

Paths are the tuples pydantic uses in `err["loc"]`, e.g. `("purposes", 2, "legal_bases", 0)`;
validation and cross-reference checks turn a path into a `file:line:column: field.path:
message` line. Positions are looked up lazily: the loader hands over an `EntryIndex` (the YAML
nodes each dict and list was built from, see `yamlnodes.NodeIndex`) and `locate` walks the
merged data along the path, so nothing is computed for a policy without problems. Positions
may also be recorded explicitly with `add` (they take precedence).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based position in a policy file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class EntryIndex(Protocol):
    """Knows where `container[part]` was written, for the dicts and lists of the data."""

    def entry(self, container: Any, part: str | int) -> Location | None: ...


@dataclass
class SourceMap:
    """Path in the merged document -> Location, plus the merged data to name list items."""

    default: Location
    positions: dict[Path_, Location] = field(default_factory=dict)
    data: Any = None
    index: EntryIndex | None = None

    def add(self, path: Path_, location: Location) -> None:
        self.positions[path] = location

    def locate(self, path: Path_) -> Location:
        """The position of `path`, or of its longest recorded prefix (e.g. for a missing key)."""
        path = tuple(path)
        walked = self._walk(path)
        for n in range(len(path), 0, -1):
            loc = self.positions.get(path[:n])
            if loc is None and n <= len(walked):
                loc = walked[n - 1]
            if loc is not None:
                return loc
        return self.default

    def _walk(self, path: Path_) -> list[Location | None]:
        """Positions of each prefix of `path` present in the data, from the index."""
        out: list[Location | None] = []
        if self.index is None:
            return out
        node = self.data
        for part in path:
            if isinstance(node, dict) and part in node:
                nxt = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                nxt = node[part]
            else:
                break
            out.append(self.index.entry(node, part))
            node = nxt
        return out

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
                        label = _shown(ident)
                out += f"[{label}]"
                node = item
            else:
                out += f".{_shown(part)}" if out else _shown(part)
                node = node.get(part) if isinstance(node, dict) else None
        return out or "(policy)"

    def problem(self, path: Path_, message: str) -> str:
        return f"{self.locate(path)}: {self.dotted(path)}: {message}"


def _shown(name: str) -> str:
    """A key as it appears in a problem line: quoted when it is empty or holds a line break,
    a control character or surrounding spaces, so that each problem stays one line."""
    if name and name.isprintable() and name == name.strip():
        return name
    return repr(name)
