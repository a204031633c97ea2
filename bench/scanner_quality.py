"""Precision and recall of the scanner per detector and per language, on two corpora.

1. The generated corpus (`steward.scanner.corpus.generate_corpus`): written by the same
   project as the detectors, from templates; its figures are optimistic.
2. The hand-written corpus (`tests/scanner/corpus/handwritten.txt`): support tickets in
   English, Danish, Norwegian, Swedish and Finnish, written and labelled by hand apart from the
   detectors' word lists, with hard negatives. Written before the word lists were extended;
   the extension was then checked against it, so its "after" figures are tuned ones.
3. The held-out corpus (`tests/scanner/corpus/heldout.txt`): written after the extension and
   never used to change the scanner: the honest estimate for unseen wording.

    .venv/bin/python bench/scanner_quality.py              # both corpora
    .venv/bin/python bench/scanner_quality.py --misses     # also list what was missed/wrong
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from steward.scanner import ALL_TYPES, scan
from steward.scanner.corpus import Document, generate_corpus, parse_labelled
from steward.scanner.evaluation import Score, evaluate

CORPORA = Path(__file__).resolve().parents[1] / "tests/scanner/corpus"
HEADER = "| spans | precision | recall | false pos. | missed |\n|---|---|---|---|---|---|"
GROUPS = {"national ids": {"DK_CPR", "NO_FNR", "NO_DNR", "SE_PNR", "SE_SAMORD", "FI_HETU",
                           "UK_NINO"},
          "health+absence": {"HEALTH", "ABSENCE"}}


def predict(text: str) -> list[tuple[str, int, int]]:
    return [(f.type, f.start, f.end) for f in scan(text)]


def _total(scores: dict[str, Score], types: Iterable[str]) -> Score:
    out = Score()
    for t in types:
        out.tp += scores[t].tp
        out.fp += scores[t].fp
        out.fn += scores[t].fn
    return out


def _row(name: str, s: Score) -> str:
    return f"| {name} | {s.tp + s.fn} | {s.precision:.2f} | {s.recall:.2f} | {s.fp} | {s.fn} |"


def report(title: str, docs: list[Document]) -> None:
    print(f"\n### {title}: {len(docs)} documents, "
          f"{sum(len(d.labels) for d in docs)} labelled spans\n")
    print(f"| detector {HEADER}")
    scores = evaluate(docs, predict, ALL_TYPES)
    for kind in sorted(ALL_TYPES):
        if scores[kind].tp + scores[kind].fn + scores[kind].fp:
            print(_row(kind, scores[kind]))
    for group, types in GROUPS.items():
        print(_row(f"*{group}*", _total(scores, types)))
    print(_row("**all**", _total(scores, ALL_TYPES)))
    print(f"\n| language {HEADER}")
    for lang in sorted({d.language for d in docs}):
        part = evaluate([d for d in docs if d.language == lang], predict, ALL_TYPES)
        print(_row(lang, _total(part, ALL_TYPES)))


def misses(docs: list[Document]) -> None:
    for doc in docs:
        found = predict(doc.text)
        gold = {(lb.type, lb.start, lb.end) for lb in doc.labels}
        for t, s, e in found:
            if not any(g[0] == t and g[1] < e and s < g[2] for g in gold):
                print(f"FP {doc.language} {t}: {doc.text[s:e]!r}")
        for t, s, e in gold:
            if not any(f[0] == t and f[1] < e and s < f[2] for f in found):
                print(f"FN {doc.language} {t}: {doc.text[s:e]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="generated tickets")
    parser.add_argument("--misses", action="store_true", help="list errors on the hand-written")
    args = parser.parse_args()
    handwritten = parse_labelled((CORPORA / "handwritten.txt").read_text(encoding="utf-8"))
    heldout = parse_labelled((CORPORA / "heldout.txt").read_text(encoding="utf-8"))
    report("Generated corpus (ours, optimistic; seed 1)", generate_corpus(args.docs, seed=1))
    report("Hand-written corpus", handwritten)
    report("Held-out corpus", heldout)
    if args.misses:
        misses(handwritten + heldout)


if __name__ == "__main__":
    main()
