"""The Art. 30(2) record — processing the company performs as a processor for its customers —
exported like the Art. 30(1) record. The rows come from `steward.policy.ropa`, over the policy
with the processor register applied, so a recorded sub-processor change shows in the record."""

from __future__ import annotations

from sqlalchemy.orm import Session

from steward.policy.models import Policy
from steward.policy.ropa import PROCESSOR_FIELDS, export_rows, ropa_processor_rows
from steward.processors.register import effective_policy, register

MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def processor_record(session: Session, policy: Policy, lang: str | None = None
                     ) -> list[dict[str, str]]:
    """Art. 30(2)(a)-(d): one row per processing performed as a processor."""
    return ropa_processor_rows(effective_policy(policy, register(session, policy)), lang)


def export_processor_record(
    session: Session, policy: Policy, fmt: str, lang: str | None = None,
) -> tuple[bytes, str, str]:
    """(bytes, media type, file name) of the Art. 30(2) record as CSV, JSON or XLSX."""
    data = export_rows(processor_record(session, policy, lang), PROCESSOR_FIELDS, fmt, lang)
    return data, MEDIA.get(fmt, "application/octet-stream"), f"art30-2-processor-record.{fmt}"
