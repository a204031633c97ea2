"""The layers are a checked rule: the import-linter contracts in pyproject.toml hold, and every
capability's tables reach the store's metadata through the `steward.tables` entry points."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

from steward.store.schema import GROUP, metadata

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "steward"


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"]
    assert len(contracts) > 3  # the edges, the rules, the layers, one per capability
    assert f"Contracts: {len(contracts)} kept, 0 broken." in done.stdout


def test_every_tables_module_is_registered() -> None:
    # Found on disk, not from the registry: a capability that forgets to register fails here.
    on_disk = {f"steward.{p.parent.name}.tables" for p in SRC.glob("*/tables.py")}
    registered = {ep.value for ep in entry_points(group=GROUP)}
    assert on_disk and on_disk == registered


def test_registered_tables_reach_the_metadata() -> None:
    # Each tables module's own declarations, read from its source, are in the metadata.
    for path in SRC.glob("*/tables.py"):
        names = [line.split("=", 1)[1].strip().strip("\"'")
                 for line in path.read_text().splitlines()
                 if line.strip().startswith("__tablename__")]
        assert names, path
        missing = [n for n in names if n not in metadata.tables]
        assert not missing, (path.parent.name, missing)
