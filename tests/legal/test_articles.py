"""The registry of article references."""

from __future__ import annotations

import pytest

from steward.errors import InvalidInput
from steward.legal import articles
from steward.legal.articles import (
    ART_9_CONDITIONS,
    ART_12_3,
    ART_17_3_B,
    LEGAL_BASES,
    art_9_condition,
    describe,
    erasure_exception,
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
