"""The fixed texts of the Art. 33 notification, in each supervisory authority's language.

`Authority.language` in the policy picks the language (da, nb, sv, en; English is the fallback).
The texts are written here in English and translated in the catalogs (steward.i18n); headings
follow the wording of Art. 33(3)(a)-(d) in each language version of the GDPR; article
references stay visible in every language.
"""

from __future__ import annotations

from typing import Any

from steward import i18n
from steward.i18n import N_

ENGLISH: dict[str, Any] = {
    "title": N_("Personal data breach notification"),
    "art": N_("Art."),
    "a": N_("Nature of the breach"),
    "b": N_("Data protection officer or other contact point"),
    "c": N_("Likely consequences"),
    "d": N_("Measures taken or proposed"),
    "controller": N_("Controller"),
    "reference": N_("Our reference: breach {id}, version {version}"),
    "phase": N_("Phase"),
    "phases": {"initial": N_("initial"), "supplement": N_("supplement")},
    "follows": N_("further information follows, Art. 33(4)"),
    "aware": N_("Became aware"),
    "deadline": N_("{hours}-hour deadline (Art. 33(1))"),
    "promise": N_("our published promise; Art. 33(1) allows at most 72 hours"),
    "occurred": N_("Breach occurred"),
    "late": N_("Reasons for the delay (Art. 33(1))"),
    "type": N_("Type of breach"),
    "natures": {
        "confidentiality": N_("confidentiality"),
        "integrity": N_("integrity"),
        "availability": N_("availability"),
    },
    "discovered": N_("Discovered through"),
    "processor": N_("Reported to us by our processor {who}"),
    "systems": N_("Systems affected"),
    "subjects": N_("Categories of data subjects"),
    "subjects_n": N_("Approximate number of data subjects"),
    "data": N_("Categories of personal data"),
    "records_n": N_("Approximate number of personal data records"),
    "unknown": N_("not yet known"),
    "about": N_("about {n}"),
    "special": N_("special category of personal data (Art. 9(1))"),
    "national_id": N_("national identification number (Art. 87)"),
    "taken": N_("Taken:"),
    "proposed": N_("Proposed:"),
}


def _translated(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _translated(v) for k, v in value.items()}
    return i18n.gettext(value)


def texts(lang: str) -> dict[str, Any]:
    """Every text in `lang`, English where the language has no catalog."""
    with i18n.language(lang):
        return dict(_translated(ENGLISH))


def number(n: int, lang: str) -> str:
    """`12,345` (en), `12.345` (da, nb), `12 345` (sv): thousands as each language writes them."""
    grouped = f"{n:,}"
    if lang == "da":
        return grouped.replace(",", ".")
    if lang in ("nb", "sv"):
        return grouped.replace(",", "\u00a0")
    return grouped
