"""The documentation site builds with no warning (`mkdocs build --strict`: a broken link, an
anchor that does not exist or a page left out of the nav fails), and the generated reference
pages match the code they are generated from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.docs.console import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import docs_reference  # noqa: E402


def test_site_builds_strict(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert (tmp_path / "site" / "reference" / "policy" / "index.html").exists()
    assert (tmp_path / "site" / "guides" / "connect-sql" / "index.html").exists()


def test_reference_pages_are_up_to_date() -> None:
    stale = [name for name, make in docs_reference.PAGES.items()
             if (docs_reference.OUT / name).read_text(encoding="utf-8") != make()]
    assert not stale, f"out of date: {stale}; run `make docs` (scripts/docs_reference.py)"


def test_policy_reference_covers_every_schema_field() -> None:
    schema = docs_reference._schema()
    page = (docs_reference.OUT / "policy.md").read_text(encoding="utf-8")
    for name, node in schema["$defs"].items():
        for field in node.get("properties", {}):
            assert f"## {name}\n" in page and f"| `{field}`" in page, f"{name}.{field}"
    rows = [r.split(" | ") for r in page.splitlines() if r.startswith("| `")]
    assert all(len(r) == 5 and r[2].strip() and r[4].strip(" |") for r in rows), [
        r[0] for r in rows if len(r) != 5 or not r[2].strip() or not r[4].strip(" |")]
    # The meaning of a key the model leaves undescribed comes from the supplement.
    assert "| `stop_the_clock` | boolean | the request clock starts when requested " in page
    assert "| Art. 12(6), UK GDPR Art. 12A |" in page


def test_articles_are_read_from_meanings() -> None:
    arts = docs_reference._articles
    assert arts("purposes and legal bases (Art. 13(1)(c)-(d))") == "Art. 13(1)(c)-(d)"
    assert arts("(Art. 12(6), Art. 15); none declared") == "Art. 12(6), Art. 15"
    assert arts("GDPR Art. 9(2)(b) and Reg. 1182/71 Art. 3(4)") == (
        "Art. 9(2)(b), Reg. 1182/71 Art. 3(4)")
    assert arts("the Art. 6(1) letters (Art. 28(2), 28(4))") == "Art. 6(1), Art. 28(2), 28(4)"
