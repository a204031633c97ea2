"""A labeled corpus of fictional support tickets in Danish, Norwegian, Swedish and English.

`generate_corpus(n, seed=...)` is deterministic for a seed. Tickets carry planted identity
numbers (generated valid for fictional people), contact and payment data, health and absence
wording, and hard negatives: order and invoice numbers, tracking numbers, dates, amounts,
product codes and phone numbers that look like identity numbers. Each planted value is a
`Label` (type, start, end); hard negatives are unlabeled, so reporting one is a false positive.

Template syntax: `<KIND>` is replaced by a generated value (see `_value`), `[[TYPE|words]]`
marks literal words as a labeled span.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from steward.scanner import fakes

LANGUAGES = ("da", "no", "sv", "en")


@dataclass(frozen=True)
class Label:
    type: str
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    language: str
    text: str
    labels: tuple[Label, ...]


GREETINGS = {
    "da": ("Hej", "Hej med jer", "Kære support", "Goddag"),
    "no": ("Hei", "Hei dere", "Hei support", "God dag"),
    "sv": ("Hej", "Hej på er", "Hej support", "God dag"),
    "en": ("Hi", "Hello", "Dear support team", "Good morning"),
}
CLOSINGS = {
    "da": ("Venlig hilsen", "Mvh", "De bedste hilsner", "På forhånd tak"),
    "no": ("Vennlig hilsen", "Mvh", "Med vennlig hilsen", "Takk på forhånd"),
    "sv": ("Vänliga hälsningar", "Mvh", "Med vänlig hälsning", "Tack på förhand"),
    "en": ("Kind regards", "Best regards", "Thanks in advance", "Cheers"),
}
NEUTRAL = {
    "da": (
        "Jeg kan ikke logge ind i jeres app efter den seneste opdatering.",
        "Min faktura for oktober ser forkert ud, kan I kigge på den?",
        "Eksporten til Excel stopper ved 80 procent hver gang.",
        "Vi har brug for en ekstra bruger til vores afdeling.",
        "Kan I slette den gamle konto, vi ikke bruger mere?",
    ),
    "no": (
        "Jeg får ikke logget inn i appen etter siste oppdatering.",
        "Fakturaen for oktober ser feil ut, kan dere se på den?",
        "Eksporten til Excel stopper på 80 prosent hver gang.",
        "Vi trenger en ekstra bruker til avdelingen vår.",
        "Kan dere slette den gamle kontoen som vi ikke bruker lenger?",
    ),
    "sv": (
        "Jag kan inte logga in i appen efter den senaste uppdateringen.",
        "Fakturan för oktober ser fel ut, kan ni titta på den?",
        "Exporten till Excel stannar på 80 procent varje gång.",
        "Vi behöver en extra användare till vår avdelning.",
        "Kan ni ta bort det gamla kontot som vi inte använder längre?",
    ),
    "en": (
        "I can't log in to the app since the latest update.",
        "My invoice for October looks wrong, could you have a look?",
        "The export to Excel stops at 80 percent every time.",
        "We need one more user seat for our department.",
        "Could you delete the old account we no longer use?",
    ),
}
# Sentences that plant identity numbers, with and without a word that names them.
IDS = {
    "da": (
        "Mit CPR-nummer er <DK_CPR>, hvis I skal bruge det.",
        "CPR: <DK_CPR>",
        "Jeg hedder <NAME> (<DK_CPR>) og er kunde hos jer.",
        "Mit cpr nr. er <DK_CPR_PLAIN> hvis det hjælper.",
        "I bad om mit personnummer: <DK_CPR>.",
        "Kontoen står i min mands navn, <NAME>, <DK_CPR>.",
        "Min svenske kollega har samordningsnummer <SE_SAMORD>.",
        "Hun er norsk, fødselsnummer <NO_FNR>.",
    ),
    "no": (
        "Fødselsnummeret mitt er <NO_FNR>.",
        "Fnr: <NO_FNR>",
        "Jeg heter <NAME> (<NO_FNR>) og er kunde hos dere.",
        "Jeg har D-nummer <NO_DNR> siden jeg jobber her midlertidig.",
        "Her er personnummeret mitt: <NO_FNR_SPACED>.",
        "Kontoen er registrert på <NAME>, <NO_FNR>.",
        "Min danske kollega har CPR-nummer <DK_CPR>.",
        "Jeg bor i Norge men har d-nummer <NO_DNR>.",
    ),
    "sv": (
        "Mitt personnummer är <SE_PNR>.",
        "Personnr: <SE_PNR12>",
        "Jag heter <NAME> (<SE_PNR>) och är kund hos er.",
        "Jag har samordningsnummer <SE_SAMORD> eftersom jag bor i Norge.",
        "Kontot står på min fru, <NAME>, <SE_PNR12_PLAIN>.",
        "Ni bad om mitt personnummer, det är <SE_PNR_PLAIN>.",
        "Min finska kollega har personbeteckning <FI_HETU>.",
        "Jag är finlandssvensk, <NAME>, <FI_HETU>.",
    ),
    "en": (
        "My National Insurance number is <UK_NINO>.",
        "NI number: <UK_NINO_COMPACT>",
        "My name is <NAME> (<UK_NINO>) and I'm a customer.",
        "My Danish CPR number is <DK_CPR>.",
        "I live in Sweden, my personal identity number is <SE_PNR>.",
        "My Norwegian fødselsnummer is <NO_FNR>.",
        "The account holder is <NAME>, Finnish identity code <FI_HETU>.",
        "I have a Swedish coordination number, <SE_SAMORD>.",
    ),
}
CONTACT = {
    "da": ("Ring til mig på <PHONE_DK>.", "Skriv til <EMAIL> i stedet.",
           "Beløbet skal tilbage på <IBAN_DK>.", "Jeg betalte med kort <CARD>.",
           "Min mobil er <PHONE_DK_PLAIN>."),
    "no": ("Ring meg på <PHONE_NO>.", "Send svar til <EMAIL>.",
           "Pengene kan settes inn på <IBAN_NO>.", "Jeg betalte med kortet <CARD>.",
           "Mobilnummeret mitt er <PHONE_NO_PLAIN>."),
    "sv": ("Ring mig på <PHONE_SE>.", "Svara gärna till <EMAIL>.",
           "Återbetalningen kan gå till <IBAN_SE>.", "Jag betalade med kort <CARD>.",
           "Mitt nummer är <PHONE_SE_PLAIN>.", "Nå mig på <PHONE_FI> när jag är i Finland."),
    "en": ("Please call me on <PHONE_GB>.", "Reply to <EMAIL> instead.",
           "Refund to <IBAN_GB>, please.", "I paid with card <CARD>.",
           "You can reach me at <PHONE_INTL>."),
}
HEALTH = {
    "da": (
        "Jeg har været [[ABSENCE|sygemeldt]] i tre uger, så jeg har ikke set jeres mail.",
        "Min kollega er på [[ABSENCE|barsel]], derfor skriver jeg.",
        "Beklager det sene svar, jeg har været [[HEALTH|indlagt]] med en [[HEALTH|blodprop]].",
        "Jeg er [[ABSENCE|sygemeldt]] med [[HEALTH|stress]] og kan ikke deltage i mødet.",
        "Min søn har [[HEALTH|diabetes]], så appens påmindelser er vigtige for os.",
        "Jeg er [[HEALTH|gravid]] og går snart på [[ABSENCE|barselsorlov]].",
        "Hun tager [[HEALTH|antidepressiv]] [[HEALTH|medicin]] og kan ikke koncentrere sig.",
        "Jeg var hos [[HEALTH|lægen]] i går og fik en [[ABSENCE|lægeerklæring]].",
    ),
    "no": (
        "Jeg har vært [[ABSENCE|sykmeldt]] i tre uker og har ikke sett e-posten.",
        "Kollegaen min er i [[ABSENCE|foreldrepermisjon]], derfor skriver jeg.",
        "Beklager sent svar, jeg var [[HEALTH|innlagt]] på [[HEALTH|sykehuset]].",
        "Jeg er [[ABSENCE|sykemeldt]] på grunn av [[HEALTH|depresjon]].",
        "Sønnen min har [[HEALTH|diabetes]], så påminnelsene i appen er viktige.",
        "Jeg er [[HEALTH|gravid]] og har levert [[ABSENCE|egenmelding]] i dag.",
        "Hun har fått [[HEALTH|kreft]] og går på [[HEALTH|cellegift]].",
        "Jeg var hos [[HEALTH|fastlegen]] i går og fikk [[ABSENCE|sykemelding]].",
    ),
    "sv": (
        "Jag har varit [[ABSENCE|sjukskriven]] i tre veckor och har inte sett mejlet.",
        "Min kollega är [[ABSENCE|föräldraledig]], därför skriver jag.",
        "Förlåt sent svar, jag har varit [[HEALTH|inlagd]] på [[HEALTH|sjukhuset]].",
        "Jag är [[ABSENCE|sjukskriven]] för [[HEALTH|utmattningssyndrom]].",
        "Min son har [[HEALTH|diabetes]], så påminnelserna i appen är viktiga.",
        "Jag är [[HEALTH|gravid]] och är [[ABSENCE|sjukskriven]] på halvtid.",
        "Hon har fått [[HEALTH|cancer]] och får [[HEALTH|cellgiftsbehandling]].",
        "Jag var hos [[HEALTH|läkaren]] igår och fick ett [[ABSENCE|läkarintyg]].",
    ),
    "en": (
        "I have been [[ABSENCE|off sick]] for three weeks, so I missed your email.",
        "My colleague is on [[ABSENCE|maternity leave]], which is why I'm writing.",
        "Sorry for the late reply, I was [[HEALTH|in hospital]] after a [[HEALTH|stroke]].",
        "I'm on [[ABSENCE|sick leave]] with [[HEALTH|depression]] at the moment.",
        "My son is [[HEALTH|diabetic]], so the reminders in the app matter to us.",
        "I'm [[HEALTH|pregnant]] and will be on [[ABSENCE|parental leave]] from May.",
        "She was [[HEALTH|diagnosed]] with [[HEALTH|cancer]] and is having [[HEALTH|chemo]].",
        "I saw my [[HEALTH|doctor]] yesterday and got a [[ABSENCE|fit note]].",
    ),
}
# Hard negatives: numbers that look like identity numbers (many are even valid-looking ones)
# and words that look like health wording but are not about health.
NEGATIVES = {
    "da": (
        "Ordre <ORDER10> er ikke leveret endnu.",
        "Det gælder faktura nr. <INVOICE10>.",
        "Sporingsnummer: <TRACK11>",
        "Jeg bestilte den <DATE> og betalte <AMOUNT> kr.",
        "Varenr. <PRODUCT> mangler i pakken.",
        "Kundenummer <CARDLIKE> står på regningen.",
        "Loggen siger <TIMESTAMP>.",
        "Ring gerne på tlf. <PHONE_LIKE_ID>.",
    ),
    "no": (
        "Ordre <ORDER10> er ikke levert ennå.",
        "Det gjelder faktura <INVOICE10>.",
        "Sporingsnummer <TRACK11>.",
        "Jeg bestilte den <DATE> og betalte <AMOUNT> kr.",
        "Varenummer <PRODUCT> mangler i pakken.",
        "Kundenummer <CARDLIKE> står på fakturaen.",
        "Loggen sier <TIMESTAMP>.",
        "Ring meg på telefon <PHONE_LIKE_ID>.",
    ),
    "sv": (
        "Order <ORDER10> har inte levererats än.",
        "Det gäller faktura <INVOICE10>.",
        "Kollinummer <TRACK11>.",
        "Jag beställde den <DATE> och betalade <AMOUNT> kr.",
        "Artikel <PRODUCT> saknas i paketet.",
        "Kundnummer <CARDLIKE> står på fakturan.",
        "Loggen visar <TIMESTAMP>.",
        "Ring mig på tel. <PHONE_LIKE_ID>.",
    ),
    "en": (
        "Order <ORDER10> hasn't arrived yet.",
        "This is about invoice <INVOICE10>.",
        "Tracking number <TRACK11>.",
        "I ordered on <DATE> and paid <AMOUNT> GBP.",
        "Item <PRODUCT> was missing from the parcel.",
        "Customer number <CARDLIKE> is on the bill.",
        "The log says <TIMESTAMP>.",
        "I'm sick of this bug, and the operation keeps failing.",
        "Your stress test of the API is blocking our account.",
        "Call me on <PHONE_LIKE_ID>.",
    ),
}

_PLACEHOLDER_RE = re.compile(r"<(\w+)>|\[\[(\w+)\|([^\]]+)\]\]")
_PHONE_REGION = {"da": "DK", "no": "NO", "sv": "SE", "en": "GB"}
_SIGNATURE_PHONE = {"da": ("Tlf. ", "Mobil: ", ""), "no": ("Tlf: ", "Mob. ", ""),
                    "sv": ("Tel. ", "Mobil: ", ""), "en": ("Tel: ", "Mobile: ", "")}


def _id_shaped_ten(rng: random.Random) -> str:
    """A bare 10-digit number that reads as a valid CPR or Swedish personnummer."""
    if rng.random() < 0.5:
        return fakes.fake_cpr(rng, dashed=False)
    return fakes.fake_pnr(rng, layout="YYMMDDNNNC")


def _value(kind: str, rng: random.Random, language: str) -> tuple[str, str | None]:
    """A generated value for a placeholder, and the label type it carries (None: negative)."""
    first, last = fakes.fake_name(rng, language)
    generated: dict[str, tuple[object, str | None]] = {
        "NAME": (lambda: f"{first} {last}", None),
        "DK_CPR": (lambda: fakes.fake_cpr(rng), "DK_CPR"),
        "DK_CPR_PLAIN": (lambda: fakes.fake_cpr(rng, dashed=False), "DK_CPR"),
        "NO_FNR": (lambda: fakes.fake_fnr(rng), "NO_FNR"),
        "NO_FNR_SPACED": (lambda: fakes.fake_fnr(rng, sep=" "), "NO_FNR"),
        "NO_DNR": (lambda: fakes.fake_fnr(rng, dnumber=True), "NO_DNR"),
        "SE_PNR": (lambda: fakes.fake_pnr(rng), "SE_PNR"),
        "SE_PNR_PLAIN": (lambda: fakes.fake_pnr(rng, layout="YYMMDDNNNC"), "SE_PNR"),
        "SE_PNR12": (lambda: fakes.fake_pnr(rng, layout="YYYYMMDD-NNNC"), "SE_PNR"),
        "SE_PNR12_PLAIN": (lambda: fakes.fake_pnr(rng, layout="YYYYMMDDNNNC"), "SE_PNR"),
        "SE_SAMORD": (lambda: fakes.fake_pnr(rng, samord=True), "SE_SAMORD"),
        "FI_HETU": (lambda: fakes.fake_hetu(rng), "FI_HETU"),
        "UK_NINO": (lambda: fakes.fake_nino(rng), "UK_NINO"),
        "UK_NINO_COMPACT": (lambda: fakes.fake_nino(rng, spaced=False), "UK_NINO"),
        "EMAIL": (lambda: fakes.fake_email(rng, first, last), "EMAIL"),
        "PHONE_DK": (lambda: fakes.fake_phone(rng, "DK"), "PHONE"),
        "PHONE_NO": (lambda: fakes.fake_phone(rng, "NO"), "PHONE"),
        "PHONE_SE": (lambda: fakes.fake_phone(rng, "SE"), "PHONE"),
        "PHONE_FI": (lambda: fakes.fake_phone(rng, "FI"), "PHONE"),
        "PHONE_GB": (lambda: fakes.fake_phone(rng, "GB"), "PHONE"),
        "PHONE_DK_PLAIN": (lambda: fakes.fake_phone(rng, "DK", layout="plain"), "PHONE"),
        "PHONE_NO_PLAIN": (lambda: fakes.fake_phone(rng, "NO", layout="plain"), "PHONE"),
        "PHONE_SE_PLAIN": (lambda: fakes.fake_phone(rng, "SE", layout="plain"), "PHONE"),
        "PHONE_INTL": (lambda: fakes.fake_phone(
            rng, rng.choice(("DK", "NO", "SE", "FI", "GB")), layout="international"), "PHONE"),
        "IBAN_DK": (lambda: fakes.fake_iban(rng, "DK"), "IBAN"),
        "IBAN_NO": (lambda: fakes.fake_iban(rng, "NO"), "IBAN"),
        "IBAN_SE": (lambda: fakes.fake_iban(rng, "SE", grouped=rng.random() < 0.7), "IBAN"),
        "IBAN_GB": (lambda: fakes.fake_iban(rng, "GB"), "IBAN"),
        "CARD": (lambda: fakes.fake_card(rng, grouped=rng.random() < 0.7), "CARD"),
        # Hard negatives.
        "ORDER10": (lambda: _id_shaped_ten(rng), None),
        "INVOICE10": (lambda: _id_shaped_ten(rng), None),
        "TRACK11": (lambda: fakes.fake_fnr(rng), None),
        "DATE": (lambda: rng.choice(("%d.%m.%Y", "%Y-%m-%d", "%d/%m-%Y", "%d%m%y")) and
                 fakes.birth_date(rng, 2020, 2025).strftime(
                     rng.choice(("%d.%m.%Y", "%Y-%m-%d", "%d/%m-%Y", "%d%m%y"))), None),
        "AMOUNT": (lambda: rng.choice((f"{rng.randint(10**6, 10**9):,}".replace(",", "."),
                                       f"{rng.randint(1000, 99999)},{rng.randint(0, 99):02d}")),
                   None),
        "PRODUCT": (lambda: fakes.fake_nino(rng, spaced=False), None),
        "CARDLIKE": (lambda: fakes.fake_card(rng, grouped=False), None),
        "TIMESTAMP": (lambda: fakes.birth_date(rng, 2020, 2025).strftime("%Y%m%d") +
                      f"-{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}", None),
        # A Swedish-style 10-digit phone number that is also a valid CPR or personnummer date.
        "PHONE_LIKE_ID": (lambda: _phone_like_id(rng), "PHONE"),
    }
    make, label = generated[kind]
    return make(), label  # type: ignore[operator]


def _phone_like_id(rng: random.Random) -> str:
    while True:
        digits = fakes.fake_phone(rng, "SE", layout="plain")
        if len(digits) == 10:
            return digits


def _render(template: str, rng: random.Random, language: str, offset: int,
            labels: list[Label]) -> str:
    out: list[str] = []
    cursor = 0
    length = offset
    for m in _PLACEHOLDER_RE.finditer(template):
        out.append(template[cursor : m.start()])
        length += m.start() - cursor
        if m.group(1):
            value, label = _value(m.group(1), rng, language)
        else:
            value, label = m.group(3), m.group(2)
        if label is not None:
            labels.append(Label(label, length, length + len(value)))
        out.append(value)
        length += len(value)
        cursor = m.end()
    out.append(template[cursor:])
    return "".join(out)


def generate_document(rng: random.Random, language: str | None = None) -> Document:
    """One ticket: greeting, a few sentences drawn from the pools, a signature."""
    language = language or rng.choice(LANGUAGES)
    pools: list[tuple[str, ...]] = [NEUTRAL[language]]
    if rng.random() < 0.6:
        pools.append(IDS[language])
    if rng.random() < 0.45:
        pools.append(HEALTH[language])
    if rng.random() < 0.5:
        pools.append(CONTACT[language])
    if rng.random() < 0.5:
        pools.append(NEGATIVES[language])
    rng.shuffle(pools)
    first, last = fakes.fake_name(rng, language)
    templates = [f"{rng.choice(GREETINGS[language])},\n\n"]
    templates += [rng.choice(pool) + " " for pool in pools]
    closing = f"\n\n{rng.choice(CLOSINGS[language])}\n{first} {last}"
    if rng.random() < 0.3:
        closing += "\n<PHONE_SIGNATURE>"
    templates.append(closing)
    labels: list[Label] = []
    text = ""
    for template in templates:
        if "<PHONE_SIGNATURE>" in template:
            prefix = rng.choice(_SIGNATURE_PHONE[language])
            template = template.replace("<PHONE_SIGNATURE>", prefix + "<PHONE_" +
                                        _PHONE_REGION[language] + ">")
        text += _render(template, rng, language, len(text), labels)
    return Document(language, text, tuple(labels))


def generate_corpus(n: int, *, seed: int = 0) -> list[Document]:
    """`n` tickets, the same for the same seed, languages in turn."""
    rng = random.Random(seed)
    return [generate_document(rng, LANGUAGES[i % len(LANGUAGES)]) for i in range(n)]


_MARK_RE = re.compile(r"\[\[([A-Z_]+)\|(.+?)\]\]", re.DOTALL)


def parse_labelled(source: str) -> list[Document]:
    """Documents from hand-labelled text: a line `=== <language> <name>` opens a document,
    `[[TYPE|text]]` marks a labelled span, `#` lines before the first document are comments.
    Raises ValueError naming the line of a malformed mark (a `[[` left in the text)."""
    docs: list[Document] = []
    language: str | None = None
    lines: list[str] = []
    opened_at = 0

    def close() -> None:
        if language is None:
            return
        raw = "\n".join(lines).strip("\n")
        labels: list[Label] = []
        out: list[str] = []
        cursor = length = 0
        for m in _MARK_RE.finditer(raw):
            out.append(raw[cursor : m.start()])
            length += m.start() - cursor
            labels.append(Label(m.group(1), length, length + len(m.group(2))))
            out.append(m.group(2))
            length += len(m.group(2))
            cursor = m.end()
        out.append(raw[cursor:])
        text = "".join(out)
        if "[[" in text or "]]" in text:
            raise ValueError(f"line {opened_at}: malformed [[TYPE|text]] mark")
        docs.append(Document(language, text, tuple(labels)))

    for number, line in enumerate(source.splitlines(), start=1):
        if line.startswith("=== "):
            close()
            language, lines, opened_at = line.split()[1], [], number
        elif language is not None:
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"line {number}: text before the first '=== <language>' line")
    close()
    return docs
