"""Find whole words from a list fast: one trie-shaped regex, tried only at word starts.

Python's regex engine tries the branches of an alternation one by one, at every position; a
list of 400 words is 400 tries per character. Factoring shared prefixes into a trie makes it
one character test per step, and opening the pattern with the separator *before* a word (a
plain character class) lets the engine skip in C to the next word start instead of testing a
look-behind at every character. Matching is on lower-cased text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

LETTER = r"[^\W\d_]"
_LETTER = LETTER
_SEPARATOR = r"[^a-zà-öø-ÿ0-9_]"  # what may stand before a word (plus the text's start)
_END = object()
_STEM = object()


class WordMatcher:
    """Whole-word matcher for `words` (lower case). A word ending in `*` matches any longer
    word it begins (`sygemeld*` finds "sygemeldt"); spaces match single spaces. `tail` is a
    regex appended after every word (e.g. a compound ending)."""

    def __init__(self, words: list[str], *, tail: str = "") -> None:
        self.pattern = re.compile(_SEPARATOR + trie_pattern(words) + tail)

    def finditer(self, lower: str, end: int | None = None) -> Iterator[tuple[int, int, str]]:
        """(start, end, matched text) in `lower`, left to right, longest word first."""
        padded = " " + (lower if end is None else lower[:end])
        for m in self.pattern.finditer(padded):
            yield m.start(), m.end() - 1, m.group()[1:]

    def findall(self, lower: str) -> list[str]:
        """The matched words only (cheaper when positions are not needed)."""
        return [match[1:] for match in self.pattern.findall(" " + lower)]


def trie_pattern(words: list[str]) -> str:
    """The trie-shaped alternation of `words`, with the test that a word ends at a word end
    (or, for a stem, runs on to the end of its word)."""
    root: dict[object, object] = {}
    for word in words:
        stem = word.endswith("*")
        node = root
        for char in word.rstrip("*"):
            node = node.setdefault(char, {})  # type: ignore[assignment]
        node[_STEM if stem else _END] = True
    return _node_regex(root)


def _node_regex(node: dict[object, object]) -> str:
    branches = [
        re.escape(char) + _node_regex(child)  # type: ignore[arg-type]
        for char, child in sorted((k, v) for k, v in node.items() if isinstance(k, str))
    ]
    # Continuations come first so that the longest word wins ("sick leave" over "sick").
    if _STEM in node:
        branches.append(rf"{_LETTER}*")
    elif _END in node:
        branches.append(rf"(?!{_LETTER})")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"
