"""Finding scanner detectors: every detector, ours included, comes from the
`steward.detectors` entry-point group, exactly as a third party's would.

A detector is a `Detector`: the finding types it can report and a pure function from the
scanned text's `Context` to `Finding`s. A third-party package declares, in its pyproject.toml:

    [project.entry-points."steward.detectors"]
    no_account = "acme_steward.bank:NORWEGIAN_ACCOUNTS"

where `NORWEGIAN_ACCOUNTS = Detector(types=frozenset({"NO_ACCOUNT"}), detect=find_accounts)`.
Its types become valid `--types` values, redaction tags and retention-rule findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from steward.errors import InvalidInput
from steward.scanner.contact import detect_emails, detect_phones
from steward.scanner.context import Context
from steward.scanner.finance import detect_cards, detect_ibans
from steward.scanner.findings import NATIONAL_ID_TYPES, WORDING_TYPES, Finding
from steward.scanner.health import detect_health
from steward.scanner.nationalids import detect_national_ids

GROUP = "steward.detectors"


@dataclass(frozen=True)
class Detector:
    """`types`: the finding type names `detect` may report (upper case, e.g. `DK_CPR`)."""

    types: frozenset[str]
    detect: Callable[[Context], list[Finding]]


# The built-in detectors, registered in pyproject.toml under `steward.detectors`.
NATIONAL_IDS = Detector(NATIONAL_ID_TYPES, detect_national_ids)
EMAILS = Detector(frozenset({"EMAIL"}), detect_emails)
PHONES = Detector(frozenset({"PHONE"}), detect_phones)
IBANS = Detector(frozenset({"IBAN"}), detect_ibans)
CARDS = Detector(frozenset({"CARD"}), detect_cards)
HEALTH = Detector(WORDING_TYPES, detect_health)


def available() -> dict[str, EntryPoint]:
    """Detector name -> entry point, for every installed detector."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


@cache
def installed() -> tuple[tuple[str, Detector], ...]:
    """Every installed detector, loaded once, by name (a stable order for overlaps)."""
    out = []
    for name, ep in sorted(available().items()):
        obj = ep.load()
        if not isinstance(obj, Detector):
            raise InvalidInput(f"scanner detector {name!r} ({ep.value}) is not a Detector")
        out.append((name, obj))
    if not out:
        raise InvalidInput(f"no scanner detectors installed (entry-point group {GROUP})")
    return tuple(out)


def known_types() -> frozenset[str]:
    """Every finding type an installed detector may report."""
    return frozenset().union(*(d.types for _, d in installed()))
