"""One page-view event from the script, checked and reduced to what may be counted.

The script sends `{"s": site key, "u": page URL, "r": referrer URL, "i": random view id}`.
What survives: the path (query parameters only where the policy names them; fragments never),
the referring domain (domain only, and none for the site's own pages). Anything malformed
yields None (the endpoint answers 204 and counts nothing); a site the policy does not declare,
or a page on a host the site does not list, is refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from steward.errors import StewardError
from steward.policy.models import Analytics, AnalyticsSite

MAX_EVENT_BYTES = 2048
MAX_PATH = 300
_ID = re.compile(r"^[A-Za-z0-9]{8,32}$")


class UnknownSite(StewardError):
    status = 403
    title = "Forbidden"


@dataclass(frozen=True)
class PageView:
    site: str
    path: str
    referrer: str  # a domain, or ''
    view_id: str


def _host_allowed(site: AnalyticsSite, netloc: str) -> bool:
    netloc = netloc.lower()
    host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
    # A declared host without a port matches any port; with a port, only that one.
    return any(h == netloc or (":" not in h and h == host) for h in site.hosts)


def clean_path(path: str, query: str, allowed: list[str]) -> str:
    """The path with only the allowed query parameters (in their order of arrival)."""
    keep = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in allowed]
    out = (path or "/") + ("?" + urlencode(keep) if keep else "")
    return out[:MAX_PATH]


def referrer_domain(referrer: str, site: AnalyticsSite) -> str:
    """The referring domain; '' for none, the site's own hosts or a non-web scheme."""
    if not referrer:
        return ""
    try:
        parts = urlsplit(referrer)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    if _host_allowed(site, parts.netloc):
        return ""
    return parts.hostname[:253]


def parse(raw: bytes, config: Analytics, *, origin: str | None,
          sites: dict[str, AnalyticsSite] | None = None) -> PageView | None:
    """The page view in `raw`, None when malformed; UnknownSite when not ours to count.
    `sites` (the config's sites by key) saves a search per event."""
    if not raw or len(raw) > MAX_EVENT_BYTES:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    key, url, ref, vid = data.get("s"), data.get("u"), data.get("r", ""), data.get("i")
    if not all(isinstance(x, str) for x in (key, url, ref, vid)):
        return None
    assert isinstance(key, str) and isinstance(url, str) and isinstance(ref, str)
    assert isinstance(vid, str)
    site = sites.get(key) if sites is not None else config.site(key)
    if site is None:
        raise UnknownSite("this site is not declared for visitor statistics")
    if origin:
        o = urlsplit(origin)
        if not _host_allowed(site, o.netloc):
            raise UnknownSite("events for this site are not accepted from this origin")
    if not _ID.match(vid):
        return None
    try:
        page = urlsplit(url)
    except ValueError:
        return None
    if page.scheme not in ("http", "https") or not _host_allowed(site, page.netloc):
        raise UnknownSite("this page is not on a host the site declares")
    return PageView(site=site.key, path=clean_path(page.path, page.query, site.query_parameters),
                    referrer=referrer_domain(ref, site), view_id=vid)
