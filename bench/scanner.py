"""Benchmark: Steward's scanner next to Presidio's pattern recognizers, same corpus, same run.

Generates the labeled ticket corpus (steward.scanner.corpus), then for each system measures
documents/s and MB/s (UTF-8) over the whole corpus (CPU time, best of --repeat interleaved
runs) and precision and recall per entity type. Presidio runs offline: its no-op NLP engine
(no spaCy model), and tldextract pointed at its bundled suffix list so the e-mail recognizer
fetches nothing.
Presidio's phone recognizer is given the Nordic and UK regions, as a user here would.

    .venv/bin/python bench/scanner.py            # 2,000 tickets, about a minute
    .venv/bin/python bench/scanner.py --docs 20000 --repeat 3

Needs the `bench` extra (`pip install -e '.[bench]'`) for Presidio; without it, Steward alone.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable, Iterable

from steward.scanner import scan
from steward.scanner.corpus import Document, generate_corpus
from steward.scanner.evaluation import Score, Span, evaluate
from steward.scanner.findings import ALL_TYPES, NATIONAL_ID_TYPES

PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "IBAN_CODE": "IBAN",
    "CREDIT_CARD": "CARD", "SE_PERSONNUMMER": "SE_PNR", "FI_PERSONAL_IDENTITY_CODE": "FI_HETU",
    "UK_NINO": "UK_NINO",
}


def presidio_analyzer(phone_regions: tuple[str, ...] | None) -> Callable[[str], list[Span]]:
    """A Presidio AnalyzerEngine with the pattern recognizers that cover our types."""
    import tldextract

    offline = tldextract.TLDExtract(suffix_list_urls=())  # bundled snapshot, no download
    tldextract.extract = offline
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        FiPersonalIdentityCodeRecognizer,
        IbanRecognizer,
        PhoneRecognizer,
        SePersonnummerRecognizer,
        UkNinoRecognizer,
    )

    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        EmailRecognizer(), IbanRecognizer(), CreditCardRecognizer(),
        SePersonnummerRecognizer(supported_language="en"),
        FiPersonalIdentityCodeRecognizer(supported_language="en"), UkNinoRecognizer(),
    ):
        registry.add_recognizer(recognizer)
    if phone_regions is not None:
        registry.add_recognizer(PhoneRecognizer(supported_regions=phone_regions))
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])

    def predict(text: str) -> list[Span]:
        return [(PRESIDIO_TYPES.get(r.entity_type, r.entity_type), r.start, r.end)
                for r in analyzer.analyze(text=text, language="en")]

    return predict


def steward_predict(text: str) -> list[Span]:
    return [(f.type, f.start, f.end) for f in scan(text)]


def cpu_seconds(predict: Callable[[str], object], texts: list[str]) -> float:
    """CPU time of this process for one pass: on a shared, busy machine wall-clock time
    measures the neighbours too; both systems are single-threaded, so CPU time is fair."""
    started = time.process_time()
    for text in texts:
        predict(text)
    return time.process_time() - started


def merged_samord(documents: Iterable[Document]) -> list[Document]:
    """Presidio has one Swedish type for personnummer and samordningsnummer: score it
    against the union."""
    out = []
    for doc in documents:
        labels = tuple(type(label)("SE_PNR", label.start, label.end)
                       if label.type == "SE_SAMORD" else label for label in doc.labels)
        out.append(Document(doc.language, doc.text, labels))
    return out


def fmt(score: Score | None) -> str:
    if score is None or score.tp + score.fn == 0 and score.fp == 0:
        return "— | —"
    return f"{score.precision:.3f} | {score.recall:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="tickets in the corpus")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--no-presidio", action="store_true", help="Steward alone")
    args = parser.parse_args()

    documents = generate_corpus(args.docs, seed=args.seed)
    texts = [doc.text for doc in documents]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    systems: list[tuple[str, Callable[[str], list[Span]], list[Document]]] = [
        ("Steward scan()", steward_predict, documents)]
    try:
        if args.no_presidio:
            raise ImportError("--no-presidio")
        systems.append(("Presidio, phone regions DK NO SE FI GB",
                        presidio_analyzer(("DK", "NO", "SE", "FI", "GB")),
                        merged_samord(documents)))
        systems.append(("Presidio, default phone regions",
                        presidio_analyzer(PhoneRecognizerDefault.regions()),
                        merged_samord(documents)))
        systems.append(("Presidio, no phone recognizer", presidio_analyzer(None),
                        merged_samord(documents)))
    except ImportError as exc:
        print(f"Presidio not installed ({exc}); pip install -e '.[bench]'", file=sys.stderr)

    print(f"Corpus: {len(texts)} tickets, {megabytes:.2f} MB UTF-8, seed {args.seed}; "
          f"Python {platform.python_version()}\n")
    scores: dict[str, dict[str, Score]] = {}
    for name, predict, docs in systems:
        for text in texts[:50]:  # warm caches and lazy imports before timing
            predict(text)
        scores[name] = evaluate(docs, predict, ALL_TYPES)
    best = {name: float("inf") for name, _, _ in systems}
    for _ in range(args.repeat):  # interleaved, so a burst of load hits every system alike
        for name, predict, _ in systems:
            best[name] = min(best[name], cpu_seconds(predict, texts))
    rows = [(name, len(texts) / best[name], megabytes / best[name]) for name, _, _ in systems]
    base = rows[0][1]
    print("Throughput in CPU time, best of", args.repeat, "interleaved runs.\n")
    print("| system | documents/s | MB/s | Steward speed-up |")
    print("|---|---:|---:|---:|")
    for name, dps, mbs in rows:
        print(f"| {name} | {dps:,.0f} | {mbs:.2f} | {base / dps:.1f}× |")
    print()
    names = [name for name, _, _ in systems]
    print("| type | " + " | ".join(f"{n} P | R" for n in names) + " |")
    print("|---|" + "---:|---:|" * len(names))
    for kind in sorted(ALL_TYPES, key=lambda t: (t not in NATIONAL_ID_TYPES, t)):
        cells = []
        for name, _, _ in systems:
            score = scores[name].get(kind)
            if name != names[0] and kind == "SE_SAMORD":
                cells.append("(in SE_PNR) | ")
                continue
            if name != names[0] and kind not in PRESIDIO_TYPES.values():
                cells.append("no recognizer | ")
                continue
            cells.append(fmt(score))
        print(f"| {kind} | " + " | ".join(cells) + " |")
    national = scores[names[0]]
    worst_p = min(national[t].precision for t in NATIONAL_ID_TYPES)
    worst_r = min(national[t].recall for t in NATIONAL_ID_TYPES)
    print(f"\nSteward national ids: worst precision {worst_p:.4f}, worst recall {worst_r:.4f}")
    return 0


class PhoneRecognizerDefault:
    @staticmethod
    def regions() -> tuple[str, ...]:
        from presidio_analyzer.predefined_recognizers import PhoneRecognizer

        return tuple(PhoneRecognizer.DEFAULT_SUPPORTED_REGIONS)


if __name__ == "__main__":
    raise SystemExit(main())
