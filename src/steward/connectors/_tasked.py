"""What the manual and webhook connectors share: every operation becomes a task (see
`steward.connectors.tasks`) whose answer is the system's result; until it arrives the
operation raises `Awaiting` and the request waits.

The system declares one table whose `identities` say what the owner (or the webhook) can
look people up by; its rows are the answer itself: each found record as the owner or the
webhook reported it (`answers` when no table is declared), so the access package and the
answer letter include it.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from steward.connectors.base import (
    Counts,
    ErasurePlan,
    Identities,
    KeepHook,
    PkValue,
    Rectification,
    Row,
    Statement,
    SubjectRecords,
    json_safe,
    normalize_identities,
)
from steward.connectors.tasks import Answer, Awaiting, Ledger, SystemTask, settings_from
from steward.errors import InvalidInput
from steward.policy.models import SystemSpec

TABLE = "answers"


class TaskedConnector(ABC):
    """Base of the connectors whose work is done outside Steward. Subclasses `deliver` a new
    or still-open task (mail the owner, post the event)."""

    kind: ClassVar[str] = ""

    def __init__(self, system: SystemSpec, *, url: str, env: Mapping[str, str] | None = None,
                 base_dir: Path | None = None) -> None:
        self.system = system
        self.url = url
        self.env = os.environ if env is None else env
        self.table = system.tables[0].name if system.tables else TABLE
        self.ledger = Ledger(settings_from(self.env))

    # --- to implement -------------------------------------------------------------------

    @abstractmethod
    def deliver(self, task: SystemTask, payload: Mapping[str, Any], new: bool) -> None:
        """Hand the task to whoever answers it (mail the owner, post the webhook)."""

    @abstractmethod
    def waiting_text(self, task: SystemTask) -> str:
        """Why the request waits for this task, in words for the officer."""

    # --- the protocol ---------------------------------------------------------------------

    def _task(self, op: str, payload: Mapping[str, Any]) -> Answer:
        key_env = self.system.auth.token_env if self.system.auth is not None else None
        task, new = self.ledger.get_or_open(self.system.key, self.kind, op, payload,
                                            key_env=key_env if self.kind == "webhook" else None)
        answer = self.ledger.answer(task)
        if answer is not None:
            return answer
        self.deliver(task, payload, new)
        raise Awaiting(self.waiting_text(task))

    def ping(self) -> None:
        return None  # nothing to reach: the answer comes to Steward

    def close(self) -> None:
        self.ledger.close()

    def find(self, identities: Identities) -> SubjectRecords:
        asked = normalize_identities(identities)
        answer = self._task("search", {"identities": asked})
        rows: list[Row] = []
        if answer.found:
            rows = [{"record": i + 1, **{str(k): json_safe(v) for k, v in r.items()}}
                    for i, r in enumerate(answer.records or ({"note": answer.note},))]
        return SubjectRecords(
            system=self.system.key, tables={self.table: rows} if rows else {},
            primary_keys={self.table: ("record",)}, identities=asked,
        )

    def export(self, records: SubjectRecords, *,
               portable_only: bool = False) -> dict[str, list[Row]]:
        self._own(records.system)
        rows = records.tables.get(self.table, [])
        return {self.table: [dict(r) for r in rows]} if rows else {}

    def plan_erasure(self, records: SubjectRecords, *, keep: KeepHook | None = None,
                     salt: str = "") -> ErasurePlan:
        self._own(records.system)
        rows = records.tables.get(self.table, [])
        if not rows:
            return ErasurePlan(self.system.key)
        return ErasurePlan(self.system.key, (Statement(
            system=self.system.key, table=self.table, op="delete",
            sql=f"{self.kind.upper()} erase: {self.system.key} is asked to erase the subject",
            rows=len(rows), params=({"identities": records.identities},),
        ),))

    def apply(self, plan: ErasurePlan) -> dict[str, Counts]:
        self._own(plan.system)
        counts: dict[str, Counts] = {}
        for st in plan.statements:
            ident = st.params[0]["identities"] if st.params else {}
            answer = self._task("erase", {"identities": ident})
            counts[st.table] = counts.get(st.table, Counts()) + Counts(deleted=answer.changed)
        return counts

    def rectify(self, table: str, pk: PkValue, changes: Mapping[str, Any]) -> Rectification:
        if table != self.table:
            raise InvalidInput(f"system {self.system.key!r} has no table {table!r}")
        if not changes:
            raise InvalidInput("nothing to rectify")
        payload = {"record": json_safe(pk), "changes": {k: json_safe(v)
                                                        for k, v in changes.items()}}
        self._task("rectify", payload)
        return Rectification(table, pk, {c: None for c in changes}, dict(payload["changes"]))

    def set_restriction(self, records: SubjectRecords, on: bool) -> dict[str, int]:
        self._own(records.system)
        if not records.tables.get(self.table):
            return {}
        answer = self._task("restrict", {"identities": records.identities, "on": on})
        return {self.table: answer.changed}

    def _own(self, other: str) -> None:
        if other != self.system.key:
            raise InvalidInput(f"these records belong to system {other!r}, "
                               f"not {self.system.key!r}")
