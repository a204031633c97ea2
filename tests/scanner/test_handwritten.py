"""Precision and recall floors on the hand-written corpus (tests/scanner/corpus/): support
tickets in five languages written apart from the scanner's templates and word lists, with
hard negatives. Floors, measured per detector group and per language; see docs/benchmarks.md
for the figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.scanner import ALL_TYPES, NATIONAL_ID_TYPES, scan
from steward.scanner.corpus import Document, parse_labelled
from steward.scanner.evaluation import Score, evaluate

CORPUS = Path(__file__).parent / "corpus" / "handwritten.txt"
GROUPS = {
    "national ids": (NATIONAL_ID_TYPES, 0.97, 0.94),
    "phone": (frozenset({"PHONE"}), 0.95, 0.95),
    "health+absence": (frozenset({"HEALTH", "ABSENCE"}), 0.95, 0.93),
    "email, card, iban": (frozenset({"EMAIL", "CARD", "IBAN"}), 0.99, 0.99),
}
LANGUAGE_FLOORS = (0.93, 0.9)  # precision, recall over every type, for each language


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return parse_labelled(CORPUS.read_text(encoding="utf-8"))


def _predict(text: str) -> list[tuple[str, int, int]]:
    return [(f.type, f.start, f.end) for f in scan(text)]


def _sum(scores: dict[str, Score], types: frozenset[str]) -> Score:
    return Score(sum(scores[t].tp for t in types), sum(scores[t].fp for t in types),
                 sum(scores[t].fn for t in types))


def test_the_corpus_is_big_enough_and_covers_five_languages(docs: list[Document]) -> None:
    assert {d.language for d in docs} == {"en", "da", "no", "sv", "fi"}
    labels = [lb for d in docs for lb in d.labels]
    assert len(labels) >= 200
    assert {lb.type for lb in labels} == ALL_TYPES
    for doc in docs:  # labels point at text, never at the markup
        for lb in doc.labels:
            span = doc.text[lb.start : lb.end]
            assert span and span == span.strip() and "[[" not in span and "|" not in span


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_floors_per_detector_group(docs: list[Document], group: str) -> None:
    types, p_floor, r_floor = GROUPS[group]
    score = _sum(evaluate(docs, _predict, ALL_TYPES), types)
    assert score.tp + score.fn >= 10
    assert score.precision >= p_floor and score.recall >= r_floor, (
        f"{group}: P={score.precision:.3f} R={score.recall:.3f} "
        f"(tp={score.tp} fp={score.fp} fn={score.fn})")


@pytest.mark.parametrize("language", ["en", "da", "no", "sv", "fi"])
def test_floors_per_language(docs: list[Document], language: str) -> None:
    part = [d for d in docs if d.language == language]
    score = _sum(evaluate(part, _predict, ALL_TYPES), ALL_TYPES)
    assert score.precision >= LANGUAGE_FLOORS[0] and score.recall >= LANGUAGE_FLOORS[1], (
        f"{language}: P={score.precision:.3f} R={score.recall:.3f}")


def test_parse_labelled_offsets_and_errors() -> None:
    [doc] = parse_labelled("# note\n=== da x\nMit cpr er [[DK_CPR|211062-5629]], tak.\n")
    assert doc.language == "da" and doc.text == "Mit cpr er 211062-5629, tak."
    [label] = doc.labels
    assert (label.type, doc.text[label.start : label.end]) == ("DK_CPR", "211062-5629")
    with pytest.raises(ValueError, match="line 1"):
        parse_labelled("=== en x\nbroken [[HEALTH|flu] mark\n")
    with pytest.raises(ValueError, match="line 1"):
        parse_labelled("text before any document\n")
