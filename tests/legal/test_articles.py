"""The registry of article references."""

from __future__ import annotations

import pytest

from steward.errors import InvalidInput
from steward.legal import articles
from steward.legal.articles import (
    ART_9_CONDITIONS,
    ART_12_3,
    ART_17_3_B,
    ERASURE_EXCEPTIONS,
    ERASURE_GROUNDS,
    LEGAL_BASES,
    art_9_condition,
    describe,
    erasure_exception,
    erasure_ground,
    legal_basis,
)


def test_constants_are_the_strings_users_see() -> None:
    assert ART_12_3 == "GDPR Art. 12(3)"
    assert describe(ART_12_3).startswith("GDPR Art. 12(3) — ")
    assert "one month" in describe(ART_12_3)


def test_every_constant_has_a_description() -> None:
    constants = [
        value for name, value in vars(articles).items() if name.isupper() and isinstance(value, str)
    ]
    assert len(constants) >= 30
    for ref in constants:
        assert describe(ref).split(" — ")[1], ref


def test_legal_bases_6_1_a_to_f() -> None:
    assert list(LEGAL_BASES) == ["a", "b", "c", "d", "e", "f"]
    assert legal_basis("f") == "GDPR Art. 6(1)(f)"
    assert legal_basis("(A)") == "GDPR Art. 6(1)(a)"
    assert describe("GDPR Art. 6(1)(f)") == "GDPR Art. 6(1)(f) — legitimate interests"
    with pytest.raises(InvalidInput, match=r"\(a\), \(b\)"):
        legal_basis("g")


def test_article_9_2_conditions_a_to_j() -> None:
    assert list(ART_9_CONDITIONS) == list("abcdefghij")
    assert art_9_condition("a") == "GDPR Art. 9(2)(a)"
    assert describe(art_9_condition("h")).endswith("health or social care")
    with pytest.raises(InvalidInput):
        art_9_condition("k")


def test_specific_erasure_exception_wins_over_the_generic_name() -> None:
    assert erasure_exception("b") == ART_17_3_B
    assert "bookkeeping" in describe(ART_17_3_B)
    assert describe("GDPR Art. 17(3)(a)").endswith("freedom of expression and information")


def test_unknown_reference_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="Unknown article reference"):
        describe("GDPR Art. 99")


# Every reference users see, written out by hand: a typo in a constant changes what letters,
# findings and the console cite.
REFERENCES = {
    "ART_5_1_E": "GDPR Art. 5(1)(e)",
    "ART_7": "GDPR Art. 7",
    "ART_9_2": "GDPR Art. 9(2)",
    "ART_12_3": "GDPR Art. 12(3)",
    "ART_12_4": "GDPR Art. 12(4)",
    "ART_12_5": "GDPR Art. 12(5)",
    "ART_12_6": "GDPR Art. 12(6)",
    "ART_15": "GDPR Art. 15",
    "ART_15_2": "GDPR Art. 15(2)",
    "ART_15_4": "GDPR Art. 15(4)",
    "ART_16": "GDPR Art. 16",
    "ART_17": "GDPR Art. 17",
    "ART_17_3_B": "GDPR Art. 17(3)(b)",
    "ART_17_3_E": "GDPR Art. 17(3)(e)",
    "ART_18": "GDPR Art. 18",
    "ART_19": "GDPR Art. 19",
    "ART_20": "GDPR Art. 20",
    "ART_21": "GDPR Art. 21",
    "ART_21_3": "GDPR Art. 21(3)",
    "ART_22": "GDPR Art. 22",
    "ART_30_1": "GDPR Art. 30(1)",
    "ART_30_2": "GDPR Art. 30(2)",
    "ART_33_1": "GDPR Art. 33(1)",
    "ART_33_3": "GDPR Art. 33(3)",
    "ART_33_4": "GDPR Art. 33(4)",
    "ART_33_5": "GDPR Art. 33(5)",
    "ART_34": "GDPR Art. 34",
    "REG_1182_71_ART_3": "Reg. (EEC, Euratom) 1182/71 Art. 3",
    "REG_1182_71_ART_3_4": "Reg. (EEC, Euratom) 1182/71 Art. 3(4)",
    "UK_GDPR_ART_12A": "UK GDPR Art. 12A",
    "DK_DPA_11": "Databeskyttelsesloven § 11",
}

# Each description must carry the words of the provision it explains (the GDPR's article
# titles and text, Reg. 1182/71 Art. 3, the UK Data (Use and Access) Act 2025, the Danish
# Data Protection Act § 11).
WORDS = {
    "GDPR Art. 5(1)(e)": ["storage limitation", "no longer than necessary"],
    "GDPR Art. 7": ["consent", "withdrawal"],
    "GDPR Art. 9(2)": ["special categories"],
    "GDPR Art. 12(3)": ["one month", "two months", "within the first month"],
    "GDPR Art. 12(4)": ["reasons", "complain", "judicial remedy"],
    "GDPR Art. 12(5)": ["free", "manifestly unfounded or excessive"],
    "GDPR Art. 12(6)": ["reasonable doubts", "identity"],
    "GDPR Art. 15": ["right of access", "copy"],
    "GDPR Art. 15(2)": ["third country", "international organisation"],
    "GDPR Art. 15(4)": ["rights of others"],
    "GDPR Art. 16": ["rectification"],
    "GDPR Art. 17": ["erasure"],
    "GDPR Art. 17(3)(b)": ["legal obligation"],
    "GDPR Art. 17(3)(e)": ["legal claims"],
    "GDPR Art. 18": ["restriction"],
    "GDPR Art. 19": ["recipients", "rectification, erasure or restriction"],
    "GDPR Art. 20": ["portability"],
    "GDPR Art. 21": ["object", "legitimate interests", "public task"],
    "GDPR Art. 21(3)": ["direct marketing"],
    "GDPR Art. 22": ["automated", "profiling"],
    "GDPR Art. 30(1)": ["controller", "record of processing activities"],
    "GDPR Art. 30(2)": ["processor", "record of processing activities"],
    "GDPR Art. 33(1)": ["72 hours", "supervisory authority"],
    "GDPR Art. 33(3)": ["nature", "consequences", "measures"],
    "GDPR Art. 33(4)": ["phases"],
    "GDPR Art. 33(5)": ["document"],
    "GDPR Art. 34": ["data subjects", "high risk"],
    "Reg. (EEC, Euratom) 1182/71 Art. 3": ["months", "last day"],
    "Reg. (EEC, Euratom) 1182/71 Art. 3(4)": ["Saturday, Sunday or public holiday",
                                              "next working day"],
    "UK GDPR Art. 12A": ["identification", "clarification", "Data (Use and Access) Act 2025"],
    "Databeskyttelsesloven § 11": ["CPR"],
}  # fmt: skip


def test_constants_are_exactly_the_references_users_see() -> None:
    constants = {
        name: value
        for name, value in vars(articles).items()
        if name.isupper() and isinstance(value, str)
    }
    assert constants == REFERENCES


@pytest.mark.parametrize(("ref", "words"), sorted(WORDS.items()))
def test_each_description_carries_the_words_of_its_provision(ref: str, words: list[str]) -> None:
    line = describe(ref)
    prefix, text = line.split(" — ")
    assert prefix == ref
    for word in words:
        assert word in text, (ref, word)


# Art. 6(1), 9(2), 17(1) and 17(3), point by point, in the Regulation's words.
LETTERED = [
    ("GDPR Art. 6(1)", "a", "consent"),
    ("GDPR Art. 6(1)", "b", "contract"),
    ("GDPR Art. 6(1)", "c", "legal obligation"),
    ("GDPR Art. 6(1)", "d", "vital interests"),
    ("GDPR Art. 6(1)", "e", "public task"),
    ("GDPR Art. 6(1)", "f", "legitimate interests"),
    ("GDPR Art. 9(2)", "a", "explicit consent"),
    ("GDPR Art. 9(2)", "b", "employment, social security and social protection"),
    ("GDPR Art. 9(2)", "c", "vital interests"),
    ("GDPR Art. 9(2)", "d", "not-for-profit body"),
    ("GDPR Art. 9(2)", "e", "manifestly made public by the data subject"),
    ("GDPR Art. 9(2)", "f", "legal claims"),
    ("GDPR Art. 9(2)", "g", "substantial public interest"),
    ("GDPR Art. 9(2)", "h", "preventive or occupational medicine"),
    ("GDPR Art. 9(2)", "i", "public health"),
    ("GDPR Art. 9(2)", "j", "archiving"),
    ("GDPR Art. 17(1)", "a", "no longer necessary"),
    ("GDPR Art. 17(1)", "b", "consent withdrawn"),
    ("GDPR Art. 17(1)", "c", "objection"),
    ("GDPR Art. 17(1)", "d", "unlawfully processed"),
    ("GDPR Art. 17(1)", "e", "legal obligation"),
    ("GDPR Art. 17(1)", "f", "child"),
    ("GDPR Art. 17(3)", "a", "freedom of expression and information"),
    ("GDPR Art. 17(3)", "b", "legal obligation"),
    ("GDPR Art. 17(3)", "c", "public health"),
    ("GDPR Art. 17(3)", "d", "archiving"),
    ("GDPR Art. 17(3)", "e", "legal claims"),
]
POINT = {
    "GDPR Art. 6(1)": legal_basis,
    "GDPR Art. 9(2)": art_9_condition,
    "GDPR Art. 17(1)": erasure_ground,
    "GDPR Art. 17(3)": erasure_exception,
}


@pytest.mark.parametrize(("prefix", "letter", "words"), LETTERED)
def test_each_lettered_point_is_named_in_the_regulations_words(
    prefix: str, letter: str, words: str
) -> None:
    ref = POINT[prefix](letter)
    assert ref == f"{prefix}({letter})"
    assert words in describe(ref).split(" — ")[1]
    assert POINT[prefix](f" ({letter.upper()}) ") == ref


def test_the_lettered_tables_hold_exactly_the_regulations_points() -> None:
    table = {prefix: [letter for p, letter, _ in LETTERED if p == prefix] for prefix in POINT}
    assert list(LEGAL_BASES) == table["GDPR Art. 6(1)"]
    assert list(ART_9_CONDITIONS) == table["GDPR Art. 9(2)"]
    assert list(ERASURE_GROUNDS) == table["GDPR Art. 17(1)"]
    assert list(ERASURE_EXCEPTIONS) == table["GDPR Art. 17(3)"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: legal_basis("g"),
         "GDPR Art. 6(1) has no point 'g'; valid: (a), (b), (c), (d), (e), (f)."),
        (lambda: art_9_condition("k"),
         "GDPR Art. 9(2) has no point 'k'; valid: (a), (b), (c), (d), (e), (f), (g), (h), (i), "
         "(j)."),
        (lambda: erasure_ground("(g)"),
         "GDPR Art. 17(1) has no point '(g)'; valid: (a), (b), (c), (d), (e), (f)."),
        (lambda: legal_basis("aX"),
         "GDPR Art. 6(1) has no point 'aX'; valid: (a), (b), (c), (d), (e), (f)."),
        (lambda: erasure_exception(None),
         "GDPR Art. 17(3) has no point None; valid: (a), (b), (c), (d), (e)."),
        (lambda: describe("GDPR Art. 99"), "Unknown article reference 'GDPR Art. 99'."),
    ],
)  # fmt: skip
def test_unknown_points_and_references_are_refused_in_full_sentences(
    call: object, message: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        call()  # type: ignore[operator]
    assert err.value.detail == message


def test_the_registry_holds_each_reference_once() -> None:
    # 31 constants and 27 lettered points, of which 17(3)(b) and 17(3)(e) are both.
    known = articles.registry()
    assert len(known) == len(REFERENCES) + len(LETTERED) - 2
    assert set(REFERENCES.values()) <= set(known)
