"""The outbox holds verification codes and addresses in clear: owner-only folder and files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from steward.config import Settings
from steward.mail import Mailer, list_outbox


def test_outbox_files_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    old = os.umask(0o022)  # the usual umask would make files world-readable
    try:
        Mailer(settings).send(to="jane.roe@example.com", subject="Your verification code",
                              text="Your code is 12345678.")
    finally:
        os.umask(old)
    folder = settings.outbox_dir
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert len(files) == 1 and files[0].suffix == ".eml"
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    [msg] = list_outbox(settings)
    assert msg.to == "jane.roe@example.com" and "12345678" in msg.body


def test_an_existing_open_outbox_folder_is_closed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    settings.outbox_dir.mkdir(mode=0o755)
    settings.outbox_dir.chmod(0o755)
    Mailer(settings).send(to="john.doe@example.com", subject="s", text="t")
    assert stat.S_IMODE(settings.outbox_dir.stat().st_mode) == 0o700
