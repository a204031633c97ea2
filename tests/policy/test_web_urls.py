"""Links a policy puts into pages (<a href>) must be http(s): no `javascript:` or `data:`."""

from __future__ import annotations

import pytest

from policy.policy_helpers import BASE, edit, one_problem
from steward.policy.loader import load_policy_text_report


@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)", "data:text/html,x",
                                 'https://x.example/" onmouseover="alert(1)'])
def test_script_links_in_the_policy_are_refused(url: str) -> None:
    text = edit(BASE, "website: https://www.datatilsynet.dk",
                f"website: '{url}', breach_url: https://x.example")
    msg = one_problem(text, "DK: {name: Datatilsynet")
    assert "authorities.DK.website" in msg and "https?://" in msg
    text = edit(BASE, "  lead_authority: DK\n", f"  lead_authority: DK\n  website: '{url}'\n")
    assert "controller.website" in one_problem(text, "  website: ")


def test_ordinary_web_links_load() -> None:
    text = edit(BASE, "website: https://www.datatilsynet.dk",
                "website: http://datatilsynet.example/klage?a=1, "
                "complaint_url: https://datatilsynet.example/complaints")
    load_policy_text_report(text, "acme.yaml", None)
