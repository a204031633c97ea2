"""The dataset graph of one system: a pure function of its `SystemSpec`, no I/O.

Tables are nodes; each `Reference` (child.field(s) -> parent.column(s), one column or the
columns of a composite key) is an edge from the parent to the child. Traversal runs parents
before children (`order`), so one pass over the tables in that order follows references any
number of hops deep. A reference is a search path; `dependencies()` reads it as a foreign key
(which row points at which) for erasure, and `dependants_first` orders deletes so that no
row is deleted while a row pointing at it remains.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from steward.errors import InvalidInput
from steward.policy.models import SystemSpec, TableSpec

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Edge:
    """`child.child_fields` hold values of `parent.parent_columns` (paired in order; one column
    each for a plain reference, several for a composite one)."""

    child: str
    child_fields: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]

    @property
    def composite(self) -> bool:
        return len(self.child_fields) > 1

    @property
    def child_field(self) -> str:
        """The one child column of a plain reference (InvalidInput for a composite one)."""
        return self._single(self.child_fields)

    @property
    def parent_column(self) -> str:
        """The one parent column of a plain reference (InvalidInput for a composite one)."""
        return self._single(self.parent_columns)

    def _single(self, cols: tuple[str, ...]) -> str:
        if len(cols) != 1:
            raise InvalidInput(
                f"{self.child}.({', '.join(self.child_fields)}) -> {self.parent}."
                f"({', '.join(self.parent_columns)}) is a composite reference: this feature "
                "follows one-column references only"
            )
        return cols[0]


@dataclass(frozen=True, slots=True)
class Dependency:
    """A row of `dependant` points at a row of `referenced`: `dependant.columns` hold the
    values of `referenced.target` (a foreign key in the database's sense). Deleting the
    referenced row while a dependant row stays would leave that row pointing at nothing."""

    dependant: str
    columns: tuple[str, ...]
    referenced: str
    target: tuple[str, ...]


@dataclass(frozen=True)
class DatasetGraph:
    """Tables of one system, their identity columns and references, in traversal order."""

    system: str
    tables: dict[str, TableSpec]
    edges: tuple[Edge, ...]
    order: tuple[str, ...]  # parents before children
    _depth: dict[str, int] = field(default_factory=dict, repr=False)
    # The graph is a pure function of its spec and never changes: what its methods derive is
    # computed once per graph (a changed policy makes a new connector, hence a new graph).
    # Every search and erasure asks these many times per row; recomputing them was a
    # noticeable share of a request's CPU.
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)

    def _once(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._memo[key] = make()
            return value

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
        return list(
            self._once(("parents", table), lambda: tuple(e for e in self.edges if e.child == table))
        )

    def children_of(self, table: str) -> list[Edge]:
        """Edges where `table` is the parent (tables pointing at it)."""
        return list(
            self._once(
                ("children", table), lambda: tuple(e for e in self.edges if e.parent == table)
            )
        )

    def identity_columns(self, table: str) -> tuple[tuple[str, str], ...]:
        """(identity type, column) pairs of one table; a type may have several columns."""
        return self._once(("identities", table), lambda: self.table(table).identity_pairs)

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
        return list(self._once(("columns", table), lambda: tuple(self._columns(table))))

    def _columns(self, table: str) -> list[str]:
        spec = self.table(table)
        cols: list[str] = list(spec.key_columns)
        cols += list(spec.identity_column_names)
        cols += [c for e in self.parents_of(table) for c in e.child_fields]
        cols += [c for e in self.children_of(table) for c in e.parent_columns]
        cols += [f.name for f in spec.fields]
        if spec.restriction_flag:
            cols.append(spec.restriction_flag)
        if spec.tenant is not None:
            cols.append(spec.tenant.column)
        return list(dict.fromkeys(cols))

    def structural_columns(self, table: str) -> set[str]:
        """Columns that hold the graph together (primary key, foreign keys, referenced
        columns): erasure never rewrites them, so foreign keys keep holding."""
        return set(self._once(("structural", table), lambda: self._structural(table)))

    def _structural(self, table: str) -> frozenset[str]:
        spec = self.table(table)
        cols = set(spec.key_columns)
        cols |= {c for e in self.parents_of(table) for c in e.child_fields}
        cols |= {c for e in self.children_of(table) for c in e.parent_columns}
        if spec.tenant is not None:
            cols.add(spec.tenant.column)  # the row stays the controller's (Art. 28(3)(e))
        return frozenset(cols)

    @property
    def tenant_scoped(self) -> bool:
        """Does some table carry a tenant condition? Then the system is one controller's
        share of a shared schema: a table without its own condition is reached only through
        its references, never searched by identity (another controller's rows would match)."""
        return any(t.tenant is not None for t in self.tables.values())

    def key_columns(self, table: str) -> tuple[str, ...]:
        return self.table(table).key_columns

    def is_personal(self, table: str) -> bool:
        """Does the table hold personal data: a field with a data category, an identity
        column, or rows that belong to personal rows (they point at them, like the items of an
        order)? A table with none of these (a product catalogue) is read to follow references
        but an erasure never changes it: its rows are nobody's personal data (Art. 4(1))."""
        return table in self._once(("personal",), self._personal)

    def _personal(self) -> frozenset[str]:
        personal = {
            name
            for name, spec in self.tables.items()
            if spec.identities or any(f.category for f in spec.fields)
        }
        deps = self.dependencies()
        grew = True
        while grew:
            grew = False
            for d in deps:
                if d.referenced in personal and d.dependant not in personal:
                    personal.add(d.dependant)
                    grew = True
        return frozenset(personal)

    def dependencies(self) -> list[Dependency]:
        """The declared references as foreign keys in the database's sense. A reference is a
        search path (values of `to` lead to rows with `field`); usually `to` is the target's
        key and the table declaring it is the dependant. When instead `field` is the
        declaring table's own key and `to` is not the target's key (a dataset that says "from
        customer.address_id find address.id"), the target is the dependant."""
        return list(self._once(("dependencies",), lambda: tuple(self._dependencies())))

    def _dependencies(self) -> list[Dependency]:
        out: list[Dependency] = []
        for e in self.edges:
            parent_key = set(self.key_columns(e.parent))
            child_key = set(self.key_columns(e.child))
            if set(e.parent_columns) != parent_key and set(e.child_fields) == child_key:
                out.append(Dependency(e.parent, e.parent_columns, e.child, e.child_fields))
            else:
                out.append(Dependency(e.child, e.child_fields, e.parent, e.parent_columns))
        return out


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
            parent = ref.target_table
            if parent not in tables:
                raise InvalidInput(
                    f"system {system.key!r}: {spec.name}.{', '.join(ref.fields)} references "
                    f"unknown table {parent!r}"
                )
            edges.append(Edge(spec.name, ref.fields, parent, ref.target_columns))
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
                f"({e.child}.{','.join(e.child_fields)} -> "
                f"{e.parent}.{','.join(e.parent_columns)}); "
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


def dependants_first(tables: Iterable[str], deps: Iterable[Dependency]) -> tuple[str, ...]:
    """`tables` ordered so that a table comes before every table it references (the order in
    which rows can be deleted without breaking a foreign key). Keeps the given order among
    independent tables; tables in a cycle of foreign keys keep their given order."""
    names = list(dict.fromkeys(tables))
    waiting: dict[str, set[str]] = {n: set() for n in names}
    for d in deps:
        if d.referenced in waiting and d.dependant in waiting and d.dependant != d.referenced:
            waiting[d.referenced].add(d.dependant)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(names):
        ready = [n for n in names if n not in done and waiting[n] <= done]
        if not ready:  # a cycle: no order can satisfy it, keep the given one
            ready = [n for n in names if n not in done][:1]
        order.append(ready[0])
        done.add(ready[0])
    return tuple(order)


def up_path(graph: DatasetGraph, start: str, goal: str) -> tuple[Edge, ...] | None:
    """The shortest chain of references (foreign keys, child -> parent) from `start` to `goal`."""
    if start == goal:
        return ()
    seen = {start}
    queue: deque[tuple[str, tuple[Edge, ...]]] = deque([(start, ())])
    while queue:
        table, path = queue.popleft()
        for edge in graph.parents_of(table):
            if edge.parent == goal:
                return (*path, edge)
            if edge.parent not in seen:
                seen.add(edge.parent)
                queue.append((edge.parent, (*path, edge)))
    return None


def descendants(graph: DatasetGraph, table: str) -> tuple[str, ...]:
    """Tables whose rows depend on `table` (any number of hops), children first."""
    found: set[str] = set()
    queue = deque([table])
    while queue:
        for edge in graph.children_of(queue.popleft()):
            if edge.child not in found and edge.child != table:
                found.add(edge.child)
                queue.append(edge.child)
    return tuple(t for t in graph.reverse_order if t in found)
