"""Health and absence wording in English, Danish, Norwegian, Swedish and Finnish.

Art. 9 GDPR makes data concerning health a special category; in support tickets it appears as
a sick note ("jeg er sygemeldt"), a diagnosis, a pregnancy or a medication. In: a prepared
`Context`. Out: HEALTH and ABSENCE findings, one per word or phrase.

The words are data, not code: `vocabulary/<language>.txt` (and `vocabulary/any.txt` for
words every language writes alike, such as medication names). See `vocabulary/README.md` for
the format: a `*` lets a word run on (inflections: "lungebetændelse*" finds the definite
"lungebetændelsen", "keuhkokuume*" the Finnish "keuhkokuumeeseen"); a leading `*` also finds
it as the tail of a compound ("*kreft*" in "brystkreften"); `NOT` marks a phrase that is not
about a person's health ("sick of waiting", a charity's name) and masks the words inside it.
A word found in a document of another language counts for less ("lege" is "play" in Danish).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from steward.scanner.context import Context
from steward.scanner.findings import Finding, clamp
from steward.scanner.wordtrie import LETTER, WordMatcher, trie_pattern

H, A = "HEALTH", "ABSENCE"
LEVELS = {"strong": 0.85, "medium": 0.7, "weak": 0.55}
FOREIGN_PENALTY = 0.2
VOCABULARY = Path(__file__).with_name("vocabulary")
LANGUAGES = ("en", "da", "no", "sv", "fi")  # `any.txt` holds words of all of them
_KINDS = {"HEALTH": H, "ABSENCE": A, "NOT": None}


@dataclass(frozen=True)
class Entry:
    """A vocabulary entry: its type (None: not health), confidence and languages."""

    kind: str | None
    confidence: float
    languages: frozenset[str]


def parse_vocabulary(name: str, source: str) -> list[tuple[str, str | None, float]]:
    """(word, type, confidence) per line of a vocabulary file; ValueError naming
    `name:line` for a malformed line."""
    out: list[tuple[str, str | None, float]] = []
    for number, raw in enumerate(source.splitlines(), start=1):
        tokens = raw.split("#", 1)[0].split()
        if not tokens:
            continue
        level = tokens[-1] if tokens[-1] in LEVELS else ""
        kind = tokens[-2] if level and len(tokens) > 2 else tokens[-1]
        word = " ".join(tokens[: -2 if level else -1]).lower()
        if len(tokens) < 2 or kind not in _KINDS or (kind == "NOT") == bool(level) or not word:
            raise ValueError(f"{name}:{number}: expected 'word  HEALTH|ABSENCE  "
                             f"strong|medium|weak' or 'phrase  NOT', got {raw.strip()!r}")
        if not word.strip("*") or "*" in word.strip("*"):
            raise ValueError(f"{name}:{number}: a '*' may only open or close a word: {word!r}")
        if word.startswith("*") and not word.endswith("*"):
            raise ValueError(f"{name}:{number}: a compound tail runs on: write {word + '*'!r}")
        out.append((word, _KINDS[kind], LEVELS.get(level, 0.0)))
    return out


@cache
def vocabulary(directory: Path = VOCABULARY) -> dict[str, Entry]:
    """Every entry of the vocabulary files, merged over languages (a word listed in several
    languages counts in each of them; its strongest confidence wins)."""
    table: dict[str, Entry] = {}
    for path in sorted(directory.glob("*.txt")):
        langs = frozenset(LANGUAGES) if path.stem == "any" else frozenset({path.stem})
        for word, kind, conf in parse_vocabulary(path.name, path.read_text(encoding="utf-8")):
            old = table.get(word)
            if old is not None and old.kind == kind:
                table[word] = Entry(kind, max(old.confidence, conf), old.languages | langs)
            elif old is None or kind is None:  # a NOT entry overrides
                table[word] = Entry(kind, conf, (old.languages if old else frozenset()) | langs)
    return table


@dataclass(frozen=True)
class _Matchers:
    exact: dict[str, Entry]
    stems: dict[str, Entry]
    words: WordMatcher
    tails: re.Pattern[str] | None  # compound tails: "*kreft*" inside "brystkreften"


@cache
def _matchers() -> _Matchers:
    table = vocabulary()
    exact = {w: e for w, e in table.items() if not w.endswith("*")}
    stems = {w.strip("*"): e for w, e in table.items() if w.endswith("*")}
    tails = [w.strip("*") + "*" for w in table if w.startswith("*")]
    words = [w.lstrip("*") for w in table]
    # A tail starts after at least two letters of a word, and runs to the word's end.
    tail_re = re.compile(rf"(?<={LETTER}{LETTER})" + trie_pattern(tails)) if tails else None
    return _Matchers(exact, stems, WordMatcher(words), tail_re)


def _lookup(m: _Matchers, word: str) -> Entry | None:
    found = m.exact.get(word)
    if found is not None:
        return found
    for cut in range(len(word), 1, -1):
        found = m.stems.get(word[:cut])
        if found is not None:
            return found
    return None


def _finding(entry: Entry, start: int, end: int, languages: frozenset[str]) -> Finding | None:
    if entry.kind is None:  # a phrase that is not about health ("sick of")
        return None
    conf = entry.confidence
    if languages and not languages & entry.languages:
        conf -= FOREIGN_PENALTY
    langs = "any" if len(entry.languages) == len(LANGUAGES) else "+".join(sorted(entry.languages))
    rule = ("absence" if entry.kind == A else "health") + ".words." + langs
    return Finding(entry.kind, start, end, clamp(conf), rule)


def detect_health(ctx: Context) -> list[Finding]:
    """HEALTH and ABSENCE findings in the context's text."""
    m = _matchers()
    out: list[Finding] = []
    languages = ctx.languages
    lower = ctx.lower
    taken: list[tuple[int, int]] = []
    for start, end, word in m.words.finditer(lower):
        taken.append((start, end))
        entry = _lookup(m, word)
        found = _finding(entry, start, end, languages) if entry is not None else None
        if found is not None:
            out.append(found)
    if m.tails is None:
        return out
    covered = {s for s, _ in taken}
    for hit in m.tails.finditer(lower):
        start = hit.start()
        while start > 0 and (lower[start - 1].isalpha()):
            start -= 1  # the whole compound is the finding: "brystkreften"
        if start in covered:
            continue  # the word as a whole was judged above (e.g. a NOT entry)
        covered.add(start)
        entry = _lookup(m, hit.group()) or m.stems.get(hit.group())
        # The compound is judged by its own entry if it has one ("kræftens bekæmpelse").
        whole = _lookup(m, lower[start : hit.end()])
        if whole is not None and whole.kind is None:
            continue
        found = _finding(entry, start, hit.end(), languages) if entry is not None else None
        if found is not None:
            out.append(found)
    return out
