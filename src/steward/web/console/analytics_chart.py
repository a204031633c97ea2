"""Visitor statistics as inline SVG, rendered on the server (no script): views and visitors
per day as lines, and a ranking (top pages, referrers) as horizontal bars. Each chart carries a
title and a text description for screen readers."""

from __future__ import annotations

from markupsafe import Markup, escape

from steward.analytics.report import Report
from steward.i18n import gettext as _

W, H, PAD = 640, 180, 34
ROW = 22


def _points(values: list[int], top: int) -> str:
    n = max(len(values) - 1, 1)
    return " ".join(
        f"{PAD + i * (W - 2 * PAD) / n:.1f},{H - PAD - v * (H - 2 * PAD) / top:.1f}"
        for i, v in enumerate(values)
    )


def daily(rep: Report) -> Markup:
    """Page views (solid) and visitors (dashed) per day."""
    top = max([1, *rep.views, *rep.visitors])
    first, last = rep.first.isoformat(), rep.last.isoformat()
    desc = _("{views} page views and {visitors} daily visitors between {first} and {last}; "
             "at most {top} a day.").format(views=rep.total_views, visitors=rep.total_visitors,
                                             first=first, last=last, top=top)
    return Markup("".join([
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="t-daily d-daily"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-daily">{escape(_("Visits per day"))}</title>'
        f'<desc id="d-daily">{escape(desc)}</desc>',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#aab3ba"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#aab3ba"/>',
        f'<text x="{PAD - 4}" y="{PAD + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{PAD - 4}" y="{H - PAD}" text-anchor="end" font-size="11">0</text>',
        f'<text x="{PAD}" y="{H - 8}" font-size="11">{first}</text>',
        f'<text x="{W - PAD}" y="{H - 8}" text-anchor="end" font-size="11">{last}</text>',
        f'<polyline class="views" fill="none" stroke="#1f5f99" stroke-width="2" '
        f'points="{_points(rep.views, top)}"/>',
        f'<polyline class="visitors" fill="none" stroke="#1e7a3c" stroke-width="2" '
        f'stroke-dasharray="5 3" points="{_points(rep.visitors, top)}"/>',
        "</svg>",
    ]))


def ranking(ident: str, title: str, rows: list[tuple[str, int]]) -> Markup:
    """One bar per row, longest first, labelled with the value and its count."""
    top = max([1, *(n for _v, n in rows)])
    height = max(len(rows), 1) * ROW + 8
    label_w = 260
    desc = "; ".join(f"{v or _('(none)')}: {n}" for v, n in rows) or _("nothing counted")
    ident = escape(ident)
    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {height}" role="img" '
        f'aria-labelledby="t-{ident} d-{ident}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-{ident}">{escape(title)}</title><desc id="d-{ident}">{escape(desc)}</desc>',
    ]
    for i, (value, n) in enumerate(rows):
        y = 4 + i * ROW
        width = (W - label_w - 60) * n / top
        shown = value if len(value) <= 40 else value[:39] + "\u2026"
        parts += [
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(shown)}</text>",
            f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}" '
            'fill="#1f5f99"/>',
            f'<text x="{label_w + width + 4:.1f}" y="{y + 15}" font-size="12">{n}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
