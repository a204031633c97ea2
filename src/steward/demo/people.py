"""Fictional people for the demo company: names, e-mail addresses, phone numbers and national
identity numbers that are valid in form and belong to no one known.

Names come from small made-up lists per country; e-mail domains are RFC 2606 (`example.com`,
`example.net`, `example.org`); phone numbers are E.164 and valid in format (checked with
`phonenumbers` in the tests), made unique per person from a serial; identity numbers come from
`steward.scanner.fakes` (the scanner's own generators) and pass python-stdnum validation.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from steward.scanner.fakes import fake_cpr, fake_fnr, fake_pnr

COUNTRIES = ("DK", "NO", "SE", "GB")
COUNTRY_WEIGHTS = (50, 20, 20, 10)

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "DK": ("Asger", "Birthe", "Carsten", "Dorte", "Esben", "Frida", "Gorm", "Hanne", "Ib",
           "Jytte", "Kasper", "Lone", "Mads", "Nanna", "Ove", "Pernille", "Søren", "Tove"),
    "NO": ("Arne", "Bodil", "Eirik", "Gunhild", "Håkon", "Ingrid", "Jostein", "Kari", "Leif",
           "Marit", "Njål", "Ragnhild", "Sigurd", "Solveig", "Torbjørn", "Vigdis"),
    "SE": ("Agneta", "Björn", "Dagny", "Folke", "Gudrun", "Henrik", "Inga", "Jöns", "Lennart",
           "Märta", "Nils", "Ottilia", "Per", "Sigrid", "Ture", "Åsa"),
    "GB": ("Alfie", "Bethan", "Callum", "Delyth", "Ewan", "Fenella", "Gareth", "Hattie",
           "Iolo", "Jocasta", "Kit", "Lowri", "Monty", "Nerys", "Rhodri", "Tamsin"),
}
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "DK": ("Agersnap", "Bækgaard", "Dalsgård", "Fjordbo", "Grønlykke", "Hedevang", "Krogsbøl",
           "Lyngsø", "Mølholm", "Nørskov", "Rosendahl", "Skovby", "Toftlund", "Vesterdal"),
    "NO": ("Bergsli", "Fjellstad", "Grønnvik", "Haugland", "Kvamme", "Lillevik", "Myrvold",
           "Nordbø", "Røsholt", "Skarsvåg", "Tveiten", "Vatnedal"),
    "SE": ("Almqvist", "Björkholm", "Dahlgren", "Ekvall", "Fjällström", "Granlund", "Hägglöf",
           "Lindkvist", "Norrby", "Sandemo", "Törnqvist", "Västerlund"),
    "GB": ("Ashcombe", "Brackley", "Cadwallader", "Dunmore", "Fairbrook", "Halloway",
           "Kettering", "Marchbanks", "Pennington", "Thistlewood", "Wexford", "Yardley"),
}
COMPANY_WORDS = ("Nordlys", "Fjord", "Havblik", "Granit", "Lynge", "Kobber", "Skærgård",
                 "Birk", "Vinter", "Solhverv", "Tinde", "Ravn", "Elm", "Saltmarsh")
COMPANY_SUFFIX = {"DK": "ApS", "NO": "AS", "SE": "AB", "GB": "Ltd"}
TITLES = ("CEO", "CFO", "Marketing manager", "Office manager", "IT manager", "Owner",
          "Sales director", "Communications lead")
CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "DK": (("8000", "Aarhus C"), ("2100", "København Ø"), ("5000", "Odense C"),
           ("9000", "Aalborg")),
    "NO": (("0150", "Oslo"), ("5003", "Bergen"), ("7010", "Trondheim")),
    "SE": (("111 22", "Stockholm"), ("411 04", "Göteborg"), ("211 20", "Malmö")),
    "GB": (("EC1A 1AA", "London"), ("M1 1AE", "Manchester"), ("EH1 1YZ", "Edinburgh")),
}
STREETS = ("Eksempelvej", "Prøvegade", "Testvägen", "Sample Street", "Demostien", "Fiktivvej")
LANGUAGE = {"DK": "da", "NO": "no", "SE": "sv", "GB": "en"}


@dataclass(frozen=True, slots=True)
class Person:
    """One fictional person, consistent across every demo system."""

    serial: int
    country: str
    first: str
    last: str
    email: str
    phone: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def language(self) -> str:
        return LANGUAGE[self.country]


@lru_cache(maxsize=4096)
def ascii_slug(text: str) -> str:
    """'Søren Bækgaard' -> 'soren.baekgaard' (for e-mail local parts and domains)."""
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = text.replace("ä", "a").replace("ö", "o")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return ".".join(part for part in "".join(c if c.isalnum() else " " for c in text).split())


def phone_number(country: str, serial: int) -> str:
    """A unique E.164 mobile number for `country` from `serial`, in number blocks that
    `phonenumbers` accepts as valid (the tests check every one). Not checked against any
    operator's register: demo data only."""
    if country == "DK":
        block = ("26", "27", "28")[serial // 10**6 % 3]
        return f"+45{block}{serial % 10**6:06d}"
    if country == "NO":
        return f"+479{serial % 10**7:07d}"
    if country == "SE":
        return f"+4670{serial % 10**7:07d}"
    return f"+4474{serial % 10**8:08d}"


def make_person(rng: random.Random, serial: int, domain: str | None = None) -> Person:
    country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
    first = rng.choice(FIRST_NAMES[country])
    last = rng.choice(LAST_NAMES[country])
    host = domain or rng.choice(("example.com", "example.net", "example.org"))
    email = f"{ascii_slug(first)}.{ascii_slug(last)}.{serial}@{host}"
    return Person(serial, country, first, last, email, phone_number(country, serial))


def company_name(rng: random.Random, country: str) -> str:
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)} {COMPANY_SUFFIX[country]}"


MESSAGES: dict[str, tuple[str, ...]] = {
    "en": (
        "Hi, I cannot log in to the portal since this morning. Could you reset my access?",
        "The invoice for last month shows the wrong address, please correct it.",
        "Thanks for the quick help yesterday, everything works now.",
        "Could you send me a copy of the contract we signed?",
    ),
    "da": (
        "Hej, jeg kan ikke logge ind på portalen. Kan I hjælpe?",
        "Fakturaen har en forkert adresse, vil I rette den?",
        "Tak for hjælpen i går, nu virker det hele.",
    ),
    "no": (
        "Hei, jeg får ikke logget inn i portalen. Kan dere hjelpe?",
        "Fakturaen har feil adresse, kan dere rette den?",
        "Takk for hjelpen, nå fungerer alt.",
    ),
    "sv": (
        "Hej, jag kan inte logga in i portalen. Kan ni hjälpa mig?",
        "Fakturan har fel adress, kan ni rätta den?",
        "Tack för hjälpen i går, nu fungerar allt.",
    ),
}
# Sensitive free text: health notes and identity numbers people put in tickets anyway.
SENSITIVE: dict[str, tuple[str, ...]] = {
    "en": ("I was on sick leave last week with pneumonia, sorry for the late reply.",
           "My doctor says I need surgery, so I will be away for a month."),
    "da": ("Jeg har været sygemeldt med stress i to uger, derfor svarer jeg først nu.",
           "Jeg er indlagt på hospitalet, min kollega overtager sagen."),
    "no": ("Jeg har vært sykmeldt på grunn av ryggen, beklager sent svar.",
           "Legen har sykmeldt meg i to uker."),
    "sv": ("Jag har varit sjukskriven med influensa, därför svarar jag sent.",
           "Jag är sjukskriven efter en operation och är tillbaka om en månad."),
}
ID_SENTENCE = {
    "da": "Mit CPR-nummer er {id}, hvis I skal bruge det til at finde mig.",
    "no": "Fødselsnummeret mitt er {id}.",
    "sv": "Mitt personnummer är {id}.",
    "en": "My CPR number is {id} in case you need it.",
}


def message_body(rng: random.Random, language: str, sensitive: bool, with_id: bool) -> str:
    parts = [rng.choice(MESSAGES[language])]
    if sensitive:
        parts.append(rng.choice(SENSITIVE[language]))
    if with_id:
        # The scanner's generators: numbers valid exactly as its detectors check them.
        if language == "no":
            number = fake_fnr(rng)
        elif language == "sv":
            number = fake_pnr(rng)
        else:
            number = fake_cpr(rng, mod11=True)
        parts.append(ID_SENTENCE[language].format(id=number))
    return " ".join(parts)
