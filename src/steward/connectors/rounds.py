"""Searching several systems in rounds: identities one system reveals (a customer number found
by e-mail in the CRM) are searched in the others, until no new identity appears."""

from __future__ import annotations

from collections.abc import Mapping

from steward.connectors.base import Connector, Identities, SubjectRecords, normalize_identities

MAX_ROUNDS = 5


def find_everywhere(
    connectors: Mapping[str, Connector], identities: Identities, *, max_rounds: int = MAX_ROUNDS
) -> tuple[dict[str, SubjectRecords], dict[str, list[str]]]:
    """Run `find` on every connector with all identities known so far, again while a round
    reveals new ones. Returns (records per system key, every identity value known at the end).
    A system that is down raises `Unavailable`: the caller decides whether to retry."""
    known = normalize_identities(identities)
    results: dict[str, SubjectRecords] = {}
    searched: dict[str, dict[str, set[str]]] = {}  # per system: the values it has searched
    for _ in range(max_rounds):
        grown = False
        for key, conn in connectors.items():
            kinds = {k for t in conn.system.tables for k in t.identities}
            wanted = {k: set(v) for k, v in known.items() if k in kinds}
            done = searched.get(key)
            if done is not None and all(v <= done.get(k, set()) for k, v in wanted.items()):
                continue  # nothing new for this system: its last answer stands
            records = conn.find(wanted)
            results[key] = records
            # A connector follows its own discoveries: it has searched all it reports.
            searched[key] = {k: set(v) for k, v in records.identities.items()} | {
                k: v | set(records.identities.get(k, [])) for k, v in wanted.items()
            }
            new = records.new_identities(known)
            if new:
                grown = True
                for kind, values in new.items():
                    known[kind] = sorted(set(known.get(kind, [])) | set(values))
        if not grown:
            break
    return results, known
