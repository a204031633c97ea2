"""Consent figures as an inline SVG line chart, rendered on the server (no script needed)."""

from __future__ import annotations

from markupsafe import Markup, escape

from steward.consent.figures import Series
from steward.i18n import gettext as _

W, H, PAD = 640, 180, 30


def _points(values: list[int], top: int) -> str:
    n = max(len(values) - 1, 1)
    return " ".join(
        f"{PAD + i * (W - 2 * PAD) / n:.1f},{H - PAD - v * (H - 2 * PAD) / top:.1f}"
        for i, v in enumerate(values)
    )


def svg(series: Series, title: str) -> Markup:
    """One purpose: given (solid) and declined/withdrawn (dashed) per day, with a text summary
    for screen readers (role=img with a title and description)."""
    top = max([1, *series.given, *series.declined])
    first, last = series.days[0].isoformat(), series.days[-1].isoformat()
    desc = _("{given} consents given and {declined} refused, withdrawn or objected between "
             "{first} and {last}; at most {top} a day.").format(
                 given=sum(series.given), declined=sum(series.declined), first=first, last=last,
                 top=top)
    ident = escape(series.purpose.replace(".", "-"))
    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="t-{ident} '
        f'd-{ident}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-{ident}">{escape(title)}</title><desc id="d-{ident}">{escape(desc)}</desc>',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#aab3ba"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#aab3ba"/>',
        f'<text x="{PAD - 4}" y="{PAD + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{PAD - 4}" y="{H - PAD}" text-anchor="end" font-size="11">0</text>',
        f'<text x="{PAD}" y="{H - 8}" font-size="11">{first}</text>',
        f'<text x="{W - PAD}" y="{H - 8}" text-anchor="end" font-size="11">{last}</text>',
        f'<polyline fill="none" stroke="#1e7a3c" stroke-width="2" '
        f'points="{_points(series.given, top)}"/>',
        f'<polyline fill="none" stroke="#a32020" stroke-width="2" stroke-dasharray="5 3" '
        f'points="{_points(series.declined, top)}"/>',
        "</svg>",
    ]
    return Markup("".join(parts))
