"""A second ProMark policy version that adds a purpose, built from examples/promark, and the
demo company's systems to announce it to."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from tests.helpers import PROMARK

from steward.demo import build

TODAY = dt.date(2026, 11, 26)

# Product research: a new purpose on legitimate interests, using the CRM's names and
# addresses, with an opt-out consent purpose people can object through.
NEW_PURPOSE = """
purposes:
  - key: product_research
    title: {en: Product research interviews, da: Interviews om produktudvikling}
    description:
      en: We invite customers to short interviews about how they use our products.
      da: Vi inviterer kunder til korte interviews om, hvordan de bruger vores produkter.
    legal_bases: [f]
    legitimate_interests:
      - en: Improving our products with our customers
        da: At forbedre vores produkter sammen med kunderne
processing_activities:
  - key: product_research
    name: {en: Product research, da: Produktudvikling}
    purposes: [product_research]
    subjects: [customer]
    data_categories: [user.name, user.contact.email]
    systems: [crm]
consent:
  purposes:
    - key: product_research_invites
      title: {en: Product research invitations, da: Invitationer til produktinterviews}
      purpose: product_research
      mode: opt_out
      legal_basis: f
      channels: [email]
      wording:
        en: We may invite you to a product interview. You can object at any time.
        da: Vi kan invitere dig til et produktinterview. Du kan altid gøre indsigelse.
"""


def policy_v2(tmp: Path, extra: str = NEW_PURPOSE) -> Path:
    """examples/promark plus one file adding `extra` (files of a folder merge)."""
    folder = tmp / "promark-v2"
    shutil.copytree(PROMARK, folder)
    meta = folder / "policy.yaml"
    text = meta.read_text()
    assert 'version: "2020-02-20"' in text and "effective: 2020-02-20" in text
    meta.write_text(text.replace('version: "2020-02-20"', 'version: "2026-12-01"')
                    .replace("effective: 2020-02-20", "effective: 2026-12-01"))
    (folder / "zz-new-purpose.yaml").write_text(extra)
    return folder


def demo_company(data_dir: Path, customers: int = 40, seed: int = 7) -> Path:
    """The demo systems where the settings look for them (data_dir/demo)."""
    loc = build.in_dir(data_dir / "demo")
    build.build(loc, customers=customers, seed=seed, today=TODAY)
    return data_dir / "demo"
