"""The labeled corpus, and precision/recall of scan() on it per type above floors."""

from __future__ import annotations

import pytest

from steward.scanner import ALL_TYPES, NATIONAL_ID_TYPES, scan
from steward.scanner.corpus import generate_corpus
from steward.scanner.evaluation import Score, evaluate
from steward.scanner.nationalids import is_valid_cpr, is_valid_hetu, is_valid_nino, no_kind, se_kind

FLOORS = {t: (0.99, 0.98) for t in NATIONAL_ID_TYPES} | {
    "EMAIL": (0.99, 0.99), "IBAN": (0.99, 0.98), "CARD": (0.98, 0.98),
    "PHONE": (0.97, 0.95), "HEALTH": (0.95, 0.95), "ABSENCE": (0.95, 0.95),
}


def test_deterministic_for_a_seed() -> None:
    assert generate_corpus(30, seed=5) == generate_corpus(30, seed=5)
    assert generate_corpus(30, seed=5) != generate_corpus(30, seed=6)


def test_labels_point_at_valid_values_of_their_type() -> None:
    checks = {"DK_CPR": is_valid_cpr, "FI_HETU": is_valid_hetu, "UK_NINO": is_valid_nino,
              "NO_FNR": lambda v: no_kind(v) == "NO_FNR",
              "NO_DNR": lambda v: no_kind(v) == "NO_DNR",
              "SE_PNR": lambda v: se_kind(v) == "SE_PNR",
              "SE_SAMORD": lambda v: se_kind(v) == "SE_SAMORD"}
    seen = set()
    for doc in generate_corpus(400, seed=3):
        for label in doc.labels:
            value = doc.text[label.start : label.end]
            seen.add(label.type)
            assert value.strip() == value and value
            if label.type in checks:
                assert checks[label.type](value), (label.type, value)
            if label.type == "EMAIL":
                assert value.split("@")[1].endswith(("example.com", "example.org",
                                                     "example.net", ".example"))
    assert seen == set(ALL_TYPES)


def test_corpus_has_hard_negatives_and_all_languages() -> None:
    docs = generate_corpus(200, seed=4)
    assert {d.language for d in docs} == {"da", "no", "sv", "en"}
    text = " ".join(d.text for d in docs)
    for word in ("Ordre", "faktura", "Sporingsnummer", "Kundnummer", "Loggen", "log says"):
        assert word in text


@pytest.mark.parametrize("seed", [1, 2026])
def test_precision_and_recall_per_type(seed: int) -> None:
    docs = generate_corpus(1200, seed=seed)
    scores = evaluate(docs, lambda t: [(f.type, f.start, f.end) for f in scan(t)], ALL_TYPES)
    problems = []
    for kind, (p_floor, r_floor) in FLOORS.items():
        score: Score = scores[kind]
        assert score.tp > 10, f"too few {kind} in the corpus to measure"
        if score.precision < p_floor or score.recall < r_floor:
            problems.append(f"{kind}: P={score.precision:.3f} R={score.recall:.3f} "
                            f"(floors {p_floor}/{r_floor}; tp={score.tp} fp={score.fp} "
                            f"fn={score.fn})")
    assert not problems, problems


def test_evaluation_counts_misses_and_false_alarms() -> None:
    docs = generate_corpus(20, seed=9)
    nothing = evaluate(docs, lambda t: [], ALL_TYPES)
    assert sum(s.fn for s in nothing.values()) == sum(len(d.labels) for d in docs)
    everything = evaluate(docs, lambda t: [("DK_CPR", 0, len(t))], {"DK_CPR"})
    assert everything["DK_CPR"].fp > 0
