"""Announcing new purposes before their processing starts (GDPR Art. 13(3), Art. 14(4)).

- `create_for_version`: publishing a version whose changes add a purpose (or widen one to new
  data categories or recipients, `changes.announced_changes`) creates a `planned` announcement
  per purpose. From then on the purpose is blocked ("not yet", `gate`) until its start date.
- `plan`: who will and who will not be told, per table, before anything is sent; `preview`
  does it for a policy not yet published, against the latest published version.
- `start`: the officer sends: the start date is fixed at sending time plus the policy's notice
  period (`notice.new_purposes_notice_days`) and recorded in the audit log.
- `run`: the mail run, in batches with a commit each (memory stays flat): people are read
  from the company's systems (`audience`), deduplicated through the recipient table by their
  subject reference, and mailed in their language over one SMTP connection per batch. Each
  send is recorded on its recipient row (time, Message-ID); a refused or failed mail is
  recorded with its next try (`RETRY_MINUTES`), and `retry_due` runs again later. A person
  told late gets a start date of their own (sending time plus the notice period): the
  announcement's date never moves.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from steward import audit, i18n
from steward.breaches.affected import system_dirs
from steward.config import Settings
from steward.consent.subjects import email_hasher
from steward.errors import Conflict, InvalidInput, NotFound, Unavailable
from steward.mail import Mailer
from steward.policy.models import Policy
from steward.publication import audience, mailtexts
from steward.publication.changes import NewUse, announced_changes
from steward.publication.tables import Announcement, AnnouncementRecipient, PolicyVersion
from steward.store.db import as_utc, transaction

PLANNED, SENDING, SENT = "planned", "sending", "sent"
PENDING, FAILED = "pending", "failed"
RETRY_MINUTES = (5, 15, 60, 240, 720)
BATCH = 500
REFUSED = "SMTPRecipientsRefused"


def create_for_version(session: Session, old: Policy, new: Policy, version: PolicyVersion,
                       *, actor: str = "system", now: datetime | None = None
                       ) -> list[Announcement]:
    """A planned announcement for each purpose `new` adds or widens compared with `old`."""
    now = now or datetime.now(UTC)
    out = []
    for use in announced_changes(old, new):
        row = Announcement(version_id=version.id, purpose=use.purpose, change=use.change,
                           details="\n".join(use.details), status=PLANNED,
                           notice_days=new.notice.new_purposes_notice_days, created_at=now,
                           all_on_time=False, subjects=0, without_address=0)
        session.add(row)
        session.flush()
        audit.append(session, actor=actor, action="announcement.planned",
                     subject_ref=f"announcement:{row.id}",
                     details={"purpose": use.purpose, "change": use.change,
                              "version_id": version.id})
        out.append(row)
    return out


def get(session: Session, announcement_id: int) -> Announcement:
    row = session.get(Announcement, announcement_id)
    if row is None:
        raise NotFound(f"no announcement {announcement_id}")
    return row


def listing(session: Session) -> list[Announcement]:
    """Newest first."""
    return list(session.scalars(select(Announcement).order_by(Announcement.id.desc())))


def for_version(session: Session, version_id: int) -> list[Announcement]:
    return list(session.scalars(select(Announcement)
                                .where(Announcement.version_id == version_id)
                                .order_by(Announcement.id)))


# --- who will be told --------------------------------------------------------------------------


@dataclass
class TableReach:
    system: str
    table: str
    people: int = 0
    without_address: int = 0
    reason: str | None = None  # why nobody in this table can be told by mail


@dataclass
class Plan:
    """Who will (not) be told: per table, and in total (an address counts once)."""

    purpose: str
    tables: list[TableReach] = field(default_factory=list)
    people: int = 0
    without_address: int = 0
    unavailable: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """What keeps people from being told, in the language in force (English outside a
        request or a `language()` block: the CLI)."""
        _ = i18n.gettext
        out = []
        if not self.tables:
            out.append(_("the purpose's activities name no system holding its data: nobody "
                         "will be told by mail; the public notice is the only information "
                         "(Art. 13(3))"))
        out += [f"{t.system}.{t.table}: {t.reason}" for t in self.tables if t.reason]
        out += [_("{system}: unavailable now, its people are not counted").format(system=s)
                for s in self.unavailable]
        if self.without_address:
            out.append(_("{n} row(s) have no e-mail address: those people will not be told by "
                         "mail").format(n=self.without_address))
        return out


def _dirs(settings: Settings, base_dir: Path | None,
          policy_dir: Path | None) -> tuple[Path | None, Path | None]:
    if base_dir is None:
        return system_dirs(settings)
    return base_dir, policy_dir


def plan(settings: Settings, policy: Policy, purpose: str, *, base_dir: Path | None = None,
         policy_dir: Path | None = None) -> Plan:
    """Count who the announcement of `purpose` reaches, without sending anything."""
    policy.purpose(purpose)  # NotFound for an unknown purpose
    base_dir, policy_dir = _dirs(settings, base_dir, policy_dir)
    out = Plan(purpose)
    seen: set[str] = set()
    for src in audience.sources(policy, purpose):
        reach = TableReach(src.system, src.table, reason=src.reason)
        out.tables.append(reach)
        if src.reason:
            continue
        try:
            for email, _lang, n in audience.people(policy, src, base_dir=base_dir,
                                                   policy_dir=policy_dir):
                if not email or "@" not in email:
                    reach.without_address += n
                    continue
                reach.people += 1
                seen.add(email.strip().lower())
        except Unavailable:
            out.unavailable.append(f"{src.system}.{src.table}")
        out.without_address += reach.without_address
    out.people = len(seen)
    return out


# --- sending -------------------------------------------------------------------------------------


def start(session: Session, announcement_id: int, *, actor: str,
          now: datetime | None = None) -> Announcement:
    """Fix the start date (now + the notice period) and mark the announcement for sending."""
    now = now or datetime.now(UTC)
    row = get(session, announcement_id)
    if row.status != PLANNED:
        raise Conflict(f"announcement {row.id} is already {row.status}")
    row.status = SENDING
    row.sending_at = now
    row.starts_at = now + timedelta(days=row.notice_days)
    session.flush()
    audit.append(session, actor=actor, action="announcement.started",
                 subject_ref=f"announcement:{row.id}",
                 details={"purpose": row.purpose, "starts_at": row.starts_at.isoformat(),
                          "notice_days": row.notice_days})
    return row


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    without_address: int = 0
    unavailable: list[str] = field(default_factory=list)
    error: str | None = None


def run(sm: sessionmaker[Session], settings: Settings, policy: Policy, announcement_id: int,
        *, now: datetime | None = None, mailer: Mailer | None = None,
        base_dir: Path | None = None, policy_dir: Path | None = None,
        batch: int = BATCH) -> RunResult:
    """Send the announcement to everyone not yet told (pending, or failed and due again).
    Safe to run again at any time: nobody gets it twice."""
    with transaction(sm) as s:
        ann = get(s, announcement_id)
        if ann.status == PLANNED:
            raise InvalidInput("Start the announcement first: its start date is fixed then.")
        purpose, version_id, change = ann.purpose, ann.version_id, ann.change
        starts_at, days = as_utc(ann.starts_at), ann.notice_days
        assert starts_at is not None
    base_dir, policy_dir = _dirs(settings, base_dir, policy_dir)
    mailer = mailer or Mailer(settings)
    result = RunResult()
    hasher = email_hasher(settings.resolved_secret_key())
    composer = _Composer(settings, policy, purpose, change, version_id, starts_at)
    with mailer.connection() as send:
        for src in audience.sources(policy, purpose):
            if src.reason or result.error:
                continue
            try:
                chunk: list[tuple[str, str]] = []
                for email, lang, n in audience.people(policy, src, base_dir=base_dir,
                                                      policy_dir=policy_dir):
                    if not email or "@" not in email:
                        result.without_address += n
                        continue
                    chunk.append((email.strip().lower(), lang))
                    if len(chunk) >= batch:
                        _batch(sm, announcement_id, chunk, hasher, composer, mailer, send,
                               days, starts_at, result, now)
                        chunk = []
                        if result.error:
                            break
                if chunk and not result.error:
                    _batch(sm, announcement_id, chunk, hasher, composer, mailer, send, days,
                           starts_at, result, now)
            except Unavailable:
                result.unavailable.append(f"{src.system}.{src.table}")
    _finish(sm, announcement_id, result, starts_at)
    return result


def _batch(sm: sessionmaker[Session], announcement_id: int, chunk: list[tuple[str, str]],
           hasher: hmac.HMAC, composer: _Composer, mailer: Mailer,
           send: Callable[[EmailMessage], None], days: int, starts_at: datetime,
           result: RunResult, now: datetime | None) -> None:
    """One batch in one transaction: new people recorded as pending, then everyone due is
    mailed; sends and failures are committed together at the end of the batch."""
    refs: dict[str, tuple[str, str]] = {}
    for email, lang in chunk:
        h = hasher.copy()
        h.update(email.encode())
        refs.setdefault("email:" + h.hexdigest(), (email, lang))
    with transaction(sm) as s:
        rows = {r.subject_ref: r for r in s.scalars(
            select(AnnouncementRecipient)
            .where(AnnouncementRecipient.announcement_id == announcement_id)
            .where(AnnouncementRecipient.subject_ref.in_(list(refs))))}
        at = now or datetime.now(UTC)
        for ref, (_email, lang) in refs.items():
            if ref not in rows:
                row = AnnouncementRecipient(announcement_id=announcement_id, subject_ref=ref,
                                            language=lang, status=PENDING, attempts=0)
                s.add(row)
                rows[ref] = row
        for ref, row in rows.items():
            if row.status == "sent" or (row.status == FAILED and row.next_at is not None
                                        and as_utc(row.next_at) > at):
                result.skipped += 1
                continue
            email = refs[ref][0]
            subject, text, headers = composer.mail(row.language, ref)
            msg = mailer.build(to=email, subject=subject, text=text, headers=headers)
            try:
                send(msg)
            except Unavailable as err:
                row.attempts = (row.attempts or 0) + 1
                row.status = FAILED
                delay = RETRY_MINUTES[min(row.attempts - 1, len(RETRY_MINUTES) - 1)]
                row.next_at = at + timedelta(minutes=delay)
                row.error = err.detail[:200]
                result.failed += 1
                if REFUSED not in err.detail:  # the server is down: stop, retry later
                    result.error = err.detail
                    break
                continue
            sent_at = now or datetime.now(UTC)
            row.status, row.sent_at, row.error, row.next_at = "sent", sent_at, None, None
            row.message_id = str(msg["Message-ID"])[:300]
            row.starts_at = max(starts_at, sent_at + timedelta(days=days))
            result.sent += 1


def _finish(sm: sessionmaker[Session], announcement_id: int, result: RunResult,
            starts_at: datetime) -> None:
    with transaction(sm) as s:
        ann = get(s, announcement_id)
        base = select(func.count()).select_from(AnnouncementRecipient).where(
            AnnouncementRecipient.announcement_id == announcement_id)
        total = s.scalar(base) or 0
        open_ = s.scalar(base.where(AnnouncementRecipient.status != "sent")) or 0
        late = s.scalar(base.where(AnnouncementRecipient.status == "sent")
                        .where(AnnouncementRecipient.starts_at > starts_at.astimezone(UTC))) or 0
        ann.subjects = total
        ann.without_address = result.without_address
        if not open_ and not result.unavailable and not result.error:
            ann.status = SENT
        ann.all_on_time = ann.status == SENT and not late
        audit.append(s, actor="steward", action="announcement.mailed",
                     subject_ref=f"announcement:{ann.id}",
                     details={"sent": result.sent, "failed": result.failed,
                              "skipped": result.skipped, "open": open_, "late": late,
                              "unavailable": result.unavailable})


def due(session: Session, now: datetime | None = None) -> list[int]:
    """Announcements with mail still to send (pending, or failed and due for a retry)."""
    now = now or datetime.now(UTC)
    ids = []
    for ann in session.scalars(select(Announcement).where(Announcement.status == SENDING)):
        nexts = session.scalars(
            select(AnnouncementRecipient.next_at)
            .where(AnnouncementRecipient.announcement_id == ann.id)
            .where(AnnouncementRecipient.status == FAILED))
        failed = list(nexts)
        if not failed or any(n is None or as_utc(n) <= now for n in failed):
            ids.append(ann.id)
    return ids


def retry_due(sm: sessionmaker[Session], settings: Settings, policy: Policy, *,
              now: datetime | None = None) -> dict[int, RunResult]:
    """Run every announcement that has mail due; what the job runner schedules."""
    with transaction(sm) as s:
        ids = due(s, now)
    known = {p.key for p in policy.purposes}
    out = {}
    for aid in ids:
        with transaction(sm) as s:
            if get(s, aid).purpose not in known:
                continue  # a later policy dropped the purpose: nothing to announce
        out[aid] = run(sm, settings, policy, aid, now=now)
    return out


def counts(session: Session, announcement_id: int) -> dict[str, int]:
    """Recipients by status, and how many objected before the start (from the consent
    state of the consent purposes serving the announced purpose)."""
    from steward.consent.tables import ConsentState

    out = {PENDING: 0, "sent": 0, FAILED: 0}
    for status, n in session.execute(
            select(AnnouncementRecipient.status, func.count())
            .where(AnnouncementRecipient.announcement_id == announcement_id)
            .group_by(AnnouncementRecipient.status)):
        out[status] = n
    return out | {"objected": session.scalar(
        select(func.count()).select_from(AnnouncementRecipient)
        .join(ConsentState, ConsentState.subject_ref == AnnouncementRecipient.subject_ref)
        .where(AnnouncementRecipient.announcement_id == announcement_id)
        .where(ConsentState.state.in_(("objected", "withdrawn", "refused")))) or 0}


def reset_failed(session: Session, announcement_id: int) -> int:
    """Make every failed recipient due now (the officer's "retry now")."""
    res = session.execute(update(AnnouncementRecipient)
                          .where(AnnouncementRecipient.announcement_id == announcement_id)
                          .where(AnnouncementRecipient.status == FAILED)
                          .values(next_at=None))
    return int(getattr(res, "rowcount", 0) or 0)


# --- the mail ------------------------------------------------------------------------------------


class _Composer:
    """Builds each person's mail; the texts per language are made once."""

    def __init__(self, settings: Settings, policy: Policy, purpose: str, change: str,
                 version_id: int, starts_at: datetime) -> None:
        from steward.consent.mails import marketing_headers, unsubscribe_urls

        self.settings, self.policy = settings, policy
        self.purpose = policy.purpose(purpose)
        self.version_id = version_id
        self.change = change
        self.date = starts_at.date().isoformat()
        cps = [c for c in policy.consent.purposes if c.purpose == purpose]
        self.consent = cps[0] if cps else None
        self.marketing = bool(
            (self.consent and self.consent.direct_marketing)
            or (self.purpose.data_use or "").startswith("marketing"))
        self._urls: dict[str, Callable[[str], str]] = {}
        self._headers = marketing_headers
        if self.consent is not None:
            for lang in mailtexts.TEXTS:
                self._urls[lang] = unsubscribe_urls(settings, self.consent.key, lang)
        self._texts: dict[str, tuple[str, str]] = {}

    def _text(self, lang: str) -> tuple[str, str]:
        if lang not in self._texts:
            p, pol = self.purpose, self.policy
            c = pol.controller
            f = {"controller": c.name, "date": self.date}
            change = self.change
            subject = mailtexts.text(lang, f"subject_{change}", policy=pol, **f)
            with i18n.language(lang, pol.texts):
                bases = ", ".join(mailtexts.BASES.text(lang, b.value) for b in p.legal_bases)
            base_url = self.settings.base_url.rstrip("/")
            body = [mailtexts.text(lang, f"intro_{change}", policy=pol, **f), "",
                    pol.text(p.title, lang), pol.text(p.description, lang), "",
                    mailtexts.text(lang, "basis", policy=pol, bases=bases), "",
                    mailtexts.text(lang, "object", policy=pol, **f)]
            if self.consent is None:
                body.append(mailtexts.text(lang, "object_contact", policy=pol,
                                           contact=_contact(pol), center=f"{base_url}/privacy"))
            body += ["", mailtexts.text(
                lang, "notice", policy=pol,
                link=f"{base_url}/privacy/versions/{self.version_id}")]
            self._texts[lang] = (subject, "\n".join(body))
        return self._texts[lang]

    def mail(self, lang: str, ref: str) -> tuple[str, str, dict[str, str]]:
        subject, body = self._text(lang)
        headers: dict[str, str] = {}
        if self.consent is not None:
            link = self._urls[lang](ref)
            body += "\n" + mailtexts.text(lang, "object_link", policy=self.policy,
                                           link=link) + "\n"
            if self.marketing:  # RFC 8058 one-click unsubscribe for marketing-related mail
                headers = self._headers(self.settings, ref, self.consent.key, lang)
        return subject, body, headers



def _contact(policy: Policy) -> str:
    c = policy.controller
    for who in (c.privacy_contact, c.dpo):
        if who and who.email:
            return who.email
    return c.email or c.name


def preview(session: Session, settings: Settings, new: Policy, *, against: Policy | None = None,
            base_dir: Path | None = None, policy_dir: Path | None = None
            ) -> list[tuple[NewUse, Plan]]:
    """Before publishing `new`: what it would announce, compared with `against` (default: the
    latest published version), and who each announcement would and would not reach."""
    if against is None:
        latest = session.scalar(select(PolicyVersion).order_by(PolicyVersion.id.desc()))
        if latest is None:
            return []  # the first version announces nothing: its notice is the information
        against = Policy.model_validate(json.loads(latest.document))
    return [(use, plan(settings, new, use.purpose, base_dir=base_dir, policy_dir=policy_dir))
            for use in announced_changes(against, new)]
