"""What an event and its headers are reduced to, against hand-written expectations."""

from __future__ import annotations

import json

import pytest
from tests.analytics.conftest import UA_FIREFOX, UA_IPHONE, config, event

from steward.analytics import classify
from steward.analytics.events import MAX_EVENT_BYTES, PageView, UnknownSite, parse


@pytest.mark.parametrize(("url", "path"), [
    # Query parameters the policy names are kept (q, page); any other one is dropped.
    ("https://www.promark.example/products?q=crm&email=x@example.com", "/products?q=crm"),
    ("https://www.promark.example/blog?page=2&utm_source=news&token=abc", "/blog?page=2"),
    ("https://www.promark.example/contact#form", "/contact"),
    ("https://promark.example", "/"),
    ("https://www.promark.example:443/a/b/", "/a/b/"),
])
def test_pages_keep_the_path_and_allowed_parameters_only(url: str, path: str) -> None:
    view = parse(event(url), config(), origin=None)
    assert view == PageView(site="www", path=path, referrer="search.example.net",
                            view_id="a1b2c3d4e5f6")


@pytest.mark.parametrize(("ref", "domain"), [
    ("https://search.example.net/?q=promark", "search.example.net"),
    ("http://News.Example.org:8080/item/7?user=ann", "news.example.org"),
    ("https://www.promark.example/pricing", ""),  # the site's own page: no referrer
    ("android-app://com.example.mail/", ""),
    ("", ""),
    ("not a url", ""),
])
def test_referrers_are_domains_only(ref: str, domain: str) -> None:
    view = parse(event(ref=ref), config(), origin=None)
    assert view is not None and view.referrer == domain


@pytest.mark.parametrize("raw", [
    b"", b"not json", b"[1,2]", b"null", json.dumps({"s": "www"}).encode(),
    json.dumps({"s": "www", "u": 7, "r": "", "i": "a1b2c3d4e5"}).encode(),
    event(vid="short"), event(vid="has spaces in it"), event(vid="x" * 40),
    event(page="javascript:alert(1)"), b"\xff\xfe\x00",
    b"{" + b" " * MAX_EVENT_BYTES + b"}",
])
def test_malformed_events_are_none(raw: bytes) -> None:
    if raw.startswith(b'{"s": "www", "u": "javascript'):
        with pytest.raises(UnknownSite):
            parse(raw, config(), origin=None)
        return
    assert parse(raw, config(), origin=None) is None


def test_unknown_sites_hosts_and_origins_are_refused() -> None:
    with pytest.raises(UnknownSite):
        parse(event(site="shop"), config(), origin=None)
    with pytest.raises(UnknownSite):  # a declared site, but a page elsewhere
        parse(event("https://evil.example.com/x"), config(), origin=None)
    with pytest.raises(UnknownSite):
        parse(event(), config(), origin="https://evil.example.com")
    assert parse(event(), config(), origin="https://www.promark.example") is not None


@pytest.mark.parametrize(("ua", "bot", "device"), [
    (UA_FIREFOX, False, "desktop"),
    (UA_IPHONE, False, "mobile"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 "
     "Mobile Safari/537.36", False, "mobile"),
    ("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
     False, "tablet"),
    ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
     False, "tablet"),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True, None),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36",
     True, None),
    ("curl/8.5.0", True, None),
    ("python-requests/2.32", True, None),
    ("", True, None),
])
def test_bots_and_device_classes(ua: str, bot: bool, device: str | None) -> None:
    assert classify.is_bot(ua) is bot
    if device:
        assert classify.device(ua) == device


@pytest.mark.parametrize(("header", "country"), [
    ("da-DK,da;q=0.9,en;q=0.8", "DK"),
    ("nb_no", "NO"),
    ("sv,en-GB;q=0.8", ""),  # the preferred language names no region: none
    ("en-150", ""),  # a numeric region is not a country
    ("", ""),
    ("*", ""),
])
def test_country_comes_from_the_preferred_language_region_or_none(header: str,
                                                                  country: str) -> None:
    assert classify.country(header) == country
