"""Tables of the data-subject request workflow (GDPR Arts. 12-22).

- `dsr_requests`: one row per request: who asked what, its state and its dates.
- `dsr_codes`: one-time codes (verification and download), HMAC-hashed, expiring, counted.
- `dsr_events`: the request's own timeline (no personal values; the audit log has the proof).
- `dsr_progress`: per-system progress of an execution, so a rerun after a kill skips what is
  done and nothing runs twice.
- `dsr_packages`: encrypted answer packages and their single-use download tokens.
- `dsr_drafts`: an executed request's answer before an officer sends it (review, then send):
  the result, the sealed copy of the data and the letter's free fields; sent once.
- `dsr_send_quota`: how many code mails went to one address / for one request in the current
  hour, so the limits hold across processes (`steward.requests.limits`).
- `dsr_notifications`: one row per recipient told of a rectification, erasure or restriction
  (Art. 19): channel, state, attempts, when and how it was told, or why it was waived.
- `restrictions` / `dsr_objections`: Art. 18 restrictions and Art. 21 objections, by the consent
  ledger's subject reference, so consent checks deny processing; a restriction's lift is
  scheduled, noticed to the subject and only then done (Art. 18(3)).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from steward.store.db import Base

ID = BigInteger().with_variant(Integer, "sqlite")


class DsrRequest(Base):
    __tablename__ = "dsr_requests"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(30), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(5))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    # Free text and extra identifiers the subject gave; encrypted with the app key.
    details_enc: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # How the identity was verified, in words fit for the audit trail ("one-time code",
    # "checked by an officer"); the officer's own evidence text may hold ID numbers, so it is
    # kept only here, encrypted (`evidence_enc`), and never in the audit log.
    verification_evidence: Mapped[str | None] = mapped_column(String(500))
    evidence_enc: Mapped[str | None] = mapped_column(Text)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_noticed_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refusal_kind: Mapped[str | None] = mapped_column(String(20))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Art. 16: the requested changes (encrypted; the audit log holds field names and hashes).
    changes_enc: Mapped[str | None] = mapped_column(Text)
    # Art. 21: "direct_marketing" or "legitimate_interest"; compelling grounds when continuing.
    objection_scope: Mapped[str | None] = mapped_column(String(30))
    compelling_grounds: Mapped[str | None] = mapped_column(Text)
    plan_json: Mapped[str | None] = mapped_column(Text)  # dry run: no personal values
    result_json: Mapped[str | None] = mapped_column(Text)  # counts, kept rows, recipients
    letter: Mapped[str | None] = mapped_column(Text)  # the answer letter (encrypted)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    next_retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The "your answer is ready" mail, queued in the same transaction as the answer and cleared
    # once the mail server took it (`steward.requests.notices`): a mail outage loses nothing.
    notice_pending: Mapped[str | None] = mapped_column(String(30), index=True)
    notice_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    notice_next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notice_error: Mapped[str | None] = mapped_column(String(200))
    # Art. 12(3): how the request reached the controller (web, email, post, phone, in_person);
    # `channel` says which Steward interface recorded it.
    received_via: Mapped[str | None] = mapped_column(String(20))
    # Art. 12(5)(a): a reasonable fee asked for (amount as written, e.g. "25 EUR") and when it
    # was paid; the request waits in `awaiting_payment` meanwhile.
    fee_amount: Mapped[str | None] = mapped_column(String(40))
    fee_paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Art. 28(3)(e): an assisted request of a controller the company serves (its key in the
    # policy): searched in that controller's data only, answered to it, never to the subject.
    # `controller_due_on` is the controller's own deadline to its data subject (Art. 12(3));
    # `due_on` is then the company's deadline to assist (the DPA's, when it states one).
    controller: Mapped[str | None] = mapped_column(String(120), index=True)
    controller_due_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_dsr_requests_email_type", "email", "type"),)


class DsrIdentity(Base):
    """An identity value of the subject of a request: `given` with the request, or
    `discovered` in the company's systems during the search. The value is encrypted; its HMAC
    (`value_mac`) finds duplicates without decrypting."""

    __tablename__ = "dsr_identities"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(120))
    value_mac: Mapped[str] = mapped_column(String(64))
    value_enc: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # given | discovered
    # Proven to be the requester's: the e-mail confirmed by code, values an officer checked,
    # and values found through them. Only verified values start a search (Art. 15(4)).
    verified: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("request_id", "kind", "value_mac", name="uq_dsr_identities_value"),
    )


class DsrPause(Base):
    """A time the controller waited for the subject (Art. 12(6) identification, clarification,
    an Art. 12(5)(a) fee): asked on one day, answered on another (None while awaited). Whether
    it stops the clock is the jurisdiction's rule (`steward.requests.deadlines`)."""

    __tablename__ = "dsr_pauses"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # identification | clarification | fee
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    asked_on: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_on: Mapped[date | None] = mapped_column(Date)


class DsrCode(Base):
    __tablename__ = "dsr_codes"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # verify | download
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DsrSendQuota(Base):
    """One fixed one-hour window per key (`addr:<hmac of the address>` or `req:<id>`): the
    address itself is never stored here."""

    __tablename__ = "dsr_send_quota"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    count: Mapped[int] = mapped_column(Integer)


class DsrEvent(Base):
    __tablename__ = "dsr_events"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)


class DsrProgress(Base):
    __tablename__ = "dsr_progress"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    system: Mapped[str] = mapped_column(String(120))
    step: Mapped[str] = mapped_column(String(30))  # erase | restrict | rectify
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    counts_json: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("request_id", "system", "step", name="uq_dsr_progress_step"),
    )


class DsrPackage(Base):
    __tablename__ = "dsr_packages"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    downloaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DsrDraft(Base):
    """The answer of an executed request, held for the officer's review (`steward.requests.
    drafts`): nothing reaches the person before `sent_at` is set. `result_json` holds counts
    and keys only; the copy of the data (`data_enc`) and the free fields of the letter (a
    greeting and a paragraph, which may name the person) are sealed."""

    __tablename__ = "dsr_drafts"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    result_json: Mapped[str] = mapped_column(Text)
    data_enc: Mapped[str | None] = mapped_column(Text)
    greeting_enc: Mapped[str | None] = mapped_column(Text)
    note_enc: Mapped[str | None] = mapped_column(Text)
    edited_by: Mapped[str | None] = mapped_column(String(200))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("request_id", name="uq_dsr_drafts_request_id"),)


class Restriction(Base):
    """Art. 18. Named `restrictions` with a `subject_ref` column (the consent ledger's subject
    references, `email:<hmac>` / `acct:<id>`): the consent checks' built-in blocker reads it."""

    __tablename__ = "restrictions"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    subject_ref: Mapped[str] = mapped_column(String(120), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Art. 18(3): a lift is scheduled, the subject is told, and only then is it lifted.
    lift_scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lift_reason: Mapped[str | None] = mapped_column(Text)
    lift_noticed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by: Mapped[str | None] = mapped_column(String(200))


class DsrObjection(Base):
    __tablename__ = "dsr_objections"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    subject_ref: Mapped[str] = mapped_column(String(120), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"))
    scope: Mapped[str] = mapped_column(String(30))  # direct_marketing | legitimate_interest
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Art. 21(1): processing may continue only on compelling grounds an officer records.
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)


class DsrNotification(Base):
    """Art. 19: telling one recipient of a request's change. `status` is `pending` (to send or
    retry), `open` (an officer tells them and confirms), `sent` (told on `told_on`) or `waived`
    (not told: impossible or disproportionate effort, `waived_reason`). The notice itself (the
    subject's identities, corrected values) is sealed in `payload_enc` for retries, and
    emptied once the notification is sent or waived."""

    __tablename__ = "dsr_notifications"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(400))
    channel: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(String(200))
    payload_enc: Mapped[str] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(String(200))  # message id, HTTP status
    told_on: Mapped[date | None] = mapped_column(Date)
    told_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(200))  # officer who confirmed/waived
    waived_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("request_id", "recipient", name="uq_dsr_notifications_recipient"),
    )


class DsrAssignment(Base):
    """Who on the team handles a request (`user:<id>`, as audit actors are named); one row per
    request, replaced on reassignment. The audit log keeps every change."""

    __tablename__ = "dsr_assignments"

    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), primary_key=True)
    assignee: Mapped[str] = mapped_column(String(200), index=True)
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DsrNote(Base):
    """An internal note on a request, for the team only (never shown to the person). The text
    may name the person or their data, so it is sealed with the app key like the evidence."""

    __tablename__ = "dsr_notes"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text_enc: Mapped[str] = mapped_column(Text)


class DsrMessage(Base):
    """One message of a request's secure thread (seed §8: ordinary e-mail is not secure, so the
    officer and the person write here, and the mail only says a message is waiting). `author`
    is `officer` or `subject`; `kind` is `message`, `identification` or `clarification` (the
    last two ask for something under Art. 12(6) and stop a UK clock). The text is encrypted with
    the app key; `read_at` is when the other side first opened it."""

    __tablename__ = "dsr_messages"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    author: Mapped[str] = mapped_column(String(20))  # officer | subject
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    body_enc: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The "you have a new message" mail: when the mail server took it, or why it failed.
    notice_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notice_error: Mapped[str | None] = mapped_column(String(200))


class DsrAttachment(Base):
    """A file sent with a message, encrypted at rest in the data folder (`stored` names the
    file); deleted with the request's data (`steward.requests.messages.purge`)."""

    __tablename__ = "dsr_attachments"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("dsr_messages.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    stored: Mapped[str] = mapped_column(String(80))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DsrSubjectSession(Base):
    """The person signed in to one request after a code (one verification per journey): the
    cookie holds a random token, only its HMAC is kept here; deleting the row ends it."""

    __tablename__ = "dsr_subject_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("dsr_requests.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
