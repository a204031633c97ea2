"""Precision and recall of any detector against the labeled corpus.

In: documents and a `predict(text) -> [(type, start, end), ...]`. Out: counts per type. A
prediction is a true positive when it overlaps a not-yet-matched label of the same type; the
same lenient rule is used for every system compared, so spans that differ by a separator
do not decide a benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from steward.scanner.corpus import Document

Span = tuple[str, int, int]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def evaluate(documents: Iterable[Document], predict: Callable[[str], Iterable[Span]],
             types: Iterable[str]) -> dict[str, Score]:
    """Scores per type in `types`; predictions of other types are ignored."""
    wanted = set(types)
    scores = {t: Score() for t in wanted}
    for doc in documents:
        gold = [label for label in doc.labels if label.type in wanted]
        matched = [False] * len(gold)
        for kind, start, end in predict(doc.text):
            if kind not in wanted:
                continue
            for i, label in enumerate(gold):
                if not matched[i] and label.type == kind and start < label.end and \
                        label.start < end:
                    matched[i] = True
                    scores[kind].tp += 1
                    break
            else:
                scores[kind].fp += 1
        for i, label in enumerate(gold):
            if not matched[i]:
                scores[label.type].fn += 1
    return scores
