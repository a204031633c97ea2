"""Notice snapshots: exactly the text and choices a person was shown, stored once by sha256.

A notice is built from the policy (a consent purpose's wording, or the cookie banner's texts in
one language); pages render the snapshot's content itself, so what is stored is what was shown.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward import i18n
from steward.consent.purposes import resolve
from steward.consent.tables import ConsentSnapshot
from steward.i18n import N_
from steward.policy.models import Policy

CHOICES_OPT_IN = ["give", "decline"]
CHOICES_OPT_OUT = ["object", "no objection"]
# Art. 7(3): the subject is told before consenting that they may withdraw at any time; in the
# notice's language from the catalogs (English where there is none), or the policy's wording.
WITHDRAW_NOTE = N_(
    "You can withdraw your consent at any time, as easily as you gave it (GDPR Art. 7(3))."
)


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


@dataclass(frozen=True)
class Notice:
    """A notice as shown: identity, version, language and its content (JSON-able)."""

    notice_id: str
    version: str
    language: str
    content: dict[str, Any]

    @cached_property
    def text(self) -> str:
        return canonical(self.content)

    @cached_property
    def sha256(self) -> str:
        return sha256_of(self.text)


def withdraw_note(policy: Policy, lang: str) -> str:
    """The Art. 7(3) sentence in `lang`, the policy's own wording first."""
    with i18n.language(lang, policy.texts):
        return i18n.gettext(WITHDRAW_NOTE)


def purpose_notice(policy: Policy, key: str, lang: str | None = None) -> Notice:
    """The notice for one consent purpose in `lang` (the policy's default when unknown)."""
    lang = lang if lang in policy.policy.languages else policy.policy.default_language
    p = policy.consent_purpose(key)
    info = resolve(policy, key, lang)
    base = policy.purpose(p.purpose) if any(x.key == p.purpose for x in policy.purposes) else None
    content = {
        "controller": policy.controller.name,
        "purpose": key,
        "title": policy.text(p.title, lang),
        "wording": policy.text(p.wording, lang) or policy.text(base.description if base else None,
                                                              lang),
        "legal_basis": f"GDPR Art. 6(1)({p.legal_basis.value})",
        "channels": list(p.channels),
        "choices": CHOICES_OPT_IN if not info.legitimate_interest else CHOICES_OPT_OUT,
        "withdrawal": withdraw_note(policy, lang),
    }
    return Notice(info.notice_id, str(p.version), lang, content)


def find(session: Session, sha: str) -> ConsentSnapshot | None:
    return session.get(ConsentSnapshot, sha)


def listing(session: Session, notice_id: str | None = None) -> list[ConsentSnapshot]:
    q = select(ConsentSnapshot).order_by(ConsentSnapshot.notice_id,
                                         ConsentSnapshot.created_at.desc())
    if notice_id:
        q = q.where(ConsentSnapshot.notice_id == notice_id)
    return list(session.scalars(q))


def version_exists(session: Session, notice_id: str, version: str) -> bool:
    return session.scalar(
        select(ConsentSnapshot.sha256).where(
            ConsentSnapshot.notice_id == notice_id, ConsentSnapshot.notice_version == version
        ).limit(1)
    ) is not None
