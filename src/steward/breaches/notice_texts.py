"""The fixed texts of the Art. 33 notification, in each supervisory authority's language.

`Authority.language` in the policy picks the table (da, nb, sv, en; English is the fallback).
Headings follow the wording of Art. 33(3)(a)-(d) in each language version of the GDPR; article
references stay visible in every language.
"""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Personal data breach notification",
        "art": "Art.",
        "a": "Nature of the breach",
        "b": "Data protection officer or other contact point",
        "c": "Likely consequences",
        "d": "Measures taken or proposed",
        "controller": "Controller",
        "reference": "Our reference: breach {id}, version {version}",
        "phase": "Phase",
        "phases": {"initial": "initial", "supplement": "supplement"},
        "follows": "further information follows, Art. 33(4)",
        "aware": "Became aware",
        "deadline": "{hours}-hour deadline (Art. 33(1))",
        "promise": "our published promise; Art. 33(1) allows at most 72 hours",
        "occurred": "Breach occurred",
        "late": "Reasons for the delay (Art. 33(1))",
        "type": "Type of breach",
        "natures": {"confidentiality": "confidentiality", "integrity": "integrity",
                    "availability": "availability"},
        "discovered": "Discovered through",
        "processor": "Reported to us by our processor {who}",
        "systems": "Systems affected",
        "subjects": "Categories of data subjects",
        "subjects_n": "Approximate number of data subjects",
        "data": "Categories of personal data",
        "records_n": "Approximate number of personal data records",
        "unknown": "not yet known",
        "about": "about {n}",
        "special": "special category of personal data (Art. 9(1))",
        "national_id": "national identification number (Art. 87)",
        "taken": "Taken:",
        "proposed": "Proposed:",
    },
    "da": {
        "title": "Anmeldelse af brud på persondatasikkerheden",
        "art": "art.",
        "a": "Bruddets karakter",
        "b": "Databeskyttelsesrådgiver eller andet kontaktpunkt",
        "c": "Sandsynlige konsekvenser",
        "d": "Trufne eller foreslåede foranstaltninger",
        "controller": "Dataansvarlig",
        "reference": "Vores reference: brud {id}, version {version}",
        "phase": "Fase",
        "phases": {"initial": "første anmeldelse", "supplement": "supplerende oplysninger"},
        "follows": "yderligere oplysninger følger, art. 33(4)",
        "aware": "Blev opmærksom på bruddet",
        "deadline": "Frist på {hours} timer (art. 33(1))",
        "promise": "vores offentliggjorte løfte; art. 33(1) tillader højst 72 timer",
        "occurred": "Bruddet skete",
        "late": "Begrundelse for forsinkelsen (art. 33(1))",
        "type": "Type af brud",
        "natures": {"confidentiality": "fortrolighed", "integrity": "integritet",
                    "availability": "tilgængelighed"},
        "discovered": "Opdaget via",
        "processor": "Anmeldt til os af vores databehandler {who}",
        "systems": "Berørte systemer",
        "subjects": "Kategorier af registrerede",
        "subjects_n": "Omtrentligt antal registrerede",
        "data": "Kategorier af personoplysninger",
        "records_n": "Omtrentligt antal registreringer af personoplysninger",
        "unknown": "endnu ikke kendt",
        "about": "ca. {n}",
        "special": "særlig kategori af personoplysninger (art. 9(1))",
        "national_id": "nationalt identifikationsnummer (art. 87)",
        "taken": "Truffet:",
        "proposed": "Foreslået:",
    },
    "nb": {
        "title": "Melding om brudd på personopplysningssikkerheten",
        "art": "art.",
        "a": "Bruddets art",
        "b": "Personvernombud eller annet kontaktpunkt",
        "c": "Sannsynlige konsekvenser",
        "d": "Tiltak som er truffet eller foreslått",
        "controller": "Behandlingsansvarlig",
        "reference": "Vår referanse: brudd {id}, versjon {version}",
        "phase": "Fase",
        "phases": {"initial": "første melding", "supplement": "tilleggsopplysninger"},
        "follows": "flere opplysninger følger, art. 33(4)",
        "aware": "Ble kjent med bruddet",
        "deadline": "Frist på {hours} timer (art. 33(1))",
        "promise": "vårt publiserte løfte; art. 33(1) tillater høyst 72 timer",
        "occurred": "Bruddet skjedde",
        "late": "Grunner til forsinkelsen (art. 33(1))",
        "type": "Type brudd",
        "natures": {"confidentiality": "konfidensialitet", "integrity": "integritet",
                    "availability": "tilgjengelighet"},
        "discovered": "Oppdaget gjennom",
        "processor": "Meldt til oss av vår databehandler {who}",
        "systems": "Berørte systemer",
        "subjects": "Kategorier av registrerte",
        "subjects_n": "Omtrentlig antall registrerte",
        "data": "Kategorier av personopplysninger",
        "records_n": "Omtrentlig antall registreringer av personopplysninger",
        "unknown": "ennå ikke kjent",
        "about": "ca. {n}",
        "special": "særlig kategori av personopplysninger (art. 9(1))",
        "national_id": "nasjonalt identifikasjonsnummer (art. 87)",
        "taken": "Truffet:",
        "proposed": "Foreslått:",
    },
    "sv": {
        "title": "Anmälan av personuppgiftsincident",
        "art": "art.",
        "a": "Personuppgiftsincidentens art",
        "b": "Dataskyddsombud eller annan kontaktpunkt",
        "c": "Sannolika konsekvenser",
        "d": "Vidtagna eller föreslagna åtgärder",
        "controller": "Personuppgiftsansvarig",
        "reference": "Vår referens: incident {id}, version {version}",
        "phase": "Fas",
        "phases": {"initial": "första anmälan", "supplement": "komplettering"},
        "follows": "ytterligare information följer, art. 33(4)",
        "aware": "Fick kännedom om incidenten",
        "deadline": "Tidsfrist på {hours} timmar (art. 33(1))",
        "promise": "vårt publicerade löfte; art. 33(1) tillåter högst 72 timmar",
        "occurred": "Incidenten inträffade",
        "late": "Skäl till förseningen (art. 33(1))",
        "type": "Typ av incident",
        "natures": {"confidentiality": "konfidentialitet", "integrity": "riktighet",
                    "availability": "tillgänglighet"},
        "discovered": "Upptäckt genom",
        "processor": "Anmäld till oss av vårt personuppgiftsbiträde {who}",
        "systems": "Berörda system",
        "subjects": "Kategorier av registrerade",
        "subjects_n": "Ungefärligt antal registrerade",
        "data": "Kategorier av personuppgifter",
        "records_n": "Ungefärligt antal registerposter med personuppgifter",
        "unknown": "ännu inte känt",
        "about": "cirka {n}",
        "special": "särskild kategori av personuppgifter (art. 9(1))",
        "national_id": "nationellt identifikationsnummer (art. 87)",
        "taken": "Vidtagna:",
        "proposed": "Föreslagna:",
    },
}


def texts(lang: str) -> dict[str, Any]:
    """The table for `lang`, English where the language has none."""
    return TEXTS.get(lang, TEXTS["en"])


def number(n: int, lang: str) -> str:
    """`12,345` (en), `12.345` (da, nb), `12 345` (sv): thousands as each language writes them."""
    grouped = f"{n:,}"
    if lang == "da":
        return grouped.replace(",", ".")
    if lang in ("nb", "sv"):
        return grouped.replace(",", "\u00a0")
    return grouped
