"""What the request headers may tell, reduced to coarse classes: bot or not, device class and
the country of the browser's language setting. Nothing finer is derived (no fingerprinting)."""

from __future__ import annotations

import re
from functools import lru_cache

# Crawlers, monitors, previews and scripted clients announce themselves; headless browsers
# too. A missing user agent is treated as a bot (browsers always send one).
_BOT = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|pingdom|"
    r"uptime|lighthouse|headless|phantomjs|python-|curl/|wget/|httpclient|java/|go-http|"
    r"okhttp|node-fetch|axios/|scrapy|feedfetcher|validator",
    re.IGNORECASE,
)
_TABLET = re.compile(r"ipad|tablet|kindle|silk/|playbook|(android(?!.*mobile))", re.IGNORECASE)
_MOBILE = re.compile(r"mobi|iphone|ipod|android.*mobile|windows phone|blackberry|opera mini",
                     re.IGNORECASE)
_REGION = re.compile(r"^[A-Za-z]{2,3}[-_]([A-Za-z]{2})$")


# Real traffic repeats a few thousand browser strings: each is classified once. The caches
# live in memory only and hold strings every visitor's browser sends alike.
@lru_cache(maxsize=8192)
def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or _BOT.search(user_agent) is not None


@lru_cache(maxsize=8192)
def device(user_agent: str) -> str:
    """'tablet', 'mobile' or 'desktop'."""
    if _TABLET.search(user_agent):
        return "tablet"
    if _MOBILE.search(user_agent):
        return "mobile"
    return "desktop"


@lru_cache(maxsize=4096)
def country(accept_language: str) -> str:
    """The region of the first language range that has one (`da-DK` → `DK`); '' when the
    preferred language names no region: the address is never looked up."""
    first = accept_language.split(",", 1)[0].split(";", 1)[0].strip()
    m = _REGION.match(first)
    return m.group(1).upper() if m else ""
