"""What reaches the subject: e-mails that carry no personal data (a code, "your answer is
ready" with a link), and the package download through a single-use, expiring link after a
fresh code (seed §8: ordinary e-mail is not secure).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from steward import audit, i18n
from steward.config import Settings
from steward.errors import NotFound
from steward.i18n import N_
from steward.mail import Mailer
from steward.policy.models import Policy
from steward.requests import messages, packages
from steward.requests.states import record, ref
from steward.requests.tables import DsrPackage, DsrRequest
from steward.requests.verification import CODE_MINUTES
from steward.store.db import as_utc, rows_matched, transaction
from steward.store.sealing import Sealer

TOKEN_MINUTES = 15
# The `Table` itself (`__table__` is typed as any FromClause), for Core statements.
_PACKAGES = DsrPackage.metadata.tables[DsrPackage.__tablename__]
_GONE = "this download link is not valid any more; ask for a new one"

# Written in English, translated in the catalogs (steward.i18n); the policy may reword them.
_TEXTS = i18n.Texts(
    {
        "subject_code": N_("Your verification code"),
        "subject_ready": N_("The answer to your privacy request is ready"),
        "subject_extension": N_("We need more time for your privacy request"),
        "subject_fee": N_("A fee for your privacy request"),
        "subject_lift": N_("We will lift the restriction of processing of your data"),
        "subject_lift_assisted": N_(
            "We will lift the restriction of processing of a request you passed on"
        ),
        "lift": N_(
            "You asked us to restrict the processing of your data. We are telling you, as GDPR "
            "Art. 18(3) requires, before we lift that restriction. Our reason: {reason}\n\n"
            "Your request in our privacy center: {link}\n"
            "You may object (GDPR Art. 21) or ask for erasure (GDPR Art. 17) there.\n\n{controller}"
        ),
        "lift_assisted": N_(
            "{client} passed on to us a request to restrict the processing of a data subject's "
            "data, and we restricted it in our systems. Before we lift that restriction, we tell "
            "you, so that {client} can inform the data subject as GDPR Art. 18(3) requires "
            "(Art. 28(3)(e)). Our reason: {reason}\n\n"
            "The request in our privacy center: {link}\n\n{controller}"
        ),
        "code": N_(
            "Your code is {code}. Enter it at {link} within {minutes} minutes.\n\n"
            "If you did not make a privacy request to {controller}, ignore this message.\n\n{note}"
        ),
        # An assisted request (GDPR Art. 28(3)(e)): its mails go to the controller's contact, who
        # passed the request on, not to the data subject.
        "code_assisted": N_(
            "Your code is {code}. Enter it at {link} within {minutes} minutes to see the request "
            "{id} that {client} passed on to {controller}.\n\n"
            "If {client} did not pass a request on to {controller}, ignore this message.\n\n{note}"
        ),
        "ready": N_(
            "The answer to your request is ready in our privacy center: {link}\n"
            "For your safety we send nothing personal by e-mail; you will confirm with a fresh "
            "code before you can read or download it.\n\n{controller}"
        ),
        "note": N_(
            "Please note that ordinary e-mail is not secure communication: do not send personal or "
            "sensitive information by e-mail."
        ),
    }
)


def _lang(lang: str) -> str:
    return lang if lang in _TEXTS else "en"


def _t(policy: Policy, lang: str, key: str) -> str:
    """One text in `lang`, the policy's own wording first."""
    with i18n.language(lang, policy.texts):
        return _TEXTS.text(_lang(lang), key)


def note(policy: Policy, lang: str, *, assisted: bool = False) -> str:
    """The e-mail security note. The policy's own wording speaks to its data subjects; for an
    assisted request (Art. 28(3)(e)), whose reader is the controller's contact, the catalog's
    note, which speaks to no one in particular."""
    if assisted:
        return _t(policy, lang, "note")
    return policy.text(policy.notice.email_security_note, lang) or _t(policy, lang, "note")


def status_link(settings: Settings, public_id: str) -> str:
    return f"{settings.base_url.rstrip('/')}/privacy/requests/{public_id}"


class _Mail(TypedDict):
    """The keyword arguments of `Mailer.send` / `Mailer.build` for a plain-text mail."""

    to: str
    subject: str
    text: str


def _code_mail(
    settings: Settings,
    policy: Policy,
    *,
    email: str,
    public_id: str,
    code: str,
    lang: str,
    client: str | None = None,
) -> _Mail:
    """`client`: the name of the controller that passed the request on (Art. 28(3)(e)); the
    mail then speaks to its contact, never as if to the data subject."""
    lg = _lang(lang)
    text = (
        _t(policy, lg, "code_assisted").format(
            code=code,
            link=status_link(settings, public_id),
            minutes=CODE_MINUTES,
            id=public_id[:8],
            client=client,
            controller=policy.controller.name,
            note=note(policy, lg, assisted=True),
        )
        if client
        else _t(policy, lg, "code").format(
            code=code,
            link=status_link(settings, public_id),
            minutes=CODE_MINUTES,
            controller=policy.controller.name,
            note=note(policy, lg),
        )
    )
    return {"to": email, "subject": f"{_t(policy, lg, 'subject_code')}: {code}", "text": text}


def send_code(
    settings: Settings,
    policy: Policy,
    *,
    email: str,
    public_id: str,
    code: str,
    lang: str,
    client: str | None = None,
) -> None:
    Mailer(settings).send(
        **_code_mail(
            settings,
            policy,
            email=email,
            public_id=public_id,
            code=code,
            lang=lang,
            client=client,
        )
    )


def render_code(
    settings: Settings,
    policy: Policy,
    *,
    email: str,
    public_id: str,
    lang: str,
    client: str | None = None,
) -> bytes:
    """Build (and serialize) a code mail with a throwaway code without sending it: the work a
    held-back mail stands in for, so answers take comparable time (`steward.requests.limits`)."""
    throwaway = "".join(secrets.choice("0123456789") for _ in range(8))
    mail = _code_mail(
        settings,
        policy,
        email=email,
        public_id=public_id,
        code=throwaway,
        lang=lang,
        client=client,
    )
    return bytes(Mailer(settings).build(**mail))


def send_ready(
    settings: Settings, policy: Policy, *, email: str, public_id: str, lang: str
) -> None:
    """Tell the subject the answer is ready; raises Unavailable when mail is down (the caller
    keeps the notice pending, `steward.requests.notices`)."""
    lg = _lang(lang)
    Mailer(settings).send(
        to=email,
        subject=_t(policy, lg, "subject_ready"),
        text=_t(policy, lg, "ready").format(
            link=status_link(settings, public_id), controller=policy.controller.name
        ),
    )


def send_lift_notice(
    settings: Settings,
    policy: Policy,
    *,
    email: str,
    public_id: str,
    lang: str,
    reason: str,
    client: str | None = None,
) -> None:
    """GDPR Art. 18(3): tell the subject, before it happens, that the restriction of processing
    will be lifted, and why; for an assisted request, tell the controller `client` that passed
    it on, whose duty the notice to its data subject is (Art. 28(3)(e)). Raises Unavailable
    when mail is down."""
    lg = _lang(lang)
    Mailer(settings).send(
        to=email,
        subject=_t(policy, lg, "subject_lift_assisted" if client else "subject_lift"),
        text=_t(policy, lg, "lift_assisted" if client else "lift").format(
            reason=reason,
            link=status_link(settings, public_id),
            controller=policy.controller.name,
            client=client,
        ),
    )


def send_extension(settings: Settings, policy: Policy, *, email: str, lang: str, text: str) -> None:
    lg = _lang(lang)
    Mailer(settings).send(
        to=email,
        subject=_t(policy, lg, "subject_extension"),
        text=text + "\n\n" + policy.controller.name,
    )


def send_fee(settings: Settings, policy: Policy, *, email: str, lang: str, text: str) -> None:
    """GDPR Art. 12(5)(a): the letter asking for a fee (amount, reason, the right to
    complain)."""
    lg = _lang(lang)
    Mailer(settings).send(to=email, subject=_t(policy, lg, "subject_fee"), text=text)


# --- download ---------------------------------------------------------------------------------


def current_package(
    session: Session, req: DsrRequest, now: datetime | None = None
) -> DsrPackage | None:
    now = now or datetime.now(UTC)
    pkg = session.scalars(
        select(DsrPackage)
        .where(DsrPackage.request_id == req.id)
        .order_by(DsrPackage.id.desc())
        .limit(1)
    ).first()
    if pkg is None or pkg.deleted_at is not None or as_utc(pkg.expires_at) < now:
        return None
    return pkg


def grant_download(
    session: Session, sealer: Sealer, req: DsrRequest, now: datetime | None = None
) -> str:
    """After a fresh code: a single-use token valid for TOKEN_MINUTES (only its HMAC is kept)."""
    now = now or datetime.now(UTC)
    pkg = current_package(session, req, now)
    if pkg is None:
        raise NotFound("there is no package to download (it may have expired)")
    token = secrets.token_urlsafe(32)
    pkg.token_hash = sealer.mac("download", token)
    pkg.token_expires_at = now + timedelta(minutes=TOKEN_MINUTES)
    record(session, req, "download_granted", "subject")
    return token


def redeem(
    session: Session, sealer: Sealer, data_dir: object, token: str, now: datetime | None = None
) -> tuple[str, bytes]:
    """Use a download token once: return (file name, zip bytes). Unknown, used or expired
    tokens all give the same NotFound."""
    now = now or datetime.now(UTC)
    digest = sealer.mac("download", token or "")
    pkg = session.scalars(select(DsrPackage).where(DsrPackage.token_hash == digest)).first()
    if (
        pkg is None
        or pkg.token_expires_at is None
        or as_utc(pkg.token_expires_at) < now
        or pkg.deleted_at is not None
        or not hmac.compare_digest(pkg.token_hash or "", digest)
    ):
        raise NotFound(_GONE)
    pkg_id, request_id, filename = pkg.id, pkg.request_id, pkg.filename
    # Claim the token with one conditional UPDATE (it still holds this token): the database
    # applies it atomically, so of parallel downloads with one token exactly one changes the
    # row; the others see no row changed and get the same NotFound. (A read-then-write let
    # parallel requests all see the token unused.)
    claimed = rows_matched(
        session.execute(
            update(_PACKAGES)
            .where(_PACKAGES.c.id == pkg_id, _PACKAGES.c.token_hash == digest)
            .values(token_hash=None, token_expires_at=None, downloaded_at=now)
        )
    )
    session.expire(pkg)
    if claimed != 1:
        raise NotFound(_GONE)
    req = session.get_one(DsrRequest, request_id)
    blob = packages.load(sealer, data_dir, filename)  # type: ignore[arg-type]
    record(session, req, "downloaded", "subject", details={"bytes": len(blob)})
    return f"{req.type}-{req.public_id[:8]}.zip", blob


def purge_expired(
    sm: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """Delete packages past their download window, and the message attachments of requests
    closed as long ago (`steward.requests.messages.purge`); a job calls this daily."""
    now = now or datetime.now(UTC)
    n = 0
    with transaction(sm) as s:
        for pkg in s.scalars(select(DsrPackage).where(DsrPackage.deleted_at.is_(None))):
            if as_utc(pkg.expires_at) < now:
                packages.remove(settings.data_dir, pkg.filename)
                pkg.deleted_at = now
                pkg.token_hash = None
                audit.append(
                    s,
                    actor="steward",
                    action="dsr.package_deleted",
                    subject_ref=ref(s.get_one(DsrRequest, pkg.request_id)),
                )
                n += 1
        n += messages.purge(s, settings, now)
    return n
