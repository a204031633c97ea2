"""Parse YAML with libyaml into plain Python values, YAML 1.2 core schema, positions kept.

`parse_file(name, text, index)` composes the node tree with PyYAML's libyaml-backed parser
(keeping every node's `start_mark`), then builds plain dicts, lists and scalars from it. It
returns a `ParsedFile` holding the value (None for an empty file) or the problems, as
`file:line:col: path: message` strings (1-based). The `NodeIndex` passed in learns, for every
dict and list built, the node it came from, so that a position is looked up (`entry`) only
when a problem needs one.

Why not `yaml.safe_load`: PyYAML resolves plain scalars by YAML 1.1 rules, turning the
country code `NO` and the words `yes`/`on`/`off` into booleans, `0755` into an octal int and
`1:20` into a sexagesimal one; and it silently keeps the last of two duplicate keys. Here plain
scalars follow the YAML 1.2 core schema (`resolve_plain`), quoted ones are always strings,
every duplicate key is reported, aliases are expanded (with a guard against recursion and
"billion laughs" blow-ups) and `<<` merge keys are refused with their line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from steward.policy.sources import Location

_PLAIN = "steward:plain"  # tag given to untagged plain scalars, resolved by `resolve_plain`
_Y = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _Y + "str", _Y + "seq", _Y + "map"

_WORDS: dict[str, Any] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
}
_INT = re.compile(r"[-+]?[0-9]+")
_INT_OTHER = re.compile(r"0o([0-7]+)|0x([0-9a-fA-F]+)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_FLOAT_SPECIAL = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}
_NUMBER_START = frozenset("0123456789+-.")
_TOO_LONG = "this number is too long to read (more than 4,300 digits); quote it if it is text"


def resolve_plain(text: str) -> Any:
    """A plain (unquoted, untagged) scalar by the YAML 1.2 core schema.

    null/~/empty -> None; true/false (also True, TRUE, ...) -> bool; decimal ints with an
    optional sign, 0o octal and 0x hex -> int; decimals, exponents, .inf, .nan -> float;
    everything else (NO, yes, on, 1_000, 1:20, 2020-02-20, ...) stays a string.
    """
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMBER_START:
        return text
    if _INT.fullmatch(text):
        # Python refuses to convert a decimal of more than 4,300 digits (a denial-of-service
        # guard): that ValueError is turned into a file:line problem by the caller.
        return int(text)
    m = _INT_OTHER.fullmatch(text)
    if m:
        return int(m.group(1), 8) if m.group(1) else int(m.group(2), 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    return _FLOAT_SPECIAL.get(text, text)


def _composer(base: type[Any]) -> type[Any]:
    """A loader class whose resolver only marks plain scalars (resolved later, YAML 1.2)."""

    class Composer(base):  # type: ignore[misc]
        def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
            if kind is ScalarNode:
                return _PLAIN if implicit[0] else _STR
            return _SEQ if kind is SequenceNode else _MAP

    return Composer


# libyaml (bundled in PyYAML's wheels) is ~20x faster than PyYAML's pure-Python parser, which
# is kept as a fallback for a PyYAML built without it: same nodes and marks, just slower.
FAST_COMPOSER = _composer(yaml.CSafeLoader) if yaml.__with_libyaml__ else None
PURE_COMPOSER = _composer(yaml.SafeLoader)


class _Refused(Exception):
    """Building stops: recursive alias or too large an expansion."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


@dataclass
class NodeIndex:
    """For each dict or list built from YAML (by `id`), the (file, node) pieces it came from.

    A dict merged from several files has one piece per file, a list concatenated from several
    files one piece per file in order. The container itself is kept too, so its id stays
    unique while the index lives.
    """

    pieces: dict[int, tuple[Any, list[tuple[str, Node]]]] = field(default_factory=dict)

    def add(self, container: Any, name: str, node: Node) -> None:
        self.pieces[id(container)] = (container, [(name, node)])

    def start(self, container: Any) -> None:
        """Record a container built by merging (it has no node of its own)."""
        self.pieces[id(container)] = (container, [])

    def absorb(self, target: Any, source: Any) -> None:
        """`source` was merged into `target`: its pieces now belong to `target`."""
        got = self.pieces.get(id(source))
        if got is not None:
            self.pieces[id(target)][1].extend(got[1])

    def entry(self, container: Any, part: str | int) -> Location | None:
        """Where `container[part]` was written: for a mapping entry, its value when that is a
        scalar (same line as the key, closer column), else its key (a block collection starts
        on the next line); for a list item, the item."""
        got = self.pieces.get(id(container))
        if got is None:
            return None
        if isinstance(container, list):
            if not isinstance(part, int) or part < 0:
                return None
            for name, node in got[1]:
                if part < len(node.value):
                    return _location(name, node.value[part])
                part -= len(node.value)
            return None
        for name, node in got[1]:
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and _key(_scalar(key_node)) == part:
                    at = value_node if isinstance(value_node, ScalarNode) else key_node
                    return _location(name, at)
        return None


@dataclass
class ParsedFile:
    """One file's plain value (None if empty) or its problems."""

    name: str
    value: Any = None
    problems: list[str] = field(default_factory=list)


def parse_file(
    name: str, text: str, index: NodeIndex, composer: type[Any] | None = None
) -> ParsedFile:
    """Compose and build one YAML file; every container built is recorded in `index`.
    `composer` defaults to the libyaml one (`FAST_COMPOSER`), else `PURE_COMPOSER`."""
    out = ParsedFile(name)
    composer = composer or FAST_COMPOSER or PURE_COMPOSER
    try:
        root = composer(text).get_single_node()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(x for x in (err.context, err.problem) if x) or "invalid YAML"
        out.problems.append(f"{name}:{line}:{col}: (yaml): {what}")
        return out
    except yaml.reader.ReaderError as err:
        # libyaml reports a byte offset into the UTF-8 text, PyYAML's reader a character one.
        before = text[: err.position]
        if composer is not PURE_COMPOSER:
            before = text.encode("utf-8")[: err.position].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        char = err.character
        shown = f"#x{char:04x}" if isinstance(char, int) else f"#x{ord(char):04x}" \
            if isinstance(char, str) and len(char) == 1 else repr(char)
        out.problems.append(f"{name}:{line}:{col}: (yaml): unacceptable character {shown}: "
                            f"{err.reason}")
        return out
    except yaml.YAMLError as err:  # e.g. an encoding problem libyaml reports without a mark
        out.problems.append(f"{name}:1:1: (yaml): {err}")
        return out
    if root is None:
        return out
    builder = _Builder(name, index, budget=2 * len(text) + 1000)
    try:
        out.value = builder.build(root)
    except _Refused as err:
        builder.problem(err.node, err.message)
    except RecursionError:
        builder.problems.append((root, "the document is nested too deeply"))
    out.problems = [_describe(name, root, node, msg) for node, msg in builder.problems]
    if out.problems:
        out.value = None
    return out


class _Builder:
    """Builds plain values from nodes, recording containers and collecting problems."""

    def __init__(self, name: str, index: NodeIndex, budget: int) -> None:
        self.name = name
        self.index = index
        self.budget = budget
        self.active: set[int] = set()
        self.problems: list[tuple[Node, str]] = []

    def problem(self, node: Node, message: str) -> None:
        self.problems.append((node, message))

    def build(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            if node.tag == _STR:
                return node.value
            try:
                return resolve_plain(node.value) if node.tag == _PLAIN else self.tagged(node)
            except ValueError:
                self.problem(node, _TOO_LONG)
                return node.value
        if node.tag not in (_MAP, _SEQ):
            self.problem(node, f"unsupported tag {node.tag!r}")
        ident = id(node)
        if ident in self.active:
            raise _Refused(node, "recursive alias: a node contains itself")
        self.budget -= len(node.value)
        if self.budget < 0:
            raise _Refused(node, "aliases expand to too much data")
        self.active.add(ident)
        if isinstance(node, SequenceNode):
            out: Any = [self.build(item) for item in node.value]
        else:
            out = self.mapping(node)
        self.active.discard(ident)
        self.index.add(out, self.name, node)
        return out

    def mapping(self, node: MappingNode) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        first: dict[Any, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "a mapping key must be a scalar")
                continue
            if key_node.tag == _PLAIN and key_node.value == "<<":
                self.problem(key_node, "merge keys (<<) are not supported: write the fields out")
                continue
            key = _key(self.build(key_node))
            if key in out:
                self.problem(
                    key_node,
                    f"duplicate key {key_node.value!r} "
                    f"(first defined at line {first[key].start_mark.line + 1})",
                )
                continue
            first[key] = key_node
            out[key] = self.build(value_node)
        return out

    def tagged(self, node: ScalarNode) -> Any:
        """A scalar with an explicit core tag (`!!int 5`); other tags are refused."""
        text, tag = node.value, node.tag
        if tag == _Y + "null" and text in ("", "~", "null", "Null", "NULL"):
            return None
        if tag == _Y + "bool" and isinstance(_WORDS.get(text), bool):
            return _WORDS[text]
        value = resolve_plain(text) if text else text
        if tag == _Y + "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if tag == _Y + "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        known = tag in (_Y + "null", _Y + "bool", _Y + "int", _Y + "float")
        message = f"{text!r} is not a valid {tag}" if known else f"unsupported tag {tag!r}"
        self.problem(node, message)
        return text


def _scalar(node: ScalarNode) -> Any:
    if node.tag == _STR:
        return node.value
    try:
        if node.tag == _PLAIN:
            return resolve_plain(node.value)
        return _Builder("", NodeIndex(), 0).tagged(node)
    except ValueError:
        return node.value


def _key(value: Any) -> Any:
    # Keys are strings or ints (a `1:` key stays 1); anything else (None, a float) its text.
    return value if isinstance(value, str | int) else str(value)


def _location(name: str, node: Node) -> Location:
    return Location(name, node.start_mark.line + 1, node.start_mark.column + 1)


def _describe(name: str, root: Node, node: Node, message: str) -> str:
    path = _path_to(root, node)
    where = ".".join(_shown(str(p)) for p in path) if path else "(yaml)"
    return f"{_location(name, node)}: {where}: {message}"


def _shown(name: str) -> str:
    # Each problem stays one line: a key with a line break or control character is quoted.
    return name if name and name.isprintable() and name == name.strip() else repr(name)


def _path_to(root: Node, target: Node) -> tuple[str | int, ...]:
    """The path (raw key texts, item indexes) of `target` in the tree, () if it is the root
    or not found. Searched only when a problem is reported, so it may be slow."""
    stack: list[tuple[Node, tuple[str | int, ...]]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                label = key_node.value if isinstance(key_node, ScalarNode) else "?"
                if key_node is target:
                    return (*path, label)
                stack.append((value_node, (*path, label)))
    return ()
