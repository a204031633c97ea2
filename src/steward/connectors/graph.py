"""The dataset graph of one system: a pure function of its `SystemSpec`, no I/O.

Tables are nodes; each `Reference` (child.field -> parent.column) is an edge from the parent to
the child. Traversal runs parents before children (`order`), so one pass over the tables in that
order follows references any number of hops deep. Erasure runs the other way (`reverse_order`):
dependants are deleted before the rows they point at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from steward.errors import InvalidInput
from steward.policy.models import SystemSpec, TableSpec


@dataclass(frozen=True, slots=True)
class Edge:
    """`child.child_field` holds values of `parent.parent_column`."""

    child: str
    child_field: str
    parent: str
    parent_column: str


@dataclass(frozen=True)
class DatasetGraph:
    """Tables of one system, their identity columns and references, in traversal order."""

    system: str
    tables: dict[str, TableSpec]
    edges: tuple[Edge, ...]
    order: tuple[str, ...]  # parents before children
    _depth: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def reverse_order(self) -> tuple[str, ...]:
        """Children before parents: the order in which rows may be deleted."""
        return tuple(reversed(self.order))

    def table(self, name: str) -> TableSpec:
        try:
            return self.tables[name]
        except KeyError:
            raise InvalidInput(
                f"system {self.system!r} has no table {name!r} "
                f"(known: {', '.join(sorted(self.tables))})"
            ) from None

    def parents_of(self, table: str) -> list[Edge]:
        """Edges where `table` is the child (its foreign keys)."""
        return [e for e in self.edges if e.child == table]

    def children_of(self, table: str) -> list[Edge]:
        """Edges where `table` is the parent (tables pointing at it)."""
        return [e for e in self.edges if e.parent == table]

    def identity_columns(self, table: str) -> tuple[tuple[str, str], ...]:
        """(identity type, column) pairs of one table; a type may have several columns."""
        return self.table(table).identity_pairs

    def identity_types(self) -> set[str]:
        """Every identity type some table of this system can be searched by."""
        return {t for spec in self.tables.values() for t in spec.identities}

    def depth(self, table: str) -> int:
        """Hops from the nearest table with identity columns (0 for those tables)."""
        return self._depth.get(table, 0)

    def columns(self, table: str) -> list[str]:
        """The declared columns of a table: primary key, identities, references (both ends),
        fields and restriction flag, in a stable order without duplicates. Only these are
        ever selected: a connector never reads a column the policy does not declare."""
        spec = self.table(table)
        cols: list[str] = [spec.primary_key]
        cols += list(spec.identity_column_names)
        cols += [e.child_field for e in self.parents_of(table)]
        cols += [e.parent_column for e in self.children_of(table)]
        cols += [f.name for f in spec.fields]
        if spec.restriction_flag:
            cols.append(spec.restriction_flag)
        return list(dict.fromkeys(cols))

    def structural_columns(self, table: str) -> set[str]:
        """Columns that hold the graph together (primary key, foreign keys, referenced
        columns): erasure never rewrites them, so foreign keys keep holding."""
        spec = self.table(table)
        cols = {spec.primary_key}
        cols |= {e.child_field for e in self.parents_of(table)}
        cols |= {e.parent_column for e in self.children_of(table)}
        return cols


def build_graph(system: SystemSpec) -> DatasetGraph:
    """Build the graph of `system`; raise InvalidInput on a dangling reference or a cycle."""
    tables: dict[str, TableSpec] = {}
    for spec in system.tables:
        if spec.name in tables:
            raise InvalidInput(f"system {system.key!r}: table {spec.name!r} is declared twice")
        tables[spec.name] = spec
    edges: list[Edge] = []
    for spec in system.tables:
        for ref in spec.references:
            parent, column = ref.to.split(".", 1)
            if parent not in tables:
                raise InvalidInput(
                    f"system {system.key!r}: {spec.name}.{ref.field} references unknown table "
                    f"{parent!r}"
                )
            edges.append(Edge(spec.name, ref.field, parent, column))
    order = _topological(system.key, list(tables), edges)
    return DatasetGraph(system.key, tables, tuple(edges), order, _depths(tables, edges, order))


def _topological(system: str, names: list[str], edges: Iterable[Edge]) -> tuple[str, ...]:
    """Kahn's algorithm, keeping declaration order among independent tables (stable output)."""
    edges = list(edges)
    incoming: dict[str, set[str]] = {n: set() for n in names}
    for e in edges:
        if e.parent != e.child:
            incoming[e.child].add(e.parent)
        else:
            raise InvalidInput(
                f"system {system!r}: table {e.child!r} references itself "
                f"({e.child}.{e.child_field} -> {e.parent}.{e.parent_column}); "
                "self-references are not supported"
            )
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(names):
        ready = [n for n in names if n not in done and incoming[n] <= done]
        if not ready:
            stuck = [n for n in names if n not in done]
            raise InvalidInput(
                f"system {system!r}: the references form a cycle among tables "
                f"{', '.join(stuck)}; break it by removing one reference"
            )
        order.append(ready[0])
        done.add(ready[0])
    return tuple(order)


def _depths(
    tables: dict[str, TableSpec], edges: list[Edge], order: tuple[str, ...]
) -> dict[str, int]:
    depth: dict[str, int] = {}
    for name in order:
        if tables[name].identities:
            depth[name] = 0
            continue
        parents = [depth[e.parent] for e in edges if e.child == name and e.parent in depth]
        if parents:
            depth[name] = min(parents) + 1
    return depth
