"""Health and absence wording: the vocabulary files, inflections in five languages, compound
tails, and the hard negatives the vocabulary README decides on."""

from __future__ import annotations

import pytest

from steward.scanner import scan
from steward.scanner.health import LANGUAGES, VOCABULARY, parse_vocabulary, vocabulary


def _wording(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.excerpt(text)) for f in scan(text) if f.type in ("HEALTH", "ABSENCE")]


# (text, the words a reader marks as health or absence). Inflected forms on purpose: Danish,
# Norwegian and Swedish definite forms, Finnish case endings.
FOUND = [
    ("I was on sick leave last week with pneumonia.",
     [("ABSENCE", "sick leave"), ("HEALTH", "pneumonia")]),
    ("Jeg har ligget med lungebetændelsen i en uge.", [("HEALTH", "lungebetændelsen")]),
    ("Jeg har hatt lungebetennelse i to uker.", [("HEALTH", "lungebetennelse")]),
    ("Jag har haft lunginflammationen sedan i fredags.", [("HEALTH", "lunginflammationen")]),
    ("Olin kotona keuhkokuumeen takia ja en vastannut.", [("HEALTH", "keuhkokuumeen")]),
    ("Hän sairastui keuhkokuumeeseen.", [("HEALTH", "sairastui"),
                                        ("HEALTH", "keuhkokuumeeseen")]),
    ("He is HIV positive, please remove the note.", [("HEALTH", "HIV positive")]),
    ("My brother is in hospital after a suicide attempt.",
     [("HEALTH", "in hospital"), ("HEALTH", "suicide attempt")]),
    ("Min søn har haft et selvmordsforsøg.", [("HEALTH", "selvmordsforsøg")]),
    ("I had surgery for a herniated disc.", [("HEALTH", "surgery"),
                                             ("HEALTH", "herniated disc")]),
    ("Jeg har en diskusprolaps og tager Ipren.", [("HEALTH", "diskusprolaps"),
                                                 ("HEALTH", "Ipren")]),
    ("Jag har diskbråck och äter Alvedon.", [("HEALTH", "diskbråck"), ("HEALTH", "Alvedon")]),
    ("Minulla on välilevytyrä ja syön Buranaa.", [("HEALTH", "välilevytyrä"),
                                                 ("HEALTH", "Buranaa")]),
    ("I take sertraline and insulin every day.", [("HEALTH", "sertraline"),
                                                  ("HEALTH", "insulin")]),
    ("Hun får insulinen om morgenen.", [("HEALTH", "insulinen")]),
    ("Syön sertraliinia masennukseen.", [("HEALTH", "sertraliinia"),
                                         ("HEALTH", "masennukseen")]),
    ("Min kone har brystkreft.", [("HEALTH", "brystkreft")]),          # compound tail
    ("Hans pappa har prostatacancern.", [("HEALTH", "prostatacancern")]),
    ("Vaimollani on rintasyöpä ja hän saa solunsalpaajahoitoa.",
     [("HEALTH", "rintasyöpä"), ("HEALTH", "solunsalpaajahoitoa")]),
    ("Vaimoni rintasyövän hoito jatkuu.", [("HEALTH", "rintasyövän")]),  # consonant gradation
    ("I'm on pregnancy-related sick leave from Monday.",
     [("HEALTH", "pregnancy"), ("ABSENCE", "sick leave")]),
    ("Olen raskaana ja jään äitiyslomalle.", [("HEALTH", "raskaana"),
                                              ("ABSENCE", "äitiyslomalle")]),
    ("Olen sairauslomalla kuun loppuun.", [("ABSENCE", "sairauslomalla")]),
    ("Jeg er blevet sygemeldt med depression.", [("ABSENCE", "sygemeldt"),
                                                 ("HEALTH", "depression")]),
    ("Our daughter has type 1 diabetes.", [("HEALTH", "type 1 diabetes")]),
]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_health_wording_is_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert _wording(text) == expected


# Hard negatives: words that look like health words, and text that names a disease without
# saying anything about a person (see vocabulary/README.md, "Decisions").
NOT_HEALTH = [
    "Please cancel my plan, we moved to HIVE for our boards.",
    "I'm sick of waiting for the refund and sick and tired of chasing it.",
    "We sponsor the diabetes awareness campaign at the 10k; please print 200 flyers.",
    "Vi støtter Kræftens Bekæmpelse med en del af overskuddet.",
    "Firmaet vårt støtter Kreftforeningen hvert år.",
    "Vi stöder Cancerfonden och vill ha det på fakturan.",
    "Tuemme Syöpäsäätiötä ja haluamme sen laskulle.",
    "Jag är trött på att vänta på svar.",
    "The stress test passed; the stroke of midnight release is on.",
]


@pytest.mark.parametrize("text", NOT_HEALTH)
def test_hard_negatives_are_not_health(text: str) -> None:
    assert _wording(text) == []


def test_a_word_of_another_language_counts_for_less() -> None:
    # "lege" is a Norwegian doctor and Danish for "play": weak, and foreign in Danish text.
    assert _wording("Jeg kan ikke lege med jeres nye app, den er for langsom.") == []
    assert _wording("Jeg var hos legen i går, derfor har jeg ikke svart.") == [
        ("HEALTH", "legen")]


def test_every_language_has_a_vocabulary_file_and_all_parse() -> None:
    files = {p.stem for p in VOCABULARY.glob("*.txt")}
    assert files == {*LANGUAGES, "any"}
    table = vocabulary()
    assert len(table) > 500
    for lang in LANGUAGES:
        assert any(lang in e.languages and e.kind == "ABSENCE" for e in table.values()), lang


@pytest.mark.parametrize(("line", "message"), [
    ("pneumonia HEALTH", "expected"),                 # no level
    ("pneumonia SICK strong", "expected"),            # unknown type
    ("charity name NOT strong", "expected"),          # NOT takes no level
    ("pneu*monia HEALTH strong", "may only open or close"),
    ("*kreft HEALTH strong", "runs on"),
])
def test_bad_vocabulary_lines_name_file_and_line(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"xx.txt:3: .*{message}"):
        parse_vocabulary("xx.txt", f"# comment\n\n{line}\n")


def test_vocabulary_line_format() -> None:
    assert parse_vocabulary("x.txt", "sick leave  ABSENCE strong  # a comment\nsick of NOT\n"
                            ) == [("sick leave", "ABSENCE", 0.85), ("sick of", None, 0.0)]
