"""The policy-as-code model: pydantic v2 classes for everything a privacy policy promises.

A policy is loaded from one YAML file or a folder of YAML files (see `loader.py`) into `Policy`.
Field-level checks live here; checks across sections (undefined references, missing Art. 9(2)
conditions, processors without a DPA, ...) live in `crossrefs.py`, so that every problem found
can be reported at once with its file and line.

Keys are short identifiers (`[a-z0-9_.-]`) that other sections reference.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from steward import i18n

_T = TypeVar("_T", bound=BaseModel)

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=120)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
# Links the notice and the console render as <a href>: http(s) only, so a policy can never
# carry a `javascript:` or `data:` link into a page.
WebUrl = Annotated[str, Field(pattern=r"^https?://[^\s<>\"']+$")]
# Text that may exist in several languages: either one string (the default language) or a
# mapping language -> text.
Text = str | dict[LanguageCode, str]


def _known_text(msgid: str) -> str:
    if msgid not in i18n.known_msgids():
        raise ValueError(
            f"no text {msgid!r} to override: overrides name a text exactly as Steward writes it "
            "in English (see the catalogs, `scripts/translations.py list`)"
        )
    return msgid


# One of Steward's own texts, named by its English original (its msgid in the catalogs).
Msgid = Annotated[str, AfterValidator(_known_text)]


class Model(BaseModel):
    """Base for policy models: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LegalBasis(StrEnum):
    """GDPR Art. 6(1) legal bases, by their letter."""

    consent = "a"
    contract = "b"
    legal_obligation = "c"
    vital_interests = "d"
    public_task = "e"
    legitimate_interests = "f"


class Art9Condition(StrEnum):
    """GDPR Art. 9(2) conditions for special categories, by their letter."""

    explicit_consent = "a"
    employment_social_security = "b"
    vital_interests = "c"
    not_for_profit = "d"
    made_public = "e"
    legal_claims = "f"
    substantial_public_interest = "g"
    health_or_social_care = "h"
    public_health = "i"
    archiving_research = "j"


class Right(StrEnum):
    """The data-subject rights of GDPR Arts. 15-22."""

    access = "access"  # Art. 15
    rectification = "rectification"  # Art. 16
    erasure = "erasure"  # Art. 17
    restriction = "restriction"  # Art. 18
    portability = "portability"  # Art. 20
    objection = "objection"  # Art. 21
    automated_decisions = "automated_decisions"  # Art. 22


# --- the policy document --------------------------------------------------------------------


class PolicyMeta(Model):
    id: Key
    version: str = Field(min_length=1, max_length=40)
    effective: date
    languages: list[LanguageCode] = Field(default_factory=lambda: ["en"], min_length=1)
    title: Text = "Privacy policy"

    @property
    def default_language(self) -> str:
        return self.languages[0]


class Address(Model):
    street: str
    postal_code: str
    city: str
    country: CountryCode


class Registration(Model):
    scheme: str = Field(description="Register name, e.g. CVR, Organisasjonsnummer, Companies House")
    number: str


class Contact(Model):
    name: str | None = None
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = None
    address: Address | None = None


class Establishment(Model):
    country: CountryCode
    name: str | None = None
    address: Address | None = None
    # Reg. 1182/71 Art. 3(4): a period ending on a holiday of the answering establishment moves
    # to its next working day. `answers` lists the jurisdictions whose requests this
    # establishment answers (its own country when empty); `holiday_subdivision` picks a
    # regional calendar, e.g. SCT or NIR for GB.
    answers: list[CountryCode] = Field(
        default_factory=list,
        description="jurisdictions whose requests this establishment answers (default: its own)",
    )
    holiday_subdivision: str | None = Field(
        default=None, description="holiday calendar subdivision, e.g. SCT, NIR or ENG for GB"
    )


class Controller(Model):
    """Art. 30(1)(a), Art. 13(1)(a)-(b): who is responsible and how to reach them."""

    name: str
    address: Address
    registration: Registration | None = None
    phone: str | None = None
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    website: WebUrl | None = None
    dpo: Contact | None = None
    privacy_contact: Contact | None = None
    representative: Contact | None = None
    establishments: list[Establishment] = Field(default_factory=list)
    lead_authority: CountryCode = Field(description="Country of the lead supervisory authority")
    complaint_authority: CountryCode | None = Field(
        default=None, description="Authority named in the notice for complaints (Art. 13(2)(d))"
    )


class Authority(Model):
    """A supervisory authority, and how its jurisdiction counts deadlines."""

    name: str
    website: WebUrl
    breach_channel: str = Field(description="How breaches are notified (form, e-service)")
    breach_url: WebUrl | None = None
    complaint_url: WebUrl | None = None
    phone: str | None = None
    language: LanguageCode = "en"
    timezone: str = "UTC"
    holiday_subdivision: str | None = None
    # Art. 12(6) / UK DUAA 2025: the clock starts when requested identification arrives and
    # pauses while clarification is awaited. Off by default outside the UK.
    stop_the_clock: bool = False


class IdentityKind(StrEnum):
    """How an identity value is checked and normalised before it is stored or searched."""

    email = "email"  # trimmed, lower-cased
    phone = "phone"  # E.164, parsed with the type's or the controller's country
    national_id = "national_id"  # validated with python-stdnum for the type's country
    text = "text"  # trimmed; e.g. customer or employee numbers


class IdentityType(Model):
    """An identity the controller accepts to find a subject's data (Art. 12(6), Art. 15): the
    key tables use in `identities`, its label, how values are normalised, and whether it may
    start a request on its own."""

    key: Key
    label: Text
    kind: IdentityKind = IdentityKind.text
    country: CountryCode | None = Field(
        default=None,
        description="national_id: the issuing country; phone: the default country for numbers "
        "written without +country code (default: the controller's country)",
    )
    alone: bool = Field(
        default=False, description="may start a request without any other identity"
    )
    pattern: str | None = Field(
        default=None, max_length=200, description="text: a regular expression values must match"
    )

    @model_validator(mode="after")
    def _country_for_national_ids(self) -> IdentityType:
        if self.kind is IdentityKind.national_id and self.country is None:
            raise ValueError("a national_id identity needs its issuing `country`")
        return self


class SubjectCategory(Model):
    key: Key
    name: Text
    description: Text | None = None


class DataCategory(Model):
    """A category of personal data. Keys under `user.` / `system.` must be fideslang taxonomy
    keys unless `custom: true` (our own additions, e.g. national identity numbers)."""

    key: Key
    name: Text
    description: Text | None = None
    custom: bool = False
    special: bool = Field(default=False, description="Art. 9(1) special category (e.g. health)")
    national_id: bool = Field(default=False, description="National identification number (Art. 87)")
    only_subjects: list[Key] = Field(
        default_factory=list, description="Subject categories this data is held about only"
    )


class Situation(Model):
    """A case in the notice's purpose table: 'You are a potential customer' and what we do."""

    title: Text
    text: Text


class Requirement(Model):
    """Art. 13(2)(e): whether providing the data is a statutory or contractual requirement (or
    needed to enter into a contract), whether the person must provide it, and what happens if
    they do not."""

    kind: Literal["statutory", "contractual", "contract_entry", "voluntary"] = Field(
        description="statutory: a law requires it; contractual: the contract requires it; "
        "contract_entry: needed to enter into a contract; voluntary: none of these"
    )
    obliged: bool = Field(default=False, description="the person is obliged to provide it")
    consequences: Text = Field(description="what happens if the data is not provided")

    @model_validator(mode="after")
    def _voluntary_is_not_obliged(self) -> Requirement:
        if self.kind == "voluntary" and self.obliged:
            raise ValueError("a voluntary provision cannot be obliged (Art. 13(2)(e))")
        return self


class Purpose(Model):
    """Art. 13(1)(c), Art. 30(1)(b): a purpose, its legal bases and legitimate interests."""

    key: Key
    title: Text
    description: Text
    examples: list[Text] = Field(default_factory=list)
    situations: list[Situation] = Field(default_factory=list)
    legal_bases: list[LegalBasis] = Field(min_length=1)
    legitimate_interests: list[Text] = Field(default_factory=list)
    art9_condition: Art9Condition | None = None
    data_use: str | None = Field(default=None, description="fideslang data use key")
    notes: list[Text] = Field(default_factory=list)
    requirement: Requirement | None = Field(
        default=None,
        description="Art. 13(2)(e) statement; derived from a single legal basis (a), (b) or "
        "(f) when absent",
    )

    @model_validator(mode="after")
    def _interests_need_basis_f(self) -> Purpose:
        if self.legitimate_interests and LegalBasis.legitimate_interests not in self.legal_bases:
            raise ValueError(
                "legitimate_interests are listed but Art. 6(1)(f) is not among legal_bases"
            )
        if LegalBasis.legitimate_interests in self.legal_bases and not self.legitimate_interests:
            raise ValueError(
                "Art. 6(1)(f) needs the legitimate interests stated (Art. 13(1)(d))"
            )
        return self


class Notify(Model):
    """Art. 19: how a recipient is told of a rectification, erasure or restriction.

    `channel` names a notifier of the `steward.notifiers` registry: `mail` (to `email`, the
    recipient's privacy contact, through the mail queue), `http` (a signed POST to `url`, the
    HMAC-SHA256 key in the environment variable `secret_env`), `task` (an officer tells the
    recipient and confirms with the date), or an installed plug-in's name."""

    channel: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    url: WebUrl | None = None
    secret_env: str | None = Field(
        default=None,
        pattern=r"^[A-Z][A-Z0-9_]*$",
        description="environment variable holding the key that signs http calls",
    )
    instructions: Text | None = Field(
        default=None, description="what the officer does to tell the recipient (task)"
    )

    @model_validator(mode="after")
    def _channel_needs(self) -> Notify:
        if self.channel == "mail" and not self.email:
            raise ValueError("the mail channel needs `email` (the recipient's privacy contact)")
        if self.channel == "http" and not (self.url and self.secret_env):
            raise ValueError("the http channel needs `url` and `secret_env` (the signing key)")
        return self


class Recipient(Model):
    """Art. 30(1)(d): a recipient, either internal (a role) or a processor from `processors`.
    A third party is told of rectifications, erasures and restrictions through `notify`
    (Art. 19); a processor through its own `notify` block."""

    internal: str | None = None
    processor: Key | None = None
    third_party: str | None = None
    notify: Notify | None = Field(
        default=None, description="how this third party is told of changes (Art. 19)"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Recipient:
        if sum(x is not None for x in (self.internal, self.processor, self.third_party)) != 1:
            raise ValueError("give exactly one of internal, processor, third_party")
        return self


class TransferMechanism(StrEnum):
    eea = "eea"  # inside the EU/EEA: no transfer
    adequacy = "adequacy"  # Art. 45
    scc = "scc"  # Art. 46(2)(c) standard contractual clauses
    bcr = "bcr"  # Art. 47
    derogation = "derogation"  # Art. 49


class Transfer(Model):
    """Art. 30(1)(e), Art. 15(2): a transfer to a third country and its safeguard."""

    country: CountryCode
    mechanism: TransferMechanism
    recipient: str | None = None
    document: str | None = None


def _subject_source() -> list[Text]:
    """The default source of an activity's data: the data subjects themselves."""
    return ["The data subject"]


class IndirectSource(Model):
    """Art. 14(2)(f): data not obtained from the person, and where it comes from."""

    source: Text = Field(description="who provides the data, e.g. the customer company")
    data_categories: list[Key] = Field(min_length=1, description="the data it provides")
    publicly_accessible: bool = Field(
        default=False, description="a publicly accessible source (Art. 14(2)(f))"
    )


class ProcessingActivity(Model):
    """One row of the Art. 30(1) record of processing activities."""

    key: Key
    name: Text
    purposes: list[Key] = Field(min_length=1)
    subjects: list[Key] = Field(min_length=1)
    data_categories: list[Key] = Field(min_length=1)
    sources: list[Text] = Field(default_factory=_subject_source)
    indirect_sources: list[IndirectSource] = Field(
        default_factory=list,
        description="data obtained from others than the person, shown in the notice "
        "(Art. 14(2)(f))",
    )
    recipients: list[Recipient] = Field(default_factory=list)
    transfers: list[Transfer] = Field(default_factory=list)
    retention: list[Key] = Field(default_factory=list, description="retention rule keys")
    retention_description: Text | None = None
    security_measures: list[Text] = Field(default_factory=list)
    systems: list[Key] = Field(default_factory=list)
    consent_purposes: list[Key] = Field(
        default_factory=list, description="consent purposes (consent.purposes keys) it relies on"
    )
    art9_condition: Art9Condition | None = None
    art9_note: Text | None = Field(
        default=None, description="how the Art. 9(2) condition applies here (Art. 30 record)"
    )
    automated_decisions: bool = False


# --- retention -------------------------------------------------------------------------------


class TriggerEvent(StrEnum):
    relationship_ended = "relationship_ended"
    process_completed = "process_completed"
    case_closed = "case_closed"
    collected = "collected"


class Trigger(Model):
    """What starts the retention clock: a date column, optionally named as a business event.

    With `of`, the date is the latest (or earliest) of several rows of a child table that
    references the rule's table (e.g. the close dates of a candidate's applications); under
    `latest`, one child row without a date means "not ended yet" and the clock has not started.
    """

    field: str = Field(description="table.column holding the trigger date")
    event: TriggerEvent | None = None
    of: Literal["latest", "earliest"] | None = Field(
        default=None,
        description="the date is the latest/earliest over the child rows of `field`'s table "
        "that reference the rule's row; under latest, an empty date means not ended yet",
    )
    via: str | None = Field(
        default=None,
        description="child.column referencing the rule's table, when the child has several "
        "references to it",
    )

    @model_validator(mode="after")
    def _via_needs_of(self) -> Trigger:
        if self.via is not None and self.of is None:
            raise ValueError("`via` names the child rows of `of: latest|earliest`; add `of`")
        return self


class Period(Model):
    months: int = Field(default=0, ge=0, le=1200)
    years: int = Field(default=0, ge=0, le=100)
    days: int = Field(default=0, ge=0, le=36500)
    # "N years plus the current year": delete by 31 December of (trigger year + N).
    anchor: Literal["none", "end_of_year"] = "none"
    # An all-zero period means "as soon as the trigger has happened" (e.g. at case close).


class RetentionAction(StrEnum):
    delete = "delete"  # delete the rows (and their dependants)
    anonymize = "anonymize"  # replace identifying fields with pseudonyms / generalizations
    redact = "redact"  # scan free text and redact sensitive findings
    null = "null"  # set the fields to NULL


class ConsentCondition(Model):
    """The person's state for a consent purpose in Steward's own consent ledger, matched by an
    identity of the rule's table (its e-mail column, hashed as the ledger stores it)."""

    purpose: Key = Field(description="consent purpose key (consent.purposes)")
    state: Literal["given", "withdrawn", "none"] = Field(
        description="given: consent in force; withdrawn: a recorded decision that is not (or no "
        "longer) consent; none: no decision recorded"
    )
    identity: str = Field(default="email", description="identity type of the rule's table")


CompareOp = Literal["eq", "ne", "lt", "le", "gt", "ge"]


class Condition(Model):
    """One part of a retention condition; exactly one of column, all, any, not, consent."""

    column: str | None = Field(default=None, description="table.column (on the rule's table "
                               "or a table of the trigger's join path)")
    op: CompareOp | None = Field(default=None, description="compare column with value")
    value: bool | int | float | str | None = None
    all: list[str | Condition] | None = None
    any: list[str | Condition] | None = None
    not_: str | Condition | None = Field(default=None, alias="not")
    consent: ConsentCondition | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [n for n in ("column", "all", "any", "not_", "consent")
                 if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("a condition has exactly one of column, all, any, not, consent")
        if (self.op is not None or self.value is not None) and self.column is None:
            raise ValueError("op and value compare a column: add `column`")
        if self.op is not None and self.value is None:
            raise ValueError("a comparison needs a value")
        if self.value is not None and self.op is None:
            raise ValueError("a value needs op (eq, ne, lt, le, gt, ge)")
        if (self.all is not None and not self.all) or (self.any is not None and not self.any):
            raise ValueError("all/any need at least one condition")
        return self


class StatutoryPeriod(Model):
    """A statutory minimum for one kind of record in one country, declared by the policy
    (e.g. for a storage country Steward has no built-in table for)."""

    record_kind: Literal["accounting", "correspondence", "agreements"] = "accounting"
    statute: str = Field(description="the law, e.g. its name and number")
    article: str = Field(description="the section that sets the period")
    months: int = Field(ge=1, le=1200, description="length of the period in months")
    counted_from: Literal[
        "financial_year_end", "record_date", "calendar_year_of_financial_year_end"
    ] = "financial_year_end"
    summary: Text | None = None


class StorageCountry(Model):
    """Bookkeeping facts of one storage country: its financial-year end and, where Steward's
    built-in table has none (or the policy wants its own), the statutory periods."""

    financial_year_end: str = Field(
        default="12-31", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        description="MM-DD the financial year ends on (default 31 December)",
    )
    company_type: Literal["private", "public"] = "private"
    periods: list[StatutoryPeriod] = Field(
        default_factory=list, description="replaces the built-in periods of the same record kind"
    )


class RetentionRule(Model):
    """A retention promise executed as a sweep over one system table."""

    key: Key
    description: Text
    system: Key
    table: str
    trigger: Trigger
    period: Period
    kind: Literal["maximum", "statutory"] = Field(
        default="maximum",
        description="maximum: a limit the company set (clamped, never rolled forward); "
        "statutory: a minimum a law imposes",
    )
    action: RetentionAction = RetentionAction.delete
    fields: list[str] = Field(default_factory=list, description="for null/anonymize/redact")
    condition: str | Condition | None = Field(
        default=None,
        description="when the rule applies: a column that must be non-null (true for yes/no "
        "columns), or a combination (all/any/not, comparisons, consent states)",
    )
    statutory_basis: Text | None = None
    legal_obligation: bool = Field(
        default=False,
        description="data kept under this rule is exempt from erasure (Art. 17(3)(b))",
    )
    jurisdiction: Literal["storage_country"] | CountryCode = "storage_country"
    record_kind: Literal["accounting", "correspondence", "other"] = "other"
    # Unattended by default: a rule is a promise the notice makes (Art. 5(1)(e)), kept on
    # time without anyone having to remember it; rules written before this field keep working
    # as they did. `approval` is for sweeps an officer wants to see before they run.
    sweep: Literal["unattended", "approval"] = Field(
        default="unattended",
        description="unattended: the nightly sweep runs the rule on its own; approval: the "
        "nightly sweep leaves it alone, the console shows it as awaiting approval with its "
        "plan, and it runs when an officer approves it",
    )


# --- consent ---------------------------------------------------------------------------------


class ConsentPurpose(Model):
    """A purpose people choose for or against (Art. 7), or may object to (Art. 21)."""

    key: Key
    title: Text
    purpose: Key = Field(description="the policy purpose this serves")
    mode: Literal["opt_in", "opt_out"]
    legal_basis: LegalBasis
    channels: list[Literal["email", "post", "sms", "phone", "web", "event"]] = Field(
        default_factory=list
    )
    wording: Text | None = None
    version: int = Field(default=1, ge=1)
    double_opt_in: bool = False
    valid_months: int | None = Field(default=None, ge=1)
    direct_marketing: bool = Field(
        default=False, description="objection is absolute (Art. 21(3))"
    )


class CookieService(Model):
    name: str
    provider: str | None = None
    cookies: list[str] = Field(default_factory=list)
    description: Text | None = None
    identifies_persons: bool = True


class CookieCategory(Model):
    key: Key
    title: Text
    description: Text
    required: bool = False
    valid_days: int = Field(default=365, ge=1, le=395)
    gcm_signals: list[str] = Field(
        default_factory=list, description="Google Consent Mode v2 signals this category grants"
    )
    gpc_refuses: bool = Field(default=False, description="Global Privacy Control refuses it")
    services: list[CookieService] = Field(default_factory=list)


class Cookies(Model):
    version: int = Field(default=1, ge=1)
    categories: list[CookieCategory] = Field(default_factory=list)
    banner_text: Text | None = None


class Consent(Model):
    purposes: list[ConsentPurpose] = Field(default_factory=list)
    cookies: Cookies = Field(default_factory=Cookies)
    store_ip_addresses: bool = False


# --- analytics ------------------------------------------------------------------------------


class AnalyticsSite(Model):
    """A website whose visits are counted (seed-style "tracking that identifies no one")."""

    key: Key
    name: Text
    hosts: list[Annotated[str, Field(pattern=r"^[a-z0-9.\-]+(:[0-9]{1,5})?$", max_length=253)]] = (
        Field(min_length=1, description="host names (with a port if not 80/443) whose pages "
              "may send events; an event from any other origin is refused")
    )
    description: Text | None = Field(
        default=None, description="what is counted and why, in the notice's words"
    )
    query_parameters: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$", max_length=60)]] = (
        Field(default_factory=list, description="query parameters kept in page paths "
              "(every other one is dropped: it may carry an e-mail address or a token)")
    )


class Analytics(Model):
    """Cookieless visit statistics: hourly aggregates only, a daily salt kept in memory.

    Art. 6(1)(f): the `purpose` must rest on legitimate interests; `interest` is shown in the
    notice's statistics section."""

    purpose: Key = Field(description="the policy purpose the statistics serve (basis f)")
    interest: Text = Field(description="the legitimate interest (Art. 6(1)(f)) in the notice")
    sites: list[AnalyticsSite] = Field(min_length=1)
    retention_months: int = Field(
        default=25, ge=1, le=120, description="hourly aggregates older than this are deleted"
    )
    honour_dnt: bool = Field(
        default=True, description="a Do Not Track header (DNT: 1) means the view is not counted"
    )
    honour_gpc: bool = Field(
        default=True, description="a Global Privacy Control signal (Sec-GPC: 1) means the view "
        "is not counted"
    )
    banner_category: Key | None = Field(
        default=None, description="the cookie category of the banner these statistics belong to"
    )
    without_consent: bool = Field(
        default=False, description="the banner shows `banner_category` as statistics without "
        "consent (always on): only where the national cookie rules' audience-measurement "
        "conditions are met"
    )

    def site(self, key: str) -> AnalyticsSite | None:
        return next((s for s in self.sites if s.key == key), None)


# --- processors ------------------------------------------------------------------------------


class Dpa(Model):
    """Art. 28(3): the data processing agreement."""

    signed: date | None = None
    reference: str | None = None
    review_due: date | None = None


class SubProcessor(Model):
    key: Key
    name: str
    service: str
    country: CountryCode
    transfer_mechanism: TransferMechanism = TransferMechanism.eea
    dpa: Dpa | None = None
    added: date | None = None
    notify: Notify | None = Field(
        default=None, description="how it is told of rectifications and erasures (Art. 19)"
    )


class Processor(Model):
    key: Key
    name: str
    service: str
    country: CountryCode
    transfer_mechanism: TransferMechanism = TransferMechanism.eea
    data_categories: list[Key] = Field(default_factory=list)
    systems: list[Key] = Field(default_factory=list)
    dpa: Dpa | None = None
    sub_processors: list[SubProcessor] = Field(default_factory=list)
    notify: Notify | None = Field(
        default=None, description="how it is told of rectifications and erasures (Art. 19)"
    )


class TenantColumn(Model):
    """One controller's rows in a table shared by several controllers: `column` = `value`."""

    column: str = Field(
        pattern=r"^[A-Za-z0-9_]+$", description="the column naming the controller (tenant)"
    )
    value: str | int = Field(description="this controller's value in that column")


class ControllerScope(Model):
    """Where one controller's data lies in one system processed for it (Art. 28(3)(e)): a
    tenant column in a shared schema, or a database of its own. An assisted request searches
    and changes nothing outside it."""

    system: Key = Field(description="a system of the processor role (`processor_roles[].systems`)")
    tenant: TenantColumn | None = Field(
        default=None,
        description="the tenant column of every table of the system (unless `tables` says "
        "otherwise): every query and change carries `column = value`",
    )
    tables: dict[str, TenantColumn | None] = Field(
        default_factory=dict,
        description="per table: its own tenant column, or null for a table without one, "
        "reached only through its references to a scoped table",
    )
    url_env: str | None = Field(
        default=None,
        description="environment variable with the URL of this controller's own database "
        "(a per-tenant database)",
    )
    url_file: str | None = Field(
        default=None, description="secrets file holding the URL of this controller's database"
    )
    data_categories: list[Key] = Field(
        default_factory=list,
        description="categories of data processed for this controller in this system "
        "(Art. 30(2)(b)); the fields' categories when empty",
    )

    @model_validator(mode="after")
    def _scoped(self) -> ControllerScope:
        if self.tenant is None and not self.tables and not (self.url_env or self.url_file):
            raise ValueError(
                "say how this controller's data is kept apart: tenant, tables, or url_env / "
                "url_file for a database of its own"
            )
        return self

    def tenant_of(self, table: str) -> TenantColumn | None:
        """The tenant condition of `table`: its own entry, else the system's."""
        return self.tables[table] if table in self.tables else self.tenant


class ServedController(Model):
    """Art. 30(2)(a): a controller on whose behalf the company processes, with contacts."""

    key: Key | None = Field(
        default=None,
        description="short identifier for API keys, the portal and the command line; needed "
        "for assisted requests",
    )
    name: str
    country: CountryCode | None = None
    contact: Contact | None = Field(default=None, description="name, e-mail, phone, address")
    dpo: Contact | None = Field(default=None, description="the controller's DPO, if any")
    representative: Contact | None = None
    categories_of_processing: list[Text] = Field(
        default_factory=list,
        description="what is done for this controller (Art. 30(2)(b)); the role's when empty",
    )
    dpa_reference: str | None = Field(
        default=None, description="the data processing agreement with them (Art. 28(3))"
    )
    dpa_signed: date | None = Field(default=None, description="when the DPA was signed")
    dpa_review_due: date | None = Field(
        default=None, description="when the DPA with them is next reviewed"
    )
    objection_days: int = Field(
        default=30, ge=1, le=180,
        description="days the DPA gives them to object to a new sub-processor (Art. 28(2))",
    )
    scope: list[ControllerScope] = Field(
        default_factory=list,
        description="the systems processed for this controller and where its data lies in "
        "each (Art. 28(3)(e) assisted requests, Art. 30(2)(b))",
    )
    assistance_days: int | None = Field(
        default=None, ge=1, le=90,
        description="days the DPA gives the company to assist with a data-subject request "
        "(Art. 28(3)(e)); shown as the assistance deadline",
    )


class ProcessorRole(Model):
    """Art. 30(2): processing the company performs as a processor for its customers."""

    key: Key
    controller: str | None = Field(
        default=None, description="the customers (controllers) served, in a phrase"
    )
    controllers: list[ServedController] = Field(
        default_factory=list,
        description="each controller served, named with contact details (Art. 30(2)(a))",
    )
    categories_of_processing: list[Text] = Field(min_length=1)
    data_categories: list[Key] = Field(default_factory=list)
    transfers: list[Transfer] = Field(default_factory=list)
    security_measures: list[Text] = Field(default_factory=list)
    sub_processors: list[Key] = Field(default_factory=list)
    systems: list[SystemSpec] = Field(
        default_factory=list,
        description="systems holding the controllers' data: searched only for a controller's "
        "assisted request, within that controller's `scope`, never for the company's own",
    )

    @model_validator(mode="after")
    def _names_controllers(self) -> ProcessorRole:
        if self.controller is None and not self.controllers:
            raise ValueError("name the controllers served (Art. 30(2)(a)): give controllers")
        return self


# --- systems ---------------------------------------------------------------------------------


class EraseAction(StrEnum):
    delete_row = "delete_row"
    null = "null"
    mask = "mask"
    hash = "hash"
    keep = "keep"  # kept under a retention rule (Art. 17(3)(b)) or not personal


class FieldSource(StrEnum):
    """Where a field's value comes from; Art. 20(1) ports what the subject provided, which
    includes what was observed of their use of a service, not what the company made."""

    provided = "provided"  # typed or sent by the subject
    observed = "observed"  # recorded from their use of a service (logins, activity)
    derived = "derived"  # made by the company (invoices, scores, inferences)
    staff = "staff"  # written by staff (case notes, internal assessments)


PORTABLE_SOURCES = frozenset({FieldSource.provided, FieldSource.observed})


class FieldSpec(Model):
    """A column holding (or pointing at) personal data."""

    name: str
    category: Key | None = None
    erase: EraseAction | None = Field(
        default=None, description="override of the table's erase action for this field"
    )
    source: FieldSource = Field(
        default=FieldSource.provided,
        description="provided, observed, derived or staff; only provided and observed data "
        "is ported (Art. 20(1))",
    )
    provided: bool = Field(
        default=True,
        description="kept for older policies: false means `source: derived`; follows "
        "`source` when that is given",
    )
    free_text: bool = Field(default=False, description="may hold anything; scanned")
    secret: bool = Field(
        default=False,
        description="a credential (password hash, token): never put in a copy for the subject "
        "(Art. 15(4): the copy must not adversely affect others, here the system's security); "
        "still erased with its row",
    )
    may_contain: list[Key] = Field(
        default_factory=list,
        description=(
            "categories this free-text field may hold, handled by a retention/redaction rule"
        ),
    )
    about: Literal["subject", "others", "both"] | None = Field(
        default=None,
        description=(
            "whose data the field holds, for the subject's copy (GDPR Art. 15(4)): `subject` "
            "(handed over whole), `others` (left out: e.g. a care worker's notes about the "
            "people visited), `both` (other people's identity numbers, e-mail addresses and "
            "phone numbers masked). Unset: free-text fields are treated as `both`, other "
            "fields as `subject`"
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _source_from_provided(cls, data: object) -> object:
        # Older policies say `provided: false`; newer ones say where the value comes from.
        # Both stay valid, and `provided` always agrees with `source` (portable or not).
        if not isinstance(data, dict):
            return data
        if "source" not in data:
            if data.get("provided") is False:
                return {**data, "source": FieldSource.derived.value}
            return data
        try:
            portable = FieldSource(data["source"]) in PORTABLE_SOURCES
        except ValueError:
            return data  # the enum check reports the bad value
        if "provided" in data and data["provided"] is not portable:
            raise ValueError(
                f"provided: {str(data['provided']).lower()} contradicts source: {data['source']}"
            )
        return {**data, "provided": portable}

    @property
    def portable(self) -> bool:
        """Art. 20(1): provided or observed by the subject's use of a service."""
        return self.source in PORTABLE_SOURCES


_QUALIFIED = re.compile(r"^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$")


class Reference(Model):
    """A foreign key: this table's `field` points at `to` (`table.column`). A composite key
    lists its columns in order on both sides: `field: [order_id, item_no]`,
    `to: [order_item.order_id, order_item.item_no]` (one target table)."""

    field: str | list[str] = Field(description="the column, or the columns of a composite key")
    to: str | list[str] = Field(
        description="table.column, or a list of table.column of one table for a composite key"
    )

    @model_validator(mode="after")
    def _same_shape(self) -> Reference:
        fields = self.fields
        targets = [self.to] if isinstance(self.to, str) else list(self.to)
        if not fields or not targets:
            raise ValueError("a reference names at least one column on each side")
        bad = [t for t in targets if not _QUALIFIED.match(t)]
        if bad:
            raise ValueError(f"`to` must be table.column, not {', '.join(map(repr, bad))}")
        if len(fields) != len(targets):
            raise ValueError(
                f"`field` has {len(fields)} column(s) but `to` has {len(targets)}: "
                "a composite reference pairs them in order"
            )
        if len({t.split(".", 1)[0] for t in targets}) != 1:
            raise ValueError("a composite reference points at columns of one table")
        if len(set(fields)) != len(fields):
            raise ValueError("a composite reference lists distinct columns")
        return self

    @property
    def fields(self) -> tuple[str, ...]:
        """This table's column(s), in order."""
        return (self.field,) if isinstance(self.field, str) else tuple(self.field)

    @property
    def target_table(self) -> str:
        first = self.to if isinstance(self.to, str) else self.to[0]
        return first.split(".", 1)[0]

    @property
    def target_columns(self) -> tuple[str, ...]:
        """The referenced column(s) of `target_table`, paired in order with `fields`."""
        targets = [self.to] if isinstance(self.to, str) else list(self.to)
        return tuple(t.split(".", 1)[1] for t in targets)


class TableSpec(Model):
    name: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    label: Text | None = Field(
        default=None,
        description="what the table holds, in the words of the person it is about; letters "
        "and the officer's plan use it instead of the table name (default: the names of its "
        "fields' data categories)",
    )
    primary_key: str | list[str] = Field(
        default="id",
        description="the column that identifies a row, or the columns of a composite key "
        "in order (e.g. [order_id, item_no])",
    )
    identities: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="identity type (email, phone, customer_number, national_id) -> column, or "
        "the columns when several hold one type (e.g. email: [email, alt_email])",
    )
    references: list[Reference] = Field(default_factory=list)
    fields: list[FieldSpec] = Field(default_factory=list)
    erase: EraseAction = EraseAction.delete_row
    retention: Key | None = Field(
        default=None, description="rows are kept under this rule instead of erased"
    )
    restriction_flag: str | None = Field(
        default=None, description="boolean column set while processing is restricted"
    )
    booleans: list[str] = Field(
        default_factory=list,
        description="columns holding yes/no stored as numbers or text (e.g. a MariaDB "
        "TINYINT(1) 0/1): read and compared as true/false on every database",
    )
    tenant: TenantColumn | None = Field(
        default=None,
        description="rows of one controller served (Art. 28(3)(e)): every query and change "
        "carries `column = value`; set from a controller's `scope` for its assisted requests",
    )

    @field_validator("primary_key")
    @classmethod
    def _key_not_empty(cls, v: str | list[str]) -> str | list[str]:
        if isinstance(v, list) and (not v or len(set(v)) != len(v)):
            raise ValueError("a composite primary key lists one or more distinct columns")
        return v

    @field_validator("identities")
    @classmethod
    def _identity_columns(cls, v: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for kind, cols in v.items():
            if isinstance(cols, list) and (not cols or len(set(cols)) != len(cols)):
                raise ValueError(f"identity {kind!r} lists one or more distinct columns")
        return v

    @property
    def identity_pairs(self) -> tuple[tuple[str, str], ...]:
        """(identity type, column) for every identity column, in declaration order."""
        return tuple(
            (kind, col)
            for kind, cols in self.identities.items()
            for col in ([cols] if isinstance(cols, str) else cols)
        )

    @property
    def identity_column_names(self) -> tuple[str, ...]:
        """Every identity column, each once."""
        return tuple(dict.fromkeys(col for _, col in self.identity_pairs))

    def identity_column(self, kind: str) -> str | None:
        """The (first) column holding identities of type `kind`; None if there is none."""
        return next((col for k, col in self.identity_pairs if k == kind), None)

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The primary-key column(s), in order: one for a plain key, several for a composite."""
        return (self.primary_key,) if isinstance(self.primary_key, str) else tuple(self.primary_key)


class HttpEndpoints(Model):
    lookup: str = Field(description="GET path with {identity_type} and {value} placeholders")
    export: str | None = None
    delete: str | None = None
    rectify: str | None = None


class HttpAuth(Model):
    header: str = "Authorization"
    scheme: str = "Bearer"
    token_env: str = Field(description="environment variable holding the token")
    token_file: str | None = Field(
        default=None,
        description="file holding the token when token_env is unset (relative to the data "
        "folder the connector is given, e.g. var/demo/)",
    )


class SystemSpec(Model):
    """A company data store Steward reads and changes through a connector."""

    key: Key
    name: Text
    connector: str = Field(description="connector name in the steward.connectors registry")
    url: str | None = Field(default=None, description="URL without a password")
    url_env: str | None = Field(default=None, description="environment variable with the URL")
    url_file: str | None = Field(default=None, description="secrets file holding the URL")
    storage_country: CountryCode
    owner: str | None = None
    tables: list[TableSpec] = Field(default_factory=list)
    fides_dataset: str | None = Field(
        default=None, description="a fideslang dataset file describing the tables"
    )
    endpoints: HttpEndpoints | None = None
    auth: HttpAuth | None = None
    # Tables (from `fides_dataset`) whose primary key is read from the live database because
    # the dataset declares none: set when the tables are resolved, not part of the policy.
    _keys_from_database: frozenset[str] = PrivateAttr(default_factory=frozenset)
    # Why the `fides_dataset` file could not be read, when it could not.
    _dataset_error: str | None = PrivateAttr(default=None)
    _resolved: bool = PrivateAttr(default=False)

    @property
    def keys_from_database(self) -> frozenset[str]:
        return self._keys_from_database

    @property
    def dataset_error(self) -> str | None:
        return self._dataset_error

    @field_validator("url")
    @classmethod
    def _no_inline_password(cls, v: str | None) -> str | None:
        if v and v.startswith("mailto:"):
            return v  # a manual system's owner (steward.connectors.manual): no password
        if v and "@" in v.split("://", 1)[-1].split("/", 1)[0]:
            netloc = v.split("://", 1)[-1].split("/", 1)[0]
            if ":" in netloc.split("@", 1)[0]:
                raise ValueError(
                    "inline passwords are not allowed in url: use url_env or url_file"
                )
        return v

    @model_validator(mode="after")
    def _has_location(self) -> SystemSpec:
        if not (self.url or self.url_env or self.url_file):
            raise ValueError("a system needs url, url_env or url_file")
        return self


# --- rights, breaches, notice ---------------------------------------------------------------


class Rights(Model):
    offered: list[Right] = Field(default_factory=lambda: list(Right))
    response_months: int = Field(default=1, ge=1, le=1, description="Art. 12(3): one month")
    extension_months: int = Field(default=2, ge=0, le=2, description="Art. 12(3): two more")
    automated_decisions: bool = Field(default=False, description="Art. 22: decisions made?")
    automated_decisions_statement: Text | None = None
    approval_required: list[Right] = Field(
        default_factory=lambda: [Right.erasure, Right.rectification, Right.access],
        description="request types an officer approves before execution",
    )
    send_without_review: list[Right] = Field(
        default_factory=list,
        description="request types whose answer (letter and package) is sent as soon as the "
        "request is executed; every other type waits as a draft until an officer has read it "
        "and sends it (default: every answer is reviewed)",
    )
    may_ask_for_information: bool = True
    statement: Text | None = None


class Breaches(Model):
    """The breach promise: Art. 33(1) allows at most 72 hours; a shorter promise is kept as
    written (the clock, its reminders and the notices all use it)."""

    notify_within_hours: int = Field(
        default=72, ge=1, le=72,
        description="hours from awareness to the authority's notification (Art. 33(1): 72 at "
        "most); a stricter promise shortens the clock",
    )
    promise: Text | None = None
    reminder_hours: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None,
        description="reminder points, hours after awareness, each before notify_within_hours; "
        "by default 24, 48 and 66 of 72, scaled to a shorter promise",
    )

    @property
    def reminder_points(self) -> tuple[int, ...]:
        """The reminder points in force: the policy's own, else the defaults scaled."""
        if self.reminder_hours is not None:
            return tuple(sorted(set(self.reminder_hours)))
        from steward.legal.breach_clock import scaled_reminder_hours

        return scaled_reminder_hours(self.notify_within_hours)


class NoticeSection(Model):
    title: Text
    text: Text


class Notice(Model):
    """Texts of the public notice (Arts. 13-14) that are not derived from other sections."""

    intro: Text | None = None
    transfer_safeguards_copy: Text | None = Field(
        default=None,
        description="how to obtain a copy of the safeguards for transfers outside the EU/EEA, "
        "or where they are available (Art. 13(1)(f)); required when data leaves the EU/EEA",
    )
    objection_statement: Text | None = Field(
        default=None,
        description="the company's own words on the right to object, shown in the separate "
        "Art. 21 section the notice always has when processing relies on Art. 6(1)(e)/(f)",
    )
    email_security_note: Text | None = None
    retention_statement: Text | None = None
    processors_statement: Text | None = None
    new_purposes_statement: Text | None = None
    new_purposes_notice_days: int = Field(
        default=30, ge=1, le=365,
        description="days between informing the people concerned of a new purpose and the "
        "first processing for it (Art. 13(3), Art. 14(4)): the announcement's start date",
    )
    cookies_statement: Text | None = None
    closing: list[Text] = Field(default_factory=list)
    extra_sections: list[NoticeSection] = Field(default_factory=list)


class EventWebhook(Model):
    """Where Steward delivers its own events (requests, consent, breaches, retention) so the
    company's ticketing or SIEM can follow along: signed JSON POSTs, as `steward.events`."""

    key: Key
    url: str = Field(description="the receiving URL (https in production)")
    secret_env: str = Field(
        description="environment variable holding the HMAC-SHA256 signing key"
    )
    events: list[Literal["request", "consent", "breach", "retention"]] = Field(
        min_length=1, description="which kinds of events this webhook receives"
    )

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("a webhook url starts with https:// (or http:// for a test)")
        return v


class Policy(Model):
    """The whole policy. Cross-references are checked by `steward.policy.crossrefs`."""

    steward: Literal[1] = Field(default=1, description="policy schema version")
    policy: PolicyMeta = Field(description="id, version, effective date and languages")
    controller: Controller = Field(description="the controller (Art. 13(1)(a), 30(1)(a))")
    authorities: dict[CountryCode, Authority] = Field(
        default_factory=dict, description="supervisory authorities by country code"
    )
    subject_categories: list[SubjectCategory] = Field(
        min_length=1, description="categories of data subjects (Art. 30(1)(c))"
    )
    data_categories: list[DataCategory] = Field(
        min_length=1, description="categories of personal data (Art. 30(1)(c))"
    )
    purposes: list[Purpose] = Field(
        min_length=1, description="purposes and legal bases (Art. 13(1)(c)-(d))"
    )
    processing_activities: list[ProcessingActivity] = Field(
        default_factory=list, description="the Art. 30(1) record, one entry per activity"
    )
    retention_rules: list[RetentionRule] = Field(
        default_factory=list, description="retention promises executed as sweeps (Art. 5(1)(e))"
    )
    storage_countries: dict[CountryCode, StorageCountry] = Field(
        default_factory=dict,
        description="per storage country: financial-year end and statutory bookkeeping periods "
        "(Art. 17(3)(b)); Steward's built-in DK, NO, SE, GB periods apply where none is declared",
    )
    consent: Consent = Field(
        default_factory=Consent, description="consent purposes (Art. 7) and cookie categories"
    )
    processors: list[Processor] = Field(
        default_factory=list, description="processors and sub-processors (Art. 28)"
    )
    processor_roles: list[ProcessorRole] = Field(
        default_factory=list, description="processing done as a processor (Art. 30(2))"
    )
    systems: list[SystemSpec] = Field(
        default_factory=list, description="the company's data stores and their tables"
    )
    rights: Rights = Field(default_factory=Rights, description="rights offered (Arts. 12-22)")
    identities: list[IdentityType] = Field(
        default_factory=list,
        description="identity types accepted to find a subject's data (Art. 12(6), Art. 15); "
        "none declared: email, phone, customer_number, national_id",
    )
    intake_floor: date | None = Field(
        default=None,
        description="earliest receipt date a request may be entered with (Art. 12(3)); "
        "default: the policy's effective date",
    )
    breaches: Breaches = Field(default_factory=Breaches, description="breach promise (Art. 33)")
    notice: Notice = Field(default_factory=Notice, description="texts of the public notice")
    analytics: Analytics | None = Field(
        default=None, description="cookieless visit statistics (hourly aggregates, Art. 6(1)(f))"
    )
    webhooks: list[EventWebhook] = Field(
        default_factory=list,
        description="where Steward's own events are delivered, signed (ticketing, SIEM)",
    )
    texts: dict[LanguageCode, dict[Msgid, Annotated[str, Field(min_length=1)]]] = Field(
        default_factory=dict,
        description="the company's own wording for any of Steward's texts, per language: "
        "language -> {English original (the catalog's msgid): the text to show instead}; "
        "wins over the translation catalogs in pages, mails, letters and exports",
    )

    @field_validator("texts")
    @classmethod
    def _same_placeholders(
        cls, v: dict[str, dict[str, str]]
    ) -> dict[str, dict[str, str]]:
        # A text's placeholders are filled by the code: an override must keep exactly them.
        for lang, overrides in v.items():
            for msgid, text in overrides.items():
                want, got = i18n.placeholders(msgid), i18n.placeholders(text)
                if want != got:
                    raise ValueError(
                        f"{lang}: the override of {msgid!r} must keep its placeholders "
                        f"{sorted(want) or 'none'}, it has {sorted(got) or 'none'}"
                    )
        return v

    # Lookups by key; the lists are small, built once per call site that needs many.
    def purpose(self, key: str) -> Purpose:
        return _by_key(self.purposes, key, "purpose")

    def data_category(self, key: str) -> DataCategory:
        return _by_key(self.data_categories, key, "data category")

    def system(self, key: str) -> SystemSpec:
        return _by_key(self.systems, key, "system")

    def retention_rule(self, key: str) -> RetentionRule:
        return _by_key(self.retention_rules, key, "retention rule")

    def processor(self, key: str) -> Processor:
        return _by_key(self.processors, key, "processor")

    def consent_purpose(self, key: str) -> ConsentPurpose:
        return _by_key(self.consent.purposes, key, "consent purpose")

    def authority(self, country: str) -> Authority:
        try:
            return self.authorities[country]
        except KeyError:
            from steward.errors import NotFound

            raise NotFound(
                f"no supervisory authority for country {country!r} in the policy"
            ) from None

    def text(self, value: Text | None, lang: str | None = None) -> str:
        """Resolve a possibly multilingual text to `lang`, falling back to the default."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        lang = lang or self.policy.default_language
        return value.get(lang) or value.get(self.policy.default_language) or next(
            iter(value.values()), ""
        )


def _by_key(items: list[_T], key: str, what: str) -> _T:
    for item in items:
        if getattr(item, "key", None) == key:
            return item
    from steward.errors import NotFound

    raise NotFound(f"unknown {what} {key!r}")
