"""Which language a page is shown in: the person's explicit choice, then their remembered
choice, then their browser's `Accept-Language` (RFC 9110 §12.5.4), then the policy's default.

Only languages the policy publishes in are ever chosen; anything else (an unknown code, a
malformed header) falls through to the next source, and at the end to the default.
"""

from __future__ import annotations

from collections.abc import Sequence

# Tags a browser sends for a language the policy names otherwise: Norwegian ("no", and
# Nynorsk "nn" when the policy has no Nynorsk texts) is read as Bokmål.
ALIASES = {"no": "nb", "nn": "nb"}
COOKIE = "steward_lang"
QUERY = "lang"


def parse_accept_language(header: str) -> list[str]:
    """The language ranges of an `Accept-Language` header, most preferred first: q-values
    order them (equal q keeps the header's order), q=0 means "not acceptable" and drops one,
    a malformed entry is skipped."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower()
        if not tag or len(tag) > 35 or not all(c.isalnum() or c in "-*" for c in tag):
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if not 0.0 < q <= 1.0:
            continue
        ranked.append((-q, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def match(tag: str, offered: Sequence[str]) -> str | None:
    """The offered language a tag (`da-DK`, `nb-NO`, `no`, `sv`) stands for, or None."""
    primary = tag.strip().lower().split("-")[0]
    if primary in offered:
        return primary
    alias = ALIASES.get(primary)
    if alias in offered:
        return alias
    return None


def choose(
    *,
    offered: Sequence[str],
    query: str | None = None,
    cookie: str | None = None,
    accept_language: str | None = None,
) -> str:
    """The language to show, among `offered` (the policy's languages, default first).

    An explicit `?lang=` decides alone: an unknown one gives the default rather than a
    browser's guess, so a link to a language the policy lacks is answered the same way for
    everyone.
    """
    default = offered[0]
    if query is not None:
        return match(query, offered) or default
    if cookie:
        chosen = match(cookie, offered)
        if chosen:
            return chosen
    for tag in parse_accept_language(accept_language or ""):
        chosen = match(tag, offered)
        if chosen:
            return chosen
    return default
