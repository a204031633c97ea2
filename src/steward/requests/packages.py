"""Access (Art. 15) and portability (Art. 20) packages: a zip with one JSON and one CSV file per
table, a readable HTML report with everything Art. 15(1)(a)-(h) and 15(2) require, and the
letter. Packages are encrypted at rest (Fernet, key derived from the app secret) and deleted
after the download window.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy.orm import Session

from steward import i18n
from steward.requests.letters import phrase
from steward.requests.tables import DsrPackage
from steward.store.sealing import Sealer

DOWNLOAD_DAYS = 30
LEFT_OUT_REASONS = ("basis", "secret", "derived", "staff")  # steward.requests.portability

# The readable Art. 15 report; autoescaped: every value from the systems is just text. Its
# headings are translated (steward.i18n) into the language of the answer.
_ENV = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
_ENV.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
_REPORT = _ENV.from_string((Path(__file__).parent / "report.html").read_text(encoding="utf-8"))


def _csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if rows:
        cols = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(
                {
                    k: ("" if v is None else json.dumps(v) if isinstance(v, list | dict) else v)
                    for k, v in r.items()
                }
            )
    return buf.getvalue()


def build_zip(
    data: dict[str, dict[str, list[dict[str, Any]]]],
    *,
    info: dict[str, Any],
    letter: str,
    lang: str,
    title: str,
    controller: str,
    none_text: str,
    copy_notes: list[str] | None = None,
    portable: dict[str, Any] | None = None,
) -> bytes:
    """The zip archive: data/<system>/<table>.json|csv, report.html, letter.txt.
    `copy_notes`: what the copy masks or leaves out and why (Art. 15(4)), shown in the report.
    For a portability answer, `portable` (`steward.requests.portability.explain`) says what the
    package holds and leaves out; it is also written as `portability.json`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for system, tables in data.items():
            for table, rows in tables.items():
                zf.writestr(
                    f"data/{system}/{table}.json", json.dumps(rows, ensure_ascii=False, indent=1)
                )
                zf.writestr(f"data/{system}/{table}.csv", _csv(rows))
        zf.writestr("information.json", json.dumps(info, ensure_ascii=False, indent=1))
        zf.writestr("letter.txt", letter)
        if portable is not None:
            zf.writestr("portability.json", json.dumps(portable, ensure_ascii=False, indent=1))
        with i18n.language(lang):
            report = _REPORT.render(
                lang=lang,
                title=title,
                controller=controller,
                letter=letter,
                info=info,
                data=data,
                generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                none_text=none_text,
                copy_notes=copy_notes or [],
                portable=portable,
                reasons={r: phrase(f"left_out_{r}", lang) for r in LEFT_OUT_REASONS},
            )
        zf.writestr("report.html", report)
    return buf.getvalue()


def package_dir(data_dir: Path) -> Path:
    folder = data_dir / "packages"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(sealer: Sealer, data_dir: Path, blob: bytes) -> tuple[str, int]:
    """Encrypt and write the package; return (file name, encrypted size). Written to a temp
    name and renamed, so a kill never leaves half a package under its real name."""
    name = f"{secrets.token_hex(16)}.bin"
    folder = package_dir(data_dir)
    sealed = sealer.seal(blob)
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(sealed)
    tmp.rename(folder / name)
    return name, len(sealed)


def keep(
    session: Session, sealer: Sealer, data_dir: Path, request_id: int, blob: bytes
) -> DsrPackage:
    """Store the package encrypted and record it for the request's download window
    (`DOWNLOAD_DAYS`): the one way an answer's package is kept, for the person or for a
    controller."""
    name, size = store(sealer, data_dir, blob)
    now = datetime.now(UTC)
    row = DsrPackage(
        request_id=request_id, filename=name, size=size, created_at=now, expires_at=expiry(now)
    )
    session.add(row)
    return row


def load(sealer: Sealer, data_dir: Path, name: str) -> bytes:
    return sealer.open((package_dir(data_dir) / name).read_bytes())


def remove(data_dir: Path, name: str) -> None:
    (package_dir(data_dir) / name).unlink(missing_ok=True)


def expiry(now: datetime) -> datetime:
    return now + timedelta(days=DOWNLOAD_DAYS)
