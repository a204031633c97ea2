"""Arts. 13-14 and 21(4): the notice carries every item the law lists, in the page the privacy
center serves and in `steward policy render`; `steward policy validate` names each item a
policy lacks, by file:line."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.helpers import make_client

from policy.policy_helpers import PROMARK, line_of
from policy.test_cli import steward

# Hand-written: one phrase per item of Art. 13(1)-(2), 14(2)(f) and 21(4), as the ProMark
# notice must show it (the law's item -> the words a reader finds).
PROMARK_ITEMS = {
    "13(1)(a) identity and contact": ["ProMark A/S", "Maglebjergvej 11", "+45 4690 0000"],
    "13(1)(b) contact point": ["privacy@promark.example"],
    "13(1)(c) purposes and legal basis": ["Processing of job applications",
                                          "GDPR Art. 6(1)(b) and (c)"],
    "13(1)(d) legitimate interests": ["to develop and improve our digital services"],
    "13(1)(e) recipients": ["Ledgerly AS (ledgerly.example)", "NordHost A/S"],
    "13(1)(f) transfers and a copy": [
        "Transfers outside the EU/EEA (GDPR Art. 13(1)(f))",
        "CloudSend Inc. (cloudsend.example), United States: standard contractual clauses "
        "(GDPR Art. 46(2)(c))",
        "You can get a copy of these safeguards by writing to privacy@promark.example"],
    "13(2)(a) retention": ["deleted no later than 10 years plus the current year after the "
                           "case was closed"],
    "13(2)(b) rights": ["access to your personal data (GDPR Art. 15)",
                        "electronic transfer of your data (data portability) (GDPR Art. 20)"],
    "13(2)(c) withdrawing consent": ["you can withdraw it at any time",
                                     "GDPR Art. 7(3), Art. 13(2)(c)"],
    "13(2)(d) complaint": ["we refer to Information Commissioner's Office (ICO)",
                           "Denmark: Datatilsynet, https://www.datatilsynet.dk (our lead "
                           "supervisory authority (GDPR Art. 56))",
                           "Norway: Datatilsynet, https://www.datatilsynet.no",
                           "Sweden: Integritetsskyddsmyndigheten (IMY), https://www.imy.se"],
    "13(2)(e) requirement": [
        "Must you provide the data? (GDPR Art. 13(2)(e)) Providing the data is a statutory "
        "requirement. You are obliged to provide it. Tax law requires",
        "Must you provide the data? (GDPR Art. 13(2)(e)) Providing the data is necessary to "
        "enter into a contract with us. You are not obliged to provide it. Without it we "
        "cannot enter into or perform the agreement."],
    "13(2)(f) automated decisions": ["We do not make decisions based solely on automated"],
    "14(2)(f) sources": ["Where your data comes from (GDPR Art. 14(2)(f))",
                         "Your employer (our customer company), when it registers you as a "
                         "contact person or portal user: Name, Title, E-mail"],
    "21(4) objection": ["Your right to object",
                        "on grounds relating to your particular situation",
                        "direct marketing, including profiling related to it. We then stop at "
                        "once"],
}


def _flat(markup: str) -> str:
    inline = re.sub(r"</?(?:strong|a|em)\b[^>]*>", "", markup)  # words stay joined
    text = html.unescape(re.sub(r"<[^>]+>", " ", inline)).replace("*", "")
    return re.sub(r"\s+", " ", text)


def _missing(text: str) -> dict[str, list[str]]:
    out = {item: [p for p in phrases if p not in text] for item, phrases in PROMARK_ITEMS.items()}
    return {k: v for k, v in out.items() if v}


def test_art_13_14_items_on_the_privacy_center_page(sqlite_engine: Engine,
                                                    tmp_path: Path) -> None:
    page = make_client(sqlite_engine, tmp_path).get("/privacy")
    assert page.status_code == 200
    assert _missing(_flat(page.text)) == {}
    # Art. 21(4): the right to object in a section of its own, not among the other rights.
    section = re.search(r'<section id="objection"[^>]*>(.*?)</section>', page.text, re.S)
    assert section is not None and "<h2>Your right to object</h2>" in section.group(1)
    rights = re.search(r'<section id="rights">(.*?)</section>', page.text, re.S)
    assert rights is not None and "particular situation" not in rights.group(1)


@pytest.mark.parametrize("fmt", ["md", "html", "page"])
def test_art_13_14_items_in_steward_policy_render(fmt: str) -> None:
    r = steward("policy", "render", str(PROMARK), "--format", fmt)
    assert r.returncode == 0, r.stderr
    assert _missing(_flat(r.stdout)) == {}


def test_art_13_14_danish_notice_has_the_new_sections() -> None:
    r = steward("policy", "render", str(PROMARK), "--format", "md", "--lang", "da")
    text = _flat(r.stdout)
    for phrase in ("Din ret til indsigelse", "Hvor dine oplysninger kommer fra (GDPR art. "
                   "14(2)(f))", "Skal du give os oplysningerne? (GDPR art. 13(2)(e))",
                   "vores ledende tilsynsmyndighed (GDPR art. 56)",
                   "Du kan få en kopi af garantierne"):
        assert phrase in text, phrase


# A small company's policy lacking the items: each gap is named at its line.
LACKING = """\
policy: {id: shop, version: "1", effective: 2025-01-01}
controller:
  name: Small Shop ApS
  address: {street: 2 Lane, postal_code: "8000", city: Aarhus, country: DK}
  lead_authority: DK
  establishments:
    - country: DK
    - country: SE
authorities:
  DK: {name: Datatilsynet, website: https://www.datatilsynet.dk, breach_channel: form}
subject_categories:
  - key: customer
    name: Customers
data_categories:
  - key: user.contact.email
    name: E-mail
  - key: user.name
    name: Name
purposes:
  - key: bookkeeping
    title: Bookkeeping
    description: Keeping the accounts the law requires
    legal_bases: [c]
  - key: ads
    title: Advertising
    description: Showing offers
    legal_bases: [f]
    legitimate_interests: [selling more]
processing_activities:
  - key: orders
    name: Orders
    purposes: [bookkeeping, ads]
    subjects: [customer]
    data_categories: [user.contact.email, user.name]
    sources: [The data subject, Partner shops]
    recipients:
      - processor: mailer
processors:
  - key: mailer
    name: Mailer Inc.
    service: E-mail
    country: US
    transfer_mechanism: scc
    dpa: {signed: 2024-01-01}
    notify: {channel: mail, email: privacy@mailer.example.com}
rights:
  offered: [access, rectification, erasure]
"""


def test_art_13_14_validate_names_each_missing_item(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(LACKING, encoding="utf-8")
    r = steward("policy", "validate", str(path))
    # Errors first: the law leaves no choice, and the policy shows the gap.
    assert r.returncode == 1 and r.stdout == ""
    errors = r.stderr.splitlines()
    assert errors[-1] == "2 problem(s)"
    assert errors[0].startswith(f"{path}:{line_of(LACKING, 'offered: [access')}:")
    assert "Art. 21(4)" in errors[0]
    assert errors[1].startswith(f"{path}:{line_of(LACKING, 'country: US')}:")
    assert "Art. 13(1)(f)" in errors[1] and "notice.transfer_safeguards_copy" in errors[1]

    fixed = LACKING.replace("  offered: [access, rectification, erasure]\n",
                            "  offered: [access, rectification, erasure, objection]\n")
    fixed += "notice:\n  transfer_safeguards_copy: Write to us for a copy of the clauses.\n"
    path.write_text(fixed, encoding="utf-8")
    r = steward("policy", "validate", str(path))
    assert r.returncode == 0, r.stderr
    warnings = r.stderr.splitlines()
    expected = [  # (line holding, article) in file order of the findings
        ("legal_bases: [c]", "Art. 13(2)(e)"),
        ("sources: [The data subject, Partner shops]", "Art. 14(2)(f)"),
        ("- country: SE", "Art. 77"),
    ]
    assert len(warnings) == len(expected), warnings
    for line, (needle, article) in zip(warnings, expected, strict=True):
        assert line.startswith(f"{path}:{line_of(fixed, needle)}:"), (line, needle)
        assert ": warning: " in line and article in line

    # Supplying every item leaves nothing to report.
    complete = fixed.replace(
        "    legal_bases: [c]\n",
        "    legal_bases: [c]\n    requirement:\n      kind: statutory\n      obliged: true\n"
        "      consequences: Without it we cannot sell to you.\n")
    complete = complete.replace(
        "    sources: [The data subject, Partner shops]\n",
        "    sources: [The data subject, Partner shops]\n    indirect_sources:\n"
        "      - {source: Partner shops, data_categories: [user.name]}\n")
    complete = complete.replace(
        "authorities:\n", "authorities:\n  SE: {name: IMY, website: https://www.imy.se, "
        "breach_channel: e-service}\n")
    path.write_text(complete, encoding="utf-8")
    r = steward("policy", "validate", str(path))
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_art_14_2_f_source_must_provide_the_activitys_data(tmp_path: Path) -> None:
    text = LACKING.replace("  offered: [access, rectification, erasure]\n",
                           "  offered: [access, objection]\n")
    text += "notice:\n  transfer_safeguards_copy: Ask us.\n"
    text = text.replace(
        "    sources: [The data subject, Partner shops]\n",
        "    sources: [The data subject, Partner shops]\n    indirect_sources:\n"
        "      - source: Partner shops\n        data_categories: [user.contact.phone_number]\n")
    path = tmp_path / "shop.yaml"
    path.write_text(text, encoding="utf-8")
    r = steward("policy", "validate", str(path))
    assert r.returncode == 1
    (error,) = r.stderr.splitlines()[:-1]
    assert error.startswith(f"{path}:{line_of(text, 'data_categories: [user.contact.phone')}:")
    assert "Art. 14(2)(f)" in error
