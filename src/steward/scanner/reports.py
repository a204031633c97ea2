"""The last scan of each system field, kept in Steward's store for the console.

`save(session, scans, actor=...)` replaces the stored rows of every table it scanned (so a
scan of one table leaves the other tables' last results standing) and appends one audit event
per system naming where sensitive data was found and how much — counts only. Masked examples
are not stored: the store holds where sensitive data lives, never the data. Domain functions:
they take the caller's session and never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from steward import audit
from steward.scanner.systems import SystemScan
from steward.scanner.tables import ScanReportRow
from steward.store.db import as_utc


def save(session: Session, scans: list[SystemScan], *, actor: str,
         now: datetime | None = None) -> int:
    """Store `scans` (systems that failed are skipped: their last good results stay) and
    return the number of field rows written."""
    at = now or datetime.now(UTC)
    written = 0
    for scan in scans:
        if scan.error is not None:
            continue
        for table in scan.tables:
            session.execute(sa.delete(ScanReportRow).where(
                ScanReportRow.system == scan.system, ScanReportRow.table_name == table.table))
            for f in table.fields:
                session.add(ScanReportRow(
                    scanned_at=at, system=scan.system, table_name=table.table, field=f.field,
                    category=f.category, free_text=f.free_text, rows_scanned=table.rows_scanned,
                    values_scanned=f.values_scanned, findings=f.findings,
                    counts=json.dumps(dict(sorted(f.counts.items()))),
                    skipped=json.dumps(dict(sorted(f.skipped.items()))), gap=f.gap,
                    suggestion=f.suggestion, sample=scan.sample, actor=actor))
                written += 1
        audit.append(session, actor=actor, action="scanner.scanned",
                     subject_ref=f"system:{scan.system}", at=at, details={
                         "system": scan.system, "sample": scan.sample,
                         "tables": {t.table: {"rows": t.rows_scanned, "fields": {
                             f.field: dict(sorted(f.counts.items())) for f in t.fields
                             if f.counts}} for t in scan.tables},
                         "gaps": [f"{f.table}.{f.field}" for f in scan.gaps]})
    session.flush()
    return written


@dataclass(frozen=True)
class StoredField:
    """One stored row, decoded for display."""

    row: ScanReportRow
    counts: dict[str, int]
    skipped: dict[str, int]


def latest(session: Session, *, system: str | None = None) -> list[StoredField]:
    """The stored report rows (the latest per system, table and field), ordered for display:
    gaps first, then by system, table and field."""
    q = sa.select(ScanReportRow)
    if system is not None:
        q = q.where(ScanReportRow.system == system)
    rows = session.scalars(q.order_by(ScanReportRow.gap.desc(), ScanReportRow.system,
                                      ScanReportRow.table_name, ScanReportRow.field))
    return [StoredField(r, json.loads(r.counts), json.loads(r.skipped)) for r in rows]


def gap_count(session: Session) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(ScanReportRow)
                              .where(ScanReportRow.gap.is_(True))) or 0)


def last_scanned(session: Session) -> datetime | None:
    return as_utc(session.scalar(sa.select(sa.func.max(ScanReportRow.scanned_at))))
