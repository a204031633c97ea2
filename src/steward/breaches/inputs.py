"""What the officer enters: plain pydantic models shared by the API, the console forms and the
CLI. Only shapes and types are checked here; the rules (awareness not in the future, numbers
not negative, keys known to the policy, ...) are checked by `register`/`assessment`, so that
every caller gets the same clear `InvalidInput` message.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Risk(StrEnum):
    """Art. 33(1) / 34(1): the outcome of the risk assessment."""

    unlikely = "unlikely"  # unlikely to result in a risk: documented only (Art. 33(5))
    risk = "risk"  # a risk: notify the authority (Art. 33(1))
    high = "high"  # a high risk: also tell the people (Art. 34(1))


class Exception34(StrEnum):
    """Art. 34(3): when people need not be told individually."""

    encrypted = "a"  # data unintelligible to others, e.g. encrypted
    mitigated = "b"  # later measures removed the high risk
    disproportionate = "c"  # disproportionate effort: a public notice instead


class Kind(StrEnum):
    authority = "authority"  # Art. 33
    subjects = "subjects"  # Art. 34(1)
    public = "public"  # Art. 34(3)(c)


class Phase(StrEnum):
    initial = "initial"
    supplement = "supplement"  # Art. 33(4): information provided in phases


NATURES = ("confidentiality", "integrity", "availability")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BreachInput(_In):
    """The register form (Art. 33(3)(a)-(d) and 33(5))."""

    title: str = Field(min_length=1, max_length=200)
    aware_at: datetime = Field(description="when the controller became reasonably certain")
    occurred_at: datetime | None = None
    discovery_source: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1)
    nature: list[str] = Field(default_factory=list)
    systems: list[str] = Field(default_factory=list)
    data_categories: list[str] = Field(default_factory=list)
    subject_categories: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    subjects_approx: int | None = None
    records_approx: int | None = None
    consequences: str = ""
    measures_taken: str = ""
    measures_proposed: str = ""
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    processor_key: str | None = None
    processor_reported_at: datetime | None = None


class AssessmentInput(_In):
    risk: Risk
    reasoning: str = Field(min_length=1)
    exception: Exception34 | None = None
    exception_reason: str | None = None


class NotificationInput(_In):
    kind: Kind = Kind.authority
    authority: str | None = Field(default=None, description="country code, for kind=authority")
    phase: Phase = Phase.initial
    sent_at: datetime
    channel: str | None = None
    reference: str | None = None
    content: str | None = Field(default=None, description="as sent; rendered when omitted")
    late_reason: str | None = None
