"""The commands of docs/guides/coming-from-fides.md, run as written against Fides' sample
company in PostgreSQL (only the database URL of the `export` line is this test's own)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.connectors.fides_sample.sample import DATASET, sample_database
from tests.policy.policy_helpers import BASE
from typer.testing import CliRunner

from steward.cli import app

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "coming-from-fides.md"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def sample_url(pg_server_url: str) -> Iterator[str]:
    with sample_database(pg_server_url) as url:
        yield url


def _run(lines: list[str], env: dict[str, str]) -> list[str]:
    outputs = []
    for line in lines:
        if line.startswith("export "):
            name = line.split()[1].split("=", 1)[0]
            assert name in env, f"the guide exports {name}, the test sets {sorted(env)}"
            continue
        args = shlex.split(line)
        assert args[0] == "steward", line
        result = CliRunner().invoke(app, args[1:], env=env)
        assert result.exit_code == 0, (line, result.output)
        outputs.append(result.stdout)
    return outputs


def test_the_guide_commands_work_as_written(
    sample_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / DATASET.name).write_text(DATASET.read_text())
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "acme.yaml").write_text(BASE)
    import_block, check_block = _blocks("bash")
    env = {"SHOP_DB_URL": sample_url}
    _run(import_block.strip().splitlines(), env)
    assert (tmp_path / "policy" / "shop.yaml").exists()
    validated, listed = _run(check_block.strip().splitlines(), env)
    assert validated.startswith("ok: acme")
    assert re.search(r"^shop .*tables: 11  reachable$", listed, re.M), listed

    # The `fides_dataset:` way, with the guide's own YAML block.
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / DATASET.name).write_text(DATASET.read_text())
    (system_block,) = _blocks("yaml")
    (tmp_path / "policy" / "shop.yaml").write_text(system_block)
    validated, listed = _run(check_block.strip().splitlines(), env)
    assert validated.startswith("ok: acme")
    assert re.search(r"^shop .*tables: 11  reachable$", listed, re.M), listed
