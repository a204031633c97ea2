"""Health and absence wording in Danish, Norwegian, Swedish and English.

Art. 9 GDPR makes data concerning health a special category; in support tickets it appears as
a sick note ("jeg er sygemeldt"), a diagnosis, a pregnancy or a medication. In: a prepared
`Context`. Out: HEALTH and ABSENCE findings, one per word or phrase.

Each list entry is `(word, type, confidence)`; a `*` lets the word run on, `None` as type marks
a phrase that is *not* health ("sick of", "stress test") and masks the shorter word inside it.
A word found in a document of another language counts for less ("lege" is "play" in Danish).
"""

from __future__ import annotations

from steward.scanner.context import Context
from steward.scanner.findings import Finding, clamp
from steward.scanner.wordtrie import WordMatcher

H, A = "HEALTH", "ABSENCE"
STRONG, MEDIUM, WEAK = 0.85, 0.7, 0.55
FOREIGN_PENALTY = 0.2

Entry = tuple[str, str | None, float]

WORDS: dict[str, tuple[Entry, ...]] = {
    "da": (
        ("sygemeld*", A, STRONG), ("sygefravær*", A, STRONG), ("sygedag*", A, MEDIUM),
        ("sygeorlov*", A, STRONG), ("raskmeld*", A, STRONG), ("barsel*", A, MEDIUM),
        ("forældreorlov*", A, MEDIUM), ("fravær*", A, WEAK), ("lægeerklæring*", A, MEDIUM),
        ("omsorgsdag*", A, MEDIUM), ("hjemme syg", A, MEDIUM), ("fraværende", A, WEAK),
        ("syg", H, MEDIUM), ("syge", H, WEAK), ("sygdom*", H, STRONG), ("diagnose*", H, STRONG),
        ("diagnosticeret", H, STRONG), ("depression*", H, STRONG), ("depressiv*", H, STRONG),
        ("angst*", H, MEDIUM), ("stress", H, WEAK), ("stressramt", H, MEDIUM),
        ("stresssygemeld*", A, STRONG), ("kræft*", H, STRONG), ("cancer*", H, STRONG),
        ("diabetes", H, STRONG), ("sukkersyge", H, STRONG), ("graviditet*", H, STRONG),
        ("gravid", H, STRONG), ("medicin*", H, MEDIUM), ("piller", H, WEAK),
        ("antidepressiv*", H, STRONG), ("lykkepiller", H, STRONG), ("læge", H, WEAK),
        ("lægen", H, WEAK), ("lægebesøg*", H, MEDIUM), ("egen læge", H, MEDIUM),
        ("sygehus*", H, MEDIUM), ("hospital*", H, WEAK), ("indlagt", H, MEDIUM),
        ("indlæggelse*", H, MEDIUM), ("operation", H, WEAK), ("opereret", H, MEDIUM),
        ("kemo*", H, STRONG), ("strålebehandling*", H, STRONG), ("psykolog*", H, MEDIUM),
        ("psykiater*", H, STRONG), ("psykisk*", H, MEDIUM), ("adhd", H, STRONG),
        ("autisme", H, STRONG), ("migræne", H, STRONG), ("epilepsi", H, STRONG),
        ("astma", H, STRONG), ("allergi*", H, MEDIUM), ("blodprop*", H, STRONG),
        ("hjerneblødning*", H, STRONG), ("hjernerystelse", H, STRONG), ("covid*", H, MEDIUM),
        ("corona", H, WEAK), ("influenza", H, MEDIUM), ("brækket", H, MEDIUM),
        ("gigt", H, STRONG), ("sclerose", H, STRONG), ("demens", H, STRONG),
        ("spiseforstyrrelse*", H, STRONG), ("abort*", H, STRONG), ("fertilitetsbehandling*", H,
        STRONG), ("fysioterapeut*", H, MEDIUM), ("fysioterapi*", H, MEDIUM),
        ("genoptræning*", H, MEDIUM), ("smerter", H, WEAK), ("rygsmerter", H, MEDIUM),
        ("piskesmæld", H, STRONG), ("handicap*", H, MEDIUM), ("kronisk syg", H, STRONG),
        ("udbrændt", H, MEDIUM), ("terapi", H, MEDIUM),
    ),
    "no": (
        ("sykmeld*", A, STRONG), ("sykemeld*", A, STRONG), ("sykefravær*", A, STRONG),
        ("egenmelding*", A, STRONG), ("permisjon*", A, WEAK), ("foreldrepermisjon*", A, MEDIUM),
        ("fødselspermisjon*", A, MEDIUM), ("pappaperm*", A, MEDIUM), ("mammaperm*", A, MEDIUM),
        ("sykepenger*", A, STRONG), ("legeerklæring*", A, MEDIUM), ("fravær*", A, WEAK),
        ("syk", H, MEDIUM), ("syke", H, WEAK), ("sykdom*", H, STRONG), ("diagnose*", H, STRONG),
        ("diagnostisert", H, STRONG), ("depresjon*", H, STRONG), ("deprimert", H, STRONG),
        ("angst*", H, MEDIUM), ("kreft*", H, STRONG), ("diabetes", H, STRONG),
        ("gravid", H, STRONG), ("graviditet*", H, STRONG), ("svangerskap*", H, STRONG),
        ("medisin*", H, MEDIUM), ("medikament*", H, MEDIUM), ("piller", H, WEAK),
        ("antidepressiva", H, STRONG), ("lege", H, WEAK), ("legen", H, WEAK),
        ("legekontor*", H, MEDIUM), ("fastlege*", H, MEDIUM), ("sykehus*", H, MEDIUM),
        ("innlagt", H, MEDIUM), ("innleggelse*", H, MEDIUM), ("operert", H, MEDIUM),
        ("operasjon*", H, WEAK), ("cellegift*", H, STRONG), ("strålebehandling*", H, STRONG),
        ("psykolog*", H, MEDIUM), ("psykiater*", H, STRONG), ("psykisk*", H, MEDIUM),
        ("adhd", H, STRONG), ("autisme", H, STRONG), ("migrene", H, STRONG),
        ("epilepsi", H, STRONG), ("astma", H, STRONG), ("allergi*", H, MEDIUM),
        ("blodpropp*", H, STRONG), ("hjerneslag", H, STRONG), ("hjernerystelse", H, STRONG),
        ("covid*", H, MEDIUM), ("korona", H, WEAK), ("influensa", H, MEDIUM),
        ("brukket", H, MEDIUM), ("utbrent*", H, MEDIUM), ("utbrenthet", H, STRONG),
        ("fysioterapeut*", H, MEDIUM), ("fysioterapi*", H, MEDIUM), ("abort*", H, STRONG),
        ("ufør*", H, MEDIUM), ("kronisk syk", H, STRONG), ("smerter", H, WEAK),
        ("terapi", H, MEDIUM),
    ),
    "sv": (
        ("sjukskriv*", A, STRONG), ("sjukfrånvaro*", A, STRONG), ("sjukanmäl*", A, STRONG),
        ("sjukledig*", A, STRONG), ("föräldraledig*", A, MEDIUM), ("tjänstledig*", A, WEAK),
        ("vab", A, MEDIUM), ("vabb*", A, MEDIUM), ("vård av barn", A, MEDIUM),
        ("frånvaro*", A, WEAK), ("sjukpenning*", A, STRONG), ("läkarintyg*", A, MEDIUM),
        ("friskanmäl*", A, MEDIUM), ("sjuk", H, MEDIUM), ("sjuka", H, WEAK),
        ("sjukdom*", H, STRONG), ("diagnos*", H, STRONG), ("diagnostiserad*", H, STRONG),
        ("depression*", H, STRONG), ("deprimerad", H, STRONG), ("ångest*", H, MEDIUM),
        ("cancer*", H, STRONG), ("diabetes", H, STRONG), ("gravid", H, STRONG),
        ("graviditet*", H, STRONG), ("medicin*", H, MEDIUM), ("läkemedel*", H, MEDIUM),
        ("tabletter", H, WEAK), ("antidepressiva", H, STRONG), ("läkare*", H, WEAK),
        ("läkaren", H, WEAK), ("vårdcentral*", H, MEDIUM), ("sjukhus*", H, MEDIUM),
        ("inlagd", H, MEDIUM), ("opererad*", H, MEDIUM), ("operation", H, WEAK),
        ("cellgift*", H, STRONG), ("strålbehandling*", H, STRONG), ("psykolog*", H, MEDIUM),
        ("psykiatri*", H, STRONG), ("psykisk*", H, MEDIUM), ("adhd", H, STRONG),
        ("autism", H, STRONG), ("migrän", H, STRONG), ("epilepsi", H, STRONG),
        ("astma", H, STRONG), ("allergi*", H, MEDIUM), ("blodpropp*", H, STRONG),
        ("stroke", H, MEDIUM), ("covid*", H, MEDIUM), ("corona", H, WEAK),
        ("influensa", H, MEDIUM), ("utmattningssyndrom*", H, STRONG), ("utbränd*", H, MEDIUM),
        ("utbrändhet", H, STRONG), ("sjukgymnast*", H, MEDIUM), ("fysioterapi*", H, MEDIUM),
        ("hjärnskakning", H, STRONG), ("missfall", H, STRONG), ("abort*", H, STRONG),
        ("kroniskt sjuk", H, STRONG), ("smärtor", H, WEAK), ("terapi", H, MEDIUM),
    ),
    "en": (
        ("sick leave", A, STRONG), ("sick note", A, STRONG), ("sick day*", A, MEDIUM),
        ("off sick", A, STRONG), ("signed off", A, MEDIUM), ("called in sick", A, STRONG),
        ("calling in sick", A, STRONG), ("sickness absence", A, STRONG), ("absence", A, WEAK),
        ("maternity leave", A, STRONG), ("paternity leave", A, STRONG),
        ("parental leave", A, MEDIUM), ("medical leave", A, STRONG),
        ("medical certificate", A, MEDIUM), ("fit note", A, STRONG), ("off work", A, MEDIUM),
        ("compassionate leave", A, MEDIUM), ("long-term sick", A, STRONG),
        ("sick pay", A, STRONG), ("statutory sick pay", A, STRONG),
        ("sick", H, WEAK), ("illness*", H, STRONG), ("disease*", H, MEDIUM),
        ("diagnosed", H, STRONG), ("diagnosis", H, STRONG), ("depression", H, STRONG),
        ("depressed", H, MEDIUM), ("anxiety", H, MEDIUM), ("cancer", H, STRONG),
        ("chemotherapy", H, STRONG), ("chemo", H, STRONG), ("diabetes", H, STRONG),
        ("diabetic", H, STRONG), ("pregnant", H, STRONG), ("pregnancy", H, STRONG),
        ("miscarriage", H, STRONG), ("medication*", H, MEDIUM), ("prescribed", H, MEDIUM),
        ("prescription*", H, MEDIUM), ("antidepressant*", H, STRONG), ("doctor", H, WEAK),
        ("hospital", H, WEAK), ("hospitalised", H, MEDIUM), ("hospitalized", H, MEDIUM),
        ("in hospital", H, MEDIUM), ("surgery", H, WEAK), ("operated on", H, MEDIUM),
        ("therapist", H, MEDIUM), ("therapy", H, MEDIUM), ("psychiatrist*", H, STRONG),
        ("psychologist", H, MEDIUM), ("mental health", H, STRONG), ("adhd", H, STRONG),
        ("autism", H, STRONG), ("autistic", H, STRONG), ("migraine*", H, STRONG),
        ("epilepsy", H, STRONG), ("asthma", H, STRONG), ("allergy", H, MEDIUM),
        ("allergies", H, MEDIUM), ("stroke", H, WEAK), ("covid*", H, MEDIUM), ("flu", H, WEAK),
        ("broken leg", H, MEDIUM), ("broken arm", H, MEDIUM), ("broken wrist", H, MEDIUM),
        ("burnout", H, MEDIUM), ("burn-out", H, MEDIUM), ("concussion", H, STRONG),
        ("physiotherapy", H, MEDIUM), ("disability", H, MEDIUM), ("chronic pain", H, STRONG),
        ("infection", H, WEAK), ("ill", H, WEAK), ("unwell", H, MEDIUM),
        # Phrases that contain a health word but are not about health.
        ("sick of", None, 0.0), ("sick and tired", None, 0.0),
        ("stress test*", None, 0.0), ("stroke of", None, 0.0), ("ill-advised", None, 0.0),
        ("surgery hours", None, 0.0), ("flu-like", H, WEAK), ("absence of", None, 0.0),
    ),
}

_TABLE: dict[str, tuple[str | None, float, frozenset[str]]] = {}
for _lang, _entries in WORDS.items():
    for _word, _kind, _conf in _entries:
        old = _TABLE.get(_word)
        langs = (old[2] if old else frozenset()) | {_lang}
        kind, conf = (old[0], max(old[1], _conf)) if old and old[0] == _kind else (_kind, _conf)
        _TABLE[_word] = (kind, conf, langs)
_STEMS = {word.rstrip("*"): value for word, value in _TABLE.items() if word.endswith("*")}
_EXACT = {word: value for word, value in _TABLE.items() if not word.endswith("*")}
WORDS_MATCHER = WordMatcher(list(_TABLE))


def _lookup(word: str) -> tuple[str | None, float, frozenset[str]] | None:
    found = _EXACT.get(word)
    if found is not None:
        return found
    for cut in range(len(word), 1, -1):
        found = _STEMS.get(word[:cut])
        if found is not None:
            return found
    return None


def detect_health(ctx: Context) -> list[Finding]:
    """HEALTH and ABSENCE findings in the context's text."""
    out: list[Finding] = []
    languages = ctx.languages
    for start, end, word in WORDS_MATCHER.finditer(ctx.lower):
        entry = _lookup(word)
        if entry is None:
            continue
        kind, conf, langs = entry
        if kind is None:  # a phrase that is not about health ("sick of")
            continue
        if languages and not languages & langs:
            conf -= FOREIGN_PENALTY
        rule = ("absence" if kind == A else "health") + ".words." + "+".join(sorted(langs))
        out.append(Finding(kind, start, end, clamp(conf), rule))
    return out
