"""The dashboard's charts as inline SVG rendered on the server (no script), like
`analytics_chart` and `consent_chart`: bars per month (stacked by request type), and pairs of
horizontal bars per consent purpose. Each chart is an image with a title and a description for
screen readers; the page also gives each chart's figures as a table."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

W, H, PAD, LEFT = 480, 200, 28, 40
# Colour-blind-safe (Okabe-Ito), each at least 3:1 against white.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a7a00")


@dataclass(frozen=True)
class Chart:
    """A chart and its figures: `svg` to show, `head` and `rows` for the table fallback."""

    ident: str
    title: str
    svg: Markup
    head: list[str]
    rows: list[list[str]]


def _open(ident: str, title: str, desc: str, height: int) -> list[str]:
    i = escape(ident)
    return [
        f'<svg class="chart" viewBox="0 0 {W} {height}" role="img" '
        f'aria-labelledby="t-{i} d-{i}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-{i}">{escape(title)}</title><desc id="d-{i}">{escape(desc)}</desc>',
    ]


def month_bars(
    ident: str,
    title: str,
    desc: str,
    labels: list[str],
    series: list[tuple[str, list[float]]],
    *,
    unit: str = "",
    top: float | None = None,
) -> Markup:
    """One bar per month; several series are stacked, in the legend's order."""
    n = max(len(labels), 1)
    totals = [sum(vals[i] for _, vals in series) for i in range(len(labels))]
    top = top or max([1.0, *totals])
    legend_h = 18 if len(series) > 1 else 0
    height = H + legend_h
    base = H - PAD
    slot = (W - LEFT - 8) / n
    parts = _open(ident, title, desc, height)
    parts += [
        f'<line x1="{LEFT}" y1="{base}" x2="{W - 8}" y2="{base}" stroke="#6b7780"/>',
        f'<text x="{LEFT - 4}" y="{PAD + 4}" text-anchor="end" font-size="11">'
        f"{_num(top)}{escape(unit)}</text>",
        f'<text x="{LEFT - 4}" y="{base}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, label in enumerate(labels):
        x = LEFT + i * slot + slot * 0.15
        y = float(base)
        for k, (_, vals) in enumerate(series):
            h = (base - PAD) * vals[i] / top
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{COLOURS[k % len(COLOURS)]}"/>'
                )
        if totals[i]:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'font-size="10">{_num(totals[i])}{escape(unit)}</text>'
            )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{base + 14}" text-anchor="middle" '
            f'font-size="10">{escape(label)}</text>'
        )
    if len(series) > 1:
        x = LEFT
        for k, (name, _) in enumerate(series):
            parts += [
                f'<rect x="{x}" y="{H + 4}" width="10" height="10" '
                f'fill="{COLOURS[k % len(COLOURS)]}"/>',
                f'<text x="{x + 14}" y="{H + 13}" font-size="11">{escape(name)}</text>',
            ]
            x += 24 + 7 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def pair_bars(
    ident: str, title: str, desc: str, rows: list[tuple[str, int, int]], names: tuple[str, str]
) -> Markup:
    """Per row (a consent purpose) two horizontal bars: `names[0]` and `names[1]`."""
    row_h = 34
    label_w = 170
    height = max(len(rows), 1) * row_h + 26
    top = max([1, *(max(a, b) for _, a, b in rows)])
    parts = _open(ident, title, desc, height)
    if not rows:
        parts.append(
            f'<text x="{W / 2:.0f}" y="14" text-anchor="middle" font-size="12">'
            f"{escape(desc)}</text>"
        )
    for i, (label, a, b) in enumerate(rows):
        y = 4 + i * row_h
        shown = label if len(label) <= 26 else label[:25] + "\u2026"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 18}" text-anchor="end" font-size="12">'
            f"{escape(shown)}</text>"
        )
        for k, v in enumerate((a, b)):
            w = (W - label_w - 50) * v / top
            parts += [
                f'<rect x="{label_w}" y="{y + 2 + k * 14}" width="{w:.1f}" height="12" '
                f'fill="{COLOURS[k]}"/>',
                f'<text x="{label_w + w + 4:.1f}" y="{y + 12 + k * 14}" font-size="10">{v}</text>',
            ]
    y = height - 14
    x = label_w
    for k, name in enumerate(names):
        parts += [
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{COLOURS[k]}"/>',
            f'<text x="{x + 14}" y="{y + 9}" font-size="11">{escape(name)}</text>',
        ]
        x += 30 + 7 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"
