"""Offline vulnerability check of the installed dependencies against advisories kept in the
repository (security/advisories/*.yaml, OSV format as published by the PyPA advisory
database).

    python tools/audit_dependencies.py check           # run by `make lint`; exit 1 on a finding
    python tools/audit_dependencies.py refresh CLONE   # copy the advisories of every installed
                                                       # package from a clone of the database

A finding is an advisory whose ECOSYSTEM range or version list covers the installed version
of a package, unless security/accepted.toml names it with a reason (docs/security-advisories.md
records each decision). The check needs no network: the advisories are files in the tree.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
ADVISORIES = ROOT / "security" / "advisories"
ACCEPTED = ROOT / "security" / "accepted.toml"


@dataclass(frozen=True)
class Finding:
    advisory: str
    package: str
    version: str
    aliases: tuple[str, ...]


def installed() -> dict[str, str]:
    """Canonical package name -> installed version, for this interpreter's environment."""
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()
            if d.metadata["Name"]}


def _v(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def in_range(version: Version, events: Iterable[Mapping[str, str]]) -> bool:
    """OSV ECOSYSTEM range semantics: events in order; `introduced` opens an affected span,
    `fixed` closes it (exclusive), `last_affected` closes it (inclusive)."""
    affected = False
    for event in events:
        if "introduced" in event:
            start = event["introduced"]
            if start == "0" or ((v := _v(start)) is not None and version >= v):
                affected = True
        elif "fixed" in event and (v := _v(event["fixed"])) is not None and version >= v:
            affected = False
        elif ("last_affected" in event and (v := _v(event["last_affected"])) is not None
              and version > v):
            affected = False
    return affected


def affects(advisory: Mapping[str, Any], package: str, version: str) -> bool:
    parsed = _v(version)
    for entry in advisory.get("affected", []):
        pkg = entry.get("package", {})
        if pkg.get("ecosystem") != "PyPI" or canonicalize_name(pkg.get("name", "")) != package:
            continue
        if version in {str(v) for v in entry.get("versions", [])}:
            return True
        for rng in entry.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM" and parsed is not None and in_range(
                    parsed, rng.get("events", [])):
                return True
    return False


def load(folder: Path = ADVISORIES) -> Iterator[dict[str, Any]]:
    for path in sorted(folder.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "id" not in data:
            raise SystemExit(f"{path}: not an OSV advisory (no id)")
        yield data


def findings(packages: Mapping[str, str], advisories: Iterable[Mapping[str, Any]]
             ) -> list[Finding]:
    out = []
    for adv in advisories:
        names = {canonicalize_name(e.get("package", {}).get("name", ""))
                 for e in adv.get("affected", [])}
        for name in sorted(names & set(packages)):
            if affects(adv, name, packages[name]):
                out.append(Finding(str(adv["id"]), name, packages[name],
                                   tuple(str(a) for a in adv.get("aliases", []))))
    return out


def accepted(path: Path = ACCEPTED) -> dict[str, str]:
    """Advisory id -> the reason it does not apply to Steward."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {k: str(v["reason"]) for k, v in data.get("advisory", {}).items()}


def check() -> int:
    packages = installed()
    advisories = list(load())
    if not advisories:
        print(f"no advisories under {ADVISORIES.relative_to(ROOT)}: refresh them first")
        return 1
    ok = accepted()
    open_ = [f for f in findings(packages, advisories) if f.advisory not in ok]
    for f in open_:
        print(f"{f.package} {f.version}: {f.advisory} ({', '.join(f.aliases)})")
    print(f"{len(packages)} installed packages checked against {len(advisories)} advisories: "
          f"{len(open_)} finding(s), {len(ok)} accepted")
    return 1 if open_ else 0


def refresh(clone: Path) -> int:
    """Copy vulns/<package>/*.yaml of every installed package from a clone of the database."""
    vulns = clone / "vulns"
    if not vulns.is_dir():
        print(f"{clone}: no vulns/ folder (a clone of the PyPA advisory database?)")
        return 1
    by_name = {canonicalize_name(p.name): p for p in vulns.iterdir() if p.is_dir()}
    shutil.rmtree(ADVISORIES, ignore_errors=True)
    copied = 0
    for name in sorted(installed()):
        src = by_name.get(name)
        if src is None:
            continue
        for f in sorted(src.glob("*.yaml")):
            dest = ADVISORIES / name / f.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest)
            copied += 1
    print(f"{copied} advisories copied")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        return check()
    if argv[:1] == ["refresh"] and len(argv) == 2:
        return refresh(Path(argv[1]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
