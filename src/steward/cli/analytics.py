"""`steward analytics report`: visits, visitors, top pages and referrers over a range."""

from __future__ import annotations

import json
from datetime import date

import typer

from steward.cli import context

app = typer.Typer(help="Visitor statistics that identify no one (hourly totals only).",
                  no_args_is_help=True)


def _day(value: str, name: str) -> date:
    from steward.errors import InvalidInput

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a date written YYYY-MM-DD, got {value!r}") from None


@app.command("report")
def report_cmd(
    start: str = typer.Option(..., "--from", help="first day (YYYY-MM-DD, UTC)"),
    end: str = typer.Option(..., "--to", help="last day, included (YYYY-MM-DD, UTC)"),
    site: str = typer.Option("", "--site", help="one site key (default: every site)"),
    top: int = typer.Option(10, "--top", min=1, max=1000, help="rows per ranking"),
    as_csv: bool = typer.Option(False, "--csv", help="every hourly total as CSV"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """Page views and daily visitors per day, then the top pages, referring domains,
    countries and devices. Visitors are counted per day (Art. 6(1)(f) statistics with a salt
    that changes daily): one person on two days counts twice."""
    from steward.analytics import report
    from steward.errors import InvalidInput
    from steward.store.db import transaction

    first, last = _day(start, "--from"), _day(end, "--to")
    policy = context.load()
    if site and (policy.analytics is None or policy.analytics.site(site) is None):
        raise InvalidInput(f"no analytics site {site!r} in the policy")
    with transaction(context.sessionmaker_()) as s:
        if as_csv:
            typer.echo(report.csv_text(s, first=first, last=last, site=site or None), nl=False)
            return
        rep = report.build(s, first=first, last=last, site=site or None, top=top)
    if as_json:
        typer.echo(json.dumps({
            "site": rep.site, "from": first.isoformat(), "to": last.isoformat(),
            "days": [{"day": d.isoformat(), "views": v, "visitors": u}
                     for d, v, u in zip(rep.days, rep.views, rep.visitors, strict=True)],
            "top": {k: [{"value": a, "views": b} for a, b in rows] for k, rows in rep.top.items()},
        }, indent=2))
        return
    typer.echo(f"{rep.total_views} page views, {rep.total_visitors} daily visitors, "
               f"{first.isoformat()} to {last.isoformat()}" + (f" (site {site})" if site else ""))
    typer.echo("day         views  visitors")
    for d, v, u in zip(rep.days, rep.views, rep.visitors, strict=True):
        typer.echo(f"{d.isoformat()}  {v:>5}  {u:>8}")
    for dim, title in (("page", "top pages"), ("referrer", "top referring domains"),
                       ("country", "countries"), ("device", "devices")):
        typer.echo(f"== {title}")
        for value, n in rep.top[dim]:
            typer.echo(f"{n:>7}  {value or '(none)'}")
