"""The data map as inline SVG rendered on the server (no script): systems on the left with the
categories each holds, processors in the middle, countries on the right; a line for each flow
(system to processor, processor to sub-processor, processor to its country). Third countries
are drawn with a dashed red border and their transfer basis. Each system links to its page.
The SVG keeps its links reachable (it is a group of links, not a flat image); the page lists
the same facts as a table."""

from __future__ import annotations

from markupsafe import Markup, escape

from steward.i18n import gettext as _
from steward.policy.datamap import DataMap

W = 980
SYS_X, SYS_W = 8, 320
PROC_X, PROC_W = 400, 280
CTRY_X, CTRY_W = 760, 212
GAP, LINE, MAX_CATS = 14, 15, 14
BAD = "#a32020"


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most about `width` characters; each but the last keeps its trailing space,
    so the lines joined give the text back."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + len(word) <= width:
            lines[-1] += word + " "
        else:
            lines.append(word + " ")
    return [*(line for line in lines[:-1]), lines[-1].rstrip()] if lines else []


def svg(dm: DataMap) -> Markup:
    """The whole map; `data-from`/`data-to` on each flow name its ends (for tests and tools)."""
    parts: list[str] = []
    mid: dict[str, tuple[float, float, float]] = {}  # node id -> (left x, right x, middle y)

    y = 40.0
    for s in dm.systems:
        shown = s.categories[:MAX_CATS]
        h = 44 + LINE * len(shown) + (LINE if len(s.categories) > MAX_CATS else 0)
        stored = _("stored in %(country)s") % {"country": s.country}
        lines = [
            f'<a href="/console/systems/{escape(s.key)}" id="sys-{escape(s.key)}">',
            f'<rect x="{SYS_X}" y="{y:.0f}" width="{SYS_W}" height="{h}" rx="6" '
            'fill="#eef4fa" stroke="#1f5f99"/>',
            f'<text x="{SYS_X + 10}" y="{y + 18:.0f}" font-size="14" font-weight="700" '
            f'fill="#0b3d6b">{escape(_cut(s.name, 30))}</text>',
            f'<text x="{SYS_X + 10}" y="{y + 34:.0f}" font-size="11" fill="#444">'
            f"{escape(stored)}</text>",
        ]
        for i, cat in enumerate(shown):
            mark = " \u25c6" if cat.special else ""
            lines.append(
                f'<text x="{SYS_X + 18}" y="{y + 50 + i * LINE:.0f}" font-size="11" '
                f'class="category" data-key="{escape(cat.key)}">'
                f"\u2022 {escape(_cut(cat.name, 40))}{mark}</text>"
            )
        if len(s.categories) > MAX_CATS:
            more = _("and %(num)s more") % {"num": len(s.categories) - MAX_CATS}
            lines.append(
                f'<text x="{SYS_X + 18}" y="{y + 50 + MAX_CATS * LINE:.0f}" font-size="11">'
                f"{escape(more)}</text>"
            )
        lines.append("</a>")
        parts += lines
        mid[f"sys:{s.key}"] = (SYS_X, SYS_X + SYS_W, y + 22)
        y += h + GAP
    left_h = y

    y = 40.0
    for p in dm.processors:
        indent = 18 if p.parent else 0
        names = _wrap(p.name, 32)
        extra = LINE * (len(names) - 1)
        h = 46 + extra
        stroke, dash = (BAD, ' stroke-dasharray="5 3"') if p.third_country else ("#5b6770", "")
        spans = "".join(
            f'<tspan x="{PROC_X + indent + 10}" y="{y + 18 + j * LINE:.0f}">{escape(t)}</tspan>'
            for j, t in enumerate(names)
        )
        parts += [
            f'<g id="proc-{escape(p.key.replace("/", "--"))}">',
            f'<rect x="{PROC_X + indent}" y="{y:.0f}" width="{PROC_W - indent}" height="{h}" '
            f'rx="6" fill="#f6f7f8" stroke="{stroke}"{dash}/>',
            f'<text font-size="13" font-weight="700">{spans}</text>',
            f'<text x="{PROC_X + indent + 10}" y="{y + 35 + extra:.0f}" font-size="11" '
            f'fill="#444">{escape(_cut(p.service, 40))} \u00b7 {escape(p.country)}</text>',
            "</g>",
        ]
        mid[f"proc:{p.key}"] = (PROC_X + indent, PROC_X + PROC_W, y + h / 2)
        y += h + GAP
    middle_h = y

    y = 40.0
    for c in dm.countries:
        wrapped = [_wrap(b, 34) for b in c.bases]
        h = 34 + (LINE * (1 + sum(len(w) for w in wrapped)) if c.third_country else 0)
        stroke, dash = (BAD, ' stroke-dasharray="5 3"') if c.third_country else ("#1e7a3c", "")
        label = _("third country") if c.third_country else _("EU/EEA")
        parts += [
            f'<g id="country-{escape(c.code)}" class="{"third" if c.third_country else "eea"}">',
            f'<rect x="{CTRY_X}" y="{y:.0f}" width="{CTRY_W}" height="{h}" rx="6" '
            f'fill="#fff" stroke="{stroke}"{dash}/>',
            f'<text x="{CTRY_X + 10}" y="{y + 21:.0f}" font-size="14" font-weight="700">'
            f'{escape(c.code)} <tspan font-size="11" font-weight="400" '
            f'fill="{BAD if c.third_country else "#1e5a30"}">{escape(label)}</tspan></text>',
        ]
        row = 0
        for pieces in wrapped:
            spans = "".join(
                f'<tspan x="{CTRY_X + 10}" y="{y + 38 + (row + j) * LINE:.0f}">{escape(t)}</tspan>'
                for j, t in enumerate(pieces)
            )
            parts.append(f'<text font-size="10" class="basis">{spans}</text>')
            row += len(pieces)
        parts.append("</g>")
        mid[f"country:{c.code}"] = (CTRY_X, CTRY_X + CTRY_W, y + 17)
        y += h + GAP
    height = max(left_h, middle_h, y) + 10

    flows: list[tuple[str, str]] = []
    for p in dm.processors:
        if p.parent:
            flows.append((f"proc:{p.parent}", f"proc:{p.key}"))
        else:
            flows += [(f"sys:{s}", f"proc:{p.key}") for s in p.systems]
        flows.append((f"proc:{p.key}", f"country:{p.country}"))
    edges = []
    for a, b in flows:
        if a not in mid or b not in mid:
            continue
        (_l1, x1, y1), (x2, _r2, y2) = mid[a], mid[b]
        if a.startswith("proc:") and b.startswith("proc:"):  # to a sub-processor: a short hook
            x1 = mid[a][0] + 8
            d = f"M{x1:.0f},{y1 + 23:.0f} V{y2:.0f} H{x2:.0f}"
        else:
            bend = (x2 - x1) / 2
            d = (
                f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} "
                f"{x2:.0f},{y2:.0f}"
            )
        edges.append(
            f'<path class="flow" data-from="{escape(a)}" data-to="{escape(b)}" d="{d}" '
            'fill="none" stroke="#8a96a0" stroke-width="1.5"/>'
        )
    title = _("Data map")
    desc = _(
        "%(systems)s systems, %(processors)s processors and sub-processors, %(countries)s "
        "countries, of which %(third)s outside the EU/EEA."
    ) % {
        "systems": len(dm.systems),
        "processors": len(dm.processors),
        "countries": len(dm.countries),
        "third": sum(c.third_country for c in dm.countries),
    }
    heads = [
        (SYS_X, _("Systems and the data they hold")),
        (PROC_X, _("Processors it flows to")),
        (CTRY_X, _("Countries")),
    ]
    head = "".join(
        f'<text x="{x}" y="22" font-size="13" font-weight="700" fill="#333">{escape(t)}</text>'
        for x, t in heads
    )
    return Markup(
        f'<svg class="datamap" viewBox="0 0 {W} {height:.0f}" aria-labelledby="t-map d-map" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="t-map">{escape(title)}</title><desc id="d-map">{escape(desc)}</desc>'
        f"{head}{''.join(edges)}{''.join(parts)}</svg>"
    )
