"""What the officer enters about a processor change (shapes only; rules in `register`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from steward.policy.models import TransferMechanism


class ChangeKind(StrEnum):
    added = "added"  # a new processor or sub-processor (Art. 28(2): prior information)
    removed = "removed"
    updated = "updated"  # service, country, transfer mechanism, categories, systems
    dpa = "dpa"  # a DPA signed or renewed (Art. 28(3))


class ChangeInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    processor_key: str = Field(min_length=1, max_length=120)
    sub_processor_key: str | None = Field(default=None, max_length=120)
    kind: ChangeKind
    effective: date
    name: str | None = None
    service: str | None = None
    country: str | None = None
    transfer_mechanism: TransferMechanism | None = None
    data_categories: list[str] | None = None
    systems: list[str] | None = None
    dpa_signed: date | None = None
    dpa_reference: str | None = None
    dpa_review_due: date | None = None
    note: str | None = None
