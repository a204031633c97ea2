"""The processor register (GDPR Art. 28, Art. 30(1)(d)): the policy's processors and
sub-processors with the changes recorded since, applied in order of their effective date.

`register(session, policy)` returns one `Entry` per processor and sub-processor (removed ones
included, marked) with its DPA and the processing activities that list it as a recipient, so
the Art. 30 record names it. `record_change` validates and stores a change and writes it to
the audit log; `effective_policy` gives the policy with the register applied (for exports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import audit
from steward.errors import InvalidInput, NotFound
from steward.policy.models import Dpa, Policy, Processor, SubProcessor, TransferMechanism
from steward.processors.inputs import ChangeInput, ChangeKind
from steward.processors.tables import ProcessorChange

_KEY = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
_FIELDS = ("name", "service", "country", "transfer_mechanism", "data_categories", "systems",
           "dpa_signed", "dpa_reference", "dpa_review_due")


@dataclass(frozen=True)
class Entry:
    key: str
    name: str
    service: str
    country: str
    transfer_mechanism: str
    parent: str | None = None  # the processor, for a sub-processor
    data_categories: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    dpa_signed: date | None = None
    dpa_reference: str | None = None
    dpa_review_due: date | None = None
    added: date | None = None
    removed: date | None = None
    source: str = "policy"  # or "register" for one added after the policy
    activities: tuple[str, ...] = ()
    changes: int = 0

    @property
    def active(self) -> bool:
        return self.removed is None

    @property
    def ref(self) -> str:
        return f"{self.parent}/{self.key}" if self.parent else self.key

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "parent": self.parent, "name": self.name, "service": self.service,
            "country": self.country, "transfer_mechanism": self.transfer_mechanism,
            "data_categories": list(self.data_categories), "systems": list(self.systems),
            "dpa": {"signed": _iso(self.dpa_signed), "reference": self.dpa_reference,
                    "review_due": _iso(self.dpa_review_due)},
            "added": _iso(self.added), "removed": _iso(self.removed), "active": self.active,
            "source": self.source, "activities": list(self.activities), "changes": self.changes,
        }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _from_policy(p: Processor | SubProcessor, parent: Processor | None) -> Entry:
    dpa = p.dpa or Dpa()
    return Entry(
        key=p.key, name=p.name, service=p.service, country=p.country,
        transfer_mechanism=p.transfer_mechanism.value, parent=parent.key if parent else None,
        data_categories=tuple(getattr(p, "data_categories", []) or
                              (parent.data_categories if parent else [])),
        systems=tuple(getattr(p, "systems", []) or (parent.systems if parent else [])),
        dpa_signed=dpa.signed, dpa_reference=dpa.reference, dpa_review_due=dpa.review_due,
        added=getattr(p, "added", None),
    )


def _activities(policy: Policy) -> dict[str, tuple[str, ...]]:
    """Processor key -> keys of the activities listing it as a recipient (Art. 30(1)(d))."""
    out: dict[str, list[str]] = {}
    for a in policy.processing_activities:
        for r in a.recipients:
            if r.processor:
                out.setdefault(r.processor, []).append(a.key)
    return {k: tuple(v) for k, v in out.items()}


def changes(session: Session, processor_key: str | None = None) -> list[ProcessorChange]:
    q = select(ProcessorChange).order_by(ProcessorChange.effective, ProcessorChange.id)
    if processor_key:
        q = q.where(ProcessorChange.processor_key == processor_key)
    return list(session.scalars(q))


def register(session: Session, policy: Policy) -> list[Entry]:
    """Every processor, each followed by its sub-processors, with recorded changes applied."""
    entries: dict[tuple[str | None, str], Entry] = {}
    for p in policy.processors:
        entries[(None, p.key)] = _from_policy(p, None)
        for s in p.sub_processors:
            entries[(p.key, s.key)] = _from_policy(s, p)
    for ch in changes(session):
        parent, key = ((ch.processor_key, ch.sub_processor_key) if ch.sub_processor_key
                       else (None, ch.processor_key))
        entries[(parent, key)] = _fold(entries.get((parent, key)), ch, parent, key)
    acts = _activities(policy)
    out: list[Entry] = []
    for (parent, key), e in entries.items():
        if parent is None:
            out.append(replace(e, activities=acts.get(key, ())))
            for (p2, _), sub in entries.items():
                if p2 == key:
                    # A sub-processor works on its processor's data unless narrowed (as in
                    # the policy, where sub-processors inherit them): the same for one added
                    # through the register.
                    out.append(replace(sub, activities=acts.get(key, ()),
                                       data_categories=sub.data_categories or e.data_categories,
                                       systems=sub.systems or e.systems))
    return out


def _fold(e: Entry | None, ch: ProcessorChange, parent: str | None, key: str) -> Entry:
    f = dict(ch.fields or {})
    if ch.kind == ChangeKind.added or e is None:
        e = Entry(key=key, name=f.get("name") or key, service=f.get("service") or "",
                  country=f.get("country") or "", transfer_mechanism=f.get(
                      "transfer_mechanism") or TransferMechanism.eea.value,
                  parent=parent, added=ch.effective, source="register")
    if ch.kind == ChangeKind.removed:
        return replace(e, removed=ch.effective, changes=e.changes + 1)
    updates: dict[str, Any] = {}
    for name in _FIELDS:
        if f.get(name) is None:
            continue
        value = f[name]
        if name in ("data_categories", "systems"):
            value = tuple(value)
        elif name in ("dpa_signed", "dpa_review_due"):
            value = date.fromisoformat(value)
        updates[name] = value
    return replace(e, **updates, removed=None, changes=e.changes + 1)


def record_change(
    session: Session, policy: Policy, data: ChangeInput, *, actor: str,
    now: datetime | None = None,
) -> ProcessorChange:
    """Validate and store one change; returns the row (audited as `processor.changed`)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    current = {(e.parent, e.key): e for e in register(session, policy)}
    sub = data.sub_processor_key or None
    key = sub or data.processor_key
    parent = data.processor_key if sub else None
    for k in (data.processor_key, sub):
        if k is not None and not _KEY.match(k):
            raise InvalidInput(f"Key {k!r} may hold only a-z, 0-9, '_', '.', '-'.")
    if sub and (None, data.processor_key) not in current:
        raise NotFound(f"There is no processor {data.processor_key!r}.")
    existing = current.get((parent, key))
    if data.kind is ChangeKind.added:
        if existing is not None and existing.active:
            raise InvalidInput(f"{key!r} is already in the register.")
        if not (data.name and data.service and data.country):
            raise InvalidInput("A new processor needs its name, service and country.")
    elif existing is None:
        raise NotFound(f"There is no {'sub-processor' if sub else 'processor'} {key!r}.")
    elif data.kind is not ChangeKind.removed and not existing.active:
        raise InvalidInput(f"{key!r} was removed on {existing.removed}; add it again first.")
    elif data.kind is ChangeKind.removed and not existing.active:
        raise InvalidInput(f"{key!r} was already removed on {existing.removed}.")
    if data.country is not None and not re.fullmatch(r"[A-Z]{2}", data.country):
        raise InvalidInput(f"Country {data.country!r} is not a two-letter code such as DK.")
    _known("data category", data.data_categories, {c.key for c in policy.data_categories})
    _known("system", data.systems, {s.key for s in policy.systems})
    today = now.date()
    if data.dpa_signed and data.dpa_signed > today:
        raise InvalidInput("The DPA cannot have been signed in the future.")
    signed = data.dpa_signed or (existing.dpa_signed if existing else None)
    if data.dpa_review_due and signed and data.dpa_review_due < signed:
        raise InvalidInput("The DPA review date cannot be before the DPA was signed.")
    if data.kind is ChangeKind.dpa and not (data.dpa_signed or data.dpa_review_due
                                            or data.dpa_reference):
        raise InvalidInput("A DPA change needs the signed date, the reference or the review date.")
    fields = {n: _jsonable(getattr(data, n)) for n in _FIELDS if getattr(data, n) is not None}
    row = ProcessorChange(processor_key=data.processor_key, sub_processor_key=sub,
                          kind=data.kind.value, effective=data.effective, fields=fields,
                          note=data.note, recorded_at=now, recorded_by=actor)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="processor.changed",
                 subject_ref=f"processor:{parent + '/' if parent else ''}{key}",
                 details={"kind": row.kind, "effective": data.effective.isoformat(),
                          "fields": sorted(fields), "change": row.id})
    return row


def _jsonable(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, TransferMechanism):
        return v.value
    return v


def _known(what: str, given: list[str] | None, known: set[str]) -> None:
    for k in given or []:
        if k not in known:
            raise InvalidInput(f"Unknown {what} {k!r}: it is not in the policy.")


def effective_policy(policy: Policy, entries: list[Entry]) -> Policy:
    """The policy with the register applied: active processors and sub-processors as of now
    (used for the Art. 30 exports, so a recorded change shows in the record)."""
    procs: list[Processor] = []
    for e in entries:
        if e.parent is not None or not e.active:
            continue
        subs = [
            SubProcessor(key=s.key, name=s.name, service=s.service, country=s.country,
                         transfer_mechanism=TransferMechanism(s.transfer_mechanism),
                         dpa=_dpa(s), added=s.added)
            for s in entries if s.parent == e.key and s.active
        ]
        procs.append(Processor(key=e.key, name=e.name, service=e.service, country=e.country,
                               transfer_mechanism=TransferMechanism(e.transfer_mechanism),
                               data_categories=list(e.data_categories), systems=list(e.systems),
                               dpa=_dpa(e), sub_processors=subs))
    return policy.model_copy(update={"processors": procs})


def _dpa(e: Entry) -> Dpa | None:
    if not (e.dpa_signed or e.dpa_reference or e.dpa_review_due):
        return None
    return Dpa(signed=e.dpa_signed, reference=e.dpa_reference, review_due=e.dpa_review_due)
