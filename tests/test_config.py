"""The generated secret key: owner-only, never empty, one key however many processes start."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from steward.config import Settings
from steward.errors import InvalidInput


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generated_key_is_kept_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    key = settings.resolved_secret_key()
    path = tmp_path / "var" / "secret_key"
    assert len(key) >= 48 and path.read_text() == key and _mode(path) == 0o600
    assert Settings(data_dir=tmp_path / "var").resolved_secret_key() == key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temp file left


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: Settings(data_dir=tmp_path).resolved_secret_key(),
                            range(32)))
    assert len(keys) == 1


def test_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(InvalidInput, match="is empty"):
        Settings(data_dir=tmp_path).resolved_secret_key()


def test_a_key_file_readable_by_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("k" * 64)
    path.chmod(0o644)
    assert Settings(data_dir=tmp_path).resolved_secret_key() == "k" * 64
    assert _mode(path) == 0o600


def test_a_configured_key_wins_and_writes_nothing(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path / "v", secret_key="configured").resolved_secret_key() == (
        "configured"
    )
    assert not (tmp_path / "v").exists()
