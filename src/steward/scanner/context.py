"""What surrounds a candidate: the nearest label word before it, and the document's language.

Context words raise confidence ("CPR: 121085-1234"); labels of other things suppress a
candidate that merely looks like an identity number ("Ordre 1210851234", "tlf 0701234567").
The nearest label wins, so "cpr 121085-1234 og ordre 1210851234" reads both numbers right.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from steward.scanner.wordtrie import WordMatcher

# Label -> keywords. A trailing `*` lets the word run on ("ordre*" matches "ordrenummer");
# every keyword also swallows a compound tail such as "-nummer" or ".nr" so that
# "cpr-nummer" is one CPR label and not a CPR label followed by a bare "nummer".
KEYWORDS: dict[str, tuple[str, ...]] = {
    "DK_CPR": ("cpr*", "dansk personnummer*", "civil registration number"),
    "NO_FNR": ("fødselsnummer*", "fødselsnr*", "fodselsnummer*", "fnr", "f.nr",
               "norsk personnummer*"),
    "NO_DNR": ("d-nummer*", "d-nr", "dnummer*"),
    "SE_PNR": ("svenskt personnummer", "swedish personal identity number", "swedish personnummer"),
    "SE_SAMORD": ("samordningsnummer*", "samordningsnr*", "coordination number*"),
    "FI_HETU": ("hetu", "henkilötunnu*", "personbeteckning*", "finnish personal identity code"),
    "UK_NINO": ("national insurance*", "ni number*", "ni no", "nino", "nin"),
    "ID": (
        "personnummer*", "personnr*", "person nr", "personal number*", "personal identity number*",
        "personal id*", "identity number*", "id number*", "id-nummer*", "id nr", "social security*",
        "ssn", "personlig identitetsnummer*", "identitetsnummer*", "personnummeret",
    ),
    "PHONE": (
        "tlf*", "telefon*", "telephone*", "phone*", "tel", "mobil*", "mob", "ring*", "call*",
        "sms", "puhelin*", "nummeret mitt", "mitt nummer", "mit nummer", "soita*",
        "matkapuhelin*", "gsm", "numeroon", "numerooni",
    ),
    "CARD": ("kort*", "card*", "visa", "mastercard", "dankort", "kreditkort*", "betalingskort*"),
    "NEG": (
        "ordre*", "order*", "bestilling*", "beställning*", "faktura*", "invoice*", "inv", "ref",
        "ref.", "reference*", "referen*", "sag", "sagsnr*", "sagsnummer*", "sak", "saksnr*",
        "saksnummer*", "ärende*", "arende*", "case*", "ticket*", "kundenr*", "kundenummer*",
        "kundnr*", "kundnummer*", "customer*", "konto*", "account*", "tracking*", "sporing*",
        "spårning*", "pakke*", "paket*", "kolli*", "forsendelse*", "försändelse*", "shipment*",
        "serienummer*", "serial*", "licens*", "license*", "licence*", "lisens*", "beløb*",
        "beløp*", "belopp*", "amount*", "total*", "pris*", "price*", "kr", "kr.", "dkk", "nok",
        "sek", "eur", "gbp", "usd", "varenr*", "varenummer*", "artikel*", "artikkel*", "item*",
        "produkt*", "product*", "transaktion*", "transaksjon*", "transaction*", "betaling*",
        "payment*", "kvittering*", "kvitto*", "receipt*", "dato", "datum", "date*", "kl", "kl.",
        "version*", "versjon*", "build", "fejlkode*", "feilkode*", "felkod*", "error*",
        "postnummer*", "postnr*", "postcode*", "bankkonto*", "reg.nr*", "cvr*", "org.nr*",
        "orgnr*", "organisationsnummer*", "organisasjonsnummer*", "momsnr*", "vat*", "log",
        "logs", "loggen", "logfil*", "loggfil*", "timestamp*", "tidsstempel*", "tidsstämpel*",
        # Finnish: invoice, order, customer number, reference, tracking code, sum, euros.
        "lasku*", "tilaus*", "asiakasnumero*", "asiakasnro*", "viite*", "viitenumero*",
        "seurantakoodi*", "seurantanumero*", "summa*", "euro*", "tilinumero*", "y-tunnus*",
    ),
}
# Country words near a number tell whose number it is where layouts collide (a 10-digit
# number can be a CPR and a Swedish personnummer at once).
COUNTRY_WORDS: dict[str, tuple[str, ...]] = {
    "C_DK": ("danmark", "denmark", "dansk*", "danish"),
    "C_NO": ("norge", "norway", "norsk*", "norwegian"),
    "C_SE": ("sverige", "sweden", "svensk*", "swedish"),
    "C_FI": ("finland*", "finsk*", "finnish", "suomi"),
}
ID_LABELS = frozenset({"DK_CPR", "NO_FNR", "NO_DNR", "SE_PNR", "SE_SAMORD", "FI_HETU",
                       "UK_NINO", "ID"})
BEFORE_WINDOW = 40  # characters between the end of a label and the candidate
# A negative label must stand right before the number ("Ordre 1210851234", "faktura nr.
# 1210851234"): "Kontoen er registrert på Ola Nordmann, 15108695088" names the account,
# not the number.
NEG_WINDOW = 16
AFTER_WINDOW = 16  # "121085-1234 (CPR)": only identity labels count after a candidate


def _keyword_tables() -> tuple[dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    stems: dict[str, str] = {}
    for label, words in {**KEYWORDS, **COUNTRY_WORDS}.items():
        for word in words:
            if word.endswith("*"):
                stems[word[:-1]] = label
            else:
                exact[word] = label
    return exact, stems


_EXACT, _STEMS = _keyword_tables()
# One trie-shaped regex for every label word; a compound tail ("-nummer", ".nr") rides along.
_KEYWORDS = WordMatcher([*_EXACT, *(s + "*" for s in _STEMS)],
                        tail=r"(?:[-.][^\W\d_]+)*\.?")


def _label_of(matched: str) -> str:
    """The label of a keyword match: the longest listed word or stem it starts with."""
    for cut in range(len(matched), 0, -1):
        head = matched[:cut]
        if head in _STEMS:
            return _STEMS[head]
        if head in _EXACT and (cut == len(matched) or matched[cut] in "-. "):
            return _EXACT[head]
    return ""

COUNTRY_WINDOW = 60

# Function words that tell the four languages apart; shared words vote for each of theirs.
_LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "da": ("i", "jeg", "ikke", "og", "af", "hvad", "mig", "dig", "nu", "tak", "hej", "noget",
           "meget", "blev", "efter", "jeres", "venlig", "hilsen", "kære", "kan", "har", "det",
           "min",
           "mit", "også", "være", "fordi", "hvordan", "vores", "skal", "ind", "stadig"),
    "no": ("i", "jeg", "ikke", "og", "av", "hva", "meg", "deg", "nå", "takk", "hei", "noe", "mye",
           "ble", "etter", "dere", "vennlig", "hilsen", "kan", "har", "det", "min", "mitt",
           "også", "være", "fordi", "hvordan", "vår", "skal", "inn", "fortsatt", "fikk"),
    "sv": ("i", "jag", "inte", "och", "av", "vad", "mig", "dig", "nu", "tack", "hej", "något",
           "mycket", "blev", "efter", "ni", "vänliga", "hälsningar", "kan", "har", "det", "min",
           "mitt", "också", "vara", "eftersom", "hur", "vår", "ska", "är", "att", "för",
           "fortfarande"),
    "en": ("i", "the", "and", "is", "to", "my", "of", "you", "please", "thanks", "hello", "hi",
           "have", "not", "with", "for", "can", "it", "this", "that", "am", "was", "regards",
           "dear", "still", "because"),
    "fi": ("ja", "ei", "että", "olen", "olin", "oli", "kiitos", "mutta", "minun", "tämä",
           "kun", "myös", "terveisin", "jos", "hän", "ovat", "siksi", "joten", "hei", "ole",
           "olisi", "vielä", "koska", "pahoittelen", "ystävällisin"),
}
_VOTES: dict[str, dict[str, float]] = {}
for _lang, _words in _LANGUAGE_WORDS.items():
    for _word in _words:
        _VOTES.setdefault(_word, {})[_lang] = 1.0
for _word, _langs in _VOTES.items():
    for _lang in _langs:
        _langs[_lang] = 1.0 / len(_langs)
_FUNCTION_WORDS = WordMatcher(list(_VOTES))
_LANGUAGE_SAMPLE = 500  # the first characters are enough to tell the language


def guess_languages(lower_text: str) -> frozenset[str]:
    """The best-scoring of 'da', 'no', 'sv', 'en', 'fi' for lower-cased text (several on a
    tie, as Danish and Norwegian often are), or an empty set when no function word decides."""
    scores = {"da": 0.0, "no": 0.0, "sv": 0.0, "en": 0.0, "fi": 0.0}
    sample = lower_text[:_LANGUAGE_SAMPLE]
    for word in _FUNCTION_WORDS.findall(sample):
        for lang, weight in _VOTES[word].items():
            scores[lang] += weight
    # Letters only some of the languages write.
    nordic = sample.count("æ") + sample.count("ø")
    swedish = sample.count("ä") + sample.count("ö")
    scores["da"] += 0.5 * min(nordic, 4)
    scores["no"] += 0.5 * min(nordic, 4)
    scores["sv"] += 0.5 * min(swedish, 4)
    best = max(scores.values())
    if best < 1.0:
        return frozenset()
    return frozenset(lang for lang, score in scores.items() if score == best)


_SENTENCE_END_RE = re.compile(r"[.!?]\s+[^\W\d_]|\n")  # "nr. 1234" is not an end
_LIST_JOINERS = frozenset({"", "og", "and", "och", "&"})


def _reaches(label: str, gap: str, sentence_gap: str, distance: int) -> bool:
    """Whether a label governs a number `gap` characters after it. A label belongs to the
    number right after it: it reaches past another number only along a list ("CPR:
    121085-1234, 130990-4321"), and a negative label must stand close and in the same
    sentence ("Ordre 1210851234", not "... fakturaen. Ring på 20304050")."""
    last_digit = max((i for i, c in enumerate(gap) if c.isdigit()), default=-1)
    if last_digit >= 0:
        if label not in ID_LABELS:
            return False
        if gap[last_digit + 1 :].strip(" ,;/").lower() not in _LIST_JOINERS:
            return False
    if label == "NEG":
        return distance <= NEG_WINDOW and _SENTENCE_END_RE.search(sentence_gap) is None
    return True


@dataclass
class Context:
    """A document prepared once for all detectors: its lower-cased text, label words, language."""

    text: str
    lower: str = field(init=False)
    _ends: list[int] = field(init=False, repr=False)
    _hits: list[tuple[int, int, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        lower = self.text.lower()
        # lower() changes the length of a few characters ("İ"); offsets must match the text.
        if len(lower) != len(self.text):
            lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in self.text)
        self.lower = lower
        self._languages: frozenset[str] | None = None
        hits = [(start, end, _label_of(word)) for start, end, word in _KEYWORDS.finditer(lower)]
        self._hits = [hit for hit in hits if not hit[2].startswith("C_")]
        self._ends = [end for _, end, _ in self._hits]
        self._countries = [(end, label[2:]) for _, end, label in hits if label.startswith("C_")]
        self._country_ends = [end for end, _ in self._countries]

    @property
    def languages(self) -> frozenset[str]:
        """The document's language(s), guessed on first use (many texts never need it)."""
        if self._languages is None:
            self._languages = guess_languages(self.lower)
        return self._languages

    @property
    def language(self) -> str | None:
        """The single best language, or None when undecided."""
        return next(iter(self.languages)) if len(self.languages) == 1 else None

    def country_near(self, start: int) -> str | None:
        """'DK', 'NO', 'SE' or 'FI' named within COUNTRY_WINDOW characters before `start`."""
        i = bisect.bisect_right(self._country_ends, start) - 1
        if i >= 0 and start - self._countries[i][0] <= COUNTRY_WINDOW:
            return self._countries[i][1]
        return None

    def label_near(self, start: int, end: int, *, after: bool = True) -> str | None:
        """The label that governs a candidate at [start, end): the nearest label ending before
        it within BEFORE_WINDOW, else an identity label starting just after it."""
        i = bisect.bisect_right(self._ends, start) - 1
        if i >= 0 and start - self._ends[i] <= BEFORE_WINDOW:
            label = self._hits[i][2]
            gap = self.text[self._ends[i] : start]
            # One character more for the sentence test: a keyword may have eaten the full
            # stop ("... betalte 400 kr. Ring på 20304050").
            sentence_gap = self.text[max(0, self._ends[i] - 1) : start]
            if _reaches(label, gap, sentence_gap, start - self._ends[i]):
                return label
        if not after:
            return None
        j = bisect.bisect_left(self._ends, end + 1)
        if j < len(self._hits):
            h_start, _, label = self._hits[j]
            if 0 <= h_start - end <= AFTER_WINDOW and label in ID_LABELS:
                return label
        return None
