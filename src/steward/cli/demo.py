"""`steward demo`: build the fictional demo company (ProMark's systems) to try Steward on."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from steward.cli import context


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    customers: int = typer.Option(200, "--customers", min=1, help="number of customers"),
    url_prefix: str | None = typer.Option(
        None, "--url-prefix",
        help="a PostgreSQL or MariaDB server URL: one database per system (demo_crm, ...)",
    ),
    directory: Path | None = typer.Option(
        None, "--dir", help="folder for the SQLite files (default: STEWARD_DATA_DIR/demo)"
    ),
    if_missing: bool = typer.Option(False, "--if-missing", help="do nothing if it exists"),
    replace: bool = typer.Option(False, "--replace", help="rebuild it if it exists"),
    seed: int = typer.Option(1, "--seed", help="random seed: the same seed, the same people"),
    name_prefix: str = typer.Option("demo_", "--db-name-prefix", help="with --url-prefix"),
) -> None:
    """Create the demo company: crm, portal, support, recruiting and the newsletter tool."""
    from steward.demo import build
    from steward.demo.newsletter import TOKEN_ENV, demo_token
    from steward.errors import InvalidInput

    if url_prefix and directory:
        raise InvalidInput("give either --url-prefix or --dir, not both")
    folder = directory or context.settings().data_dir / "demo"
    if url_prefix:
        loc = build.on_server(url_prefix, newsletter_dir=folder, name_prefix=name_prefix)
    else:
        loc = build.in_dir(folder)
    if if_missing and build.exists(loc):
        typer.echo(f"demo company exists already in {folder}: kept")
        _import_subscribers(loc.newsletter_db, folder)
        return

    reported = [0]

    def progress(done: int) -> None:
        if done - reported[0] >= 50_000:  # a line per 50,000 customers on big builds
            reported[0] = done
            print(f"  {done:,} / {customers:,} customers", file=sys.stderr)

    summary = build.build(
        loc, customers=customers, seed=seed, replace=replace,
        progress=progress if customers >= 50_000 else None,
    )
    token = demo_token(folder)
    total = sum(summary.counts.values())
    typer.echo(f"demo company built: {total:,} rows")
    for table, n in summary.counts.items():
        typer.echo(f"  {table:32} {n:>10,}")
    if url_prefix:
        import sqlalchemy as sa

        for system, url in loc.urls.items():
            shown = sa.make_url(url).render_as_string(hide_password=True)
            typer.echo(f"  PROMARK_{system.upper()}_URL={shown}")
    typer.echo(f"newsletter API token ({TOKEN_ENV}, kept in {folder / 'newsletter.token'}): "
               f"{token}")
    if not url_prefix:
        from steward.demo.workforce import build_workforce

        # The product ProMark runs for its customers (it is their processor, Art. 28).
        wf_db = folder / "workforce.db"
        if replace and wf_db.exists():
            wf_db.unlink()
        if not wf_db.exists():
            companies = _served_tenants()
            wf = build_workforce(
                f"sqlite:///{wf_db.resolve()}", seed=seed,
                companies={t: (n, c) for t, (n, c, _) in companies.items()} or None)
            typer.echo(f"workforce product (processor data of {len(wf.tenants)} customer "
                       f"companies, GDPR Art. 28): {sum(wf.counts.values()):,} rows in {wf_db}")
            for tenant, name in wf.tenants.items():
                key = companies.get(tenant, ("", "", ""))[2]
                if key:
                    typer.echo(f"  tenant {tenant}: {name}; its admin's API key for assisted "
                               f"requests: steward controllers key create {key}")
    show = summary.showcase
    typer.echo(
        "a fictional person in all five systems: "
        f"{show['email']} / {show['phone']} / customer number {show['customer_number']}"
    )
    _import_subscribers(loc.newsletter_db, folder)


def _import_subscribers(newsletter_db: Path, folder: Path) -> None:
    """The newsletter tool's subscribers consented before Steward: export them as a consent
    import file and import it into the store (idempotent), so their consent is on record with
    its original date. Without a migrated store, say how to do it later."""
    import sqlalchemy as sa

    from steward.consent import imports
    from steward.consent.purposes import by_key
    from steward.demo.newsletter import CONSENT_PURPOSE, CONSENTS_FILE, export_consents
    from steward.store.db import transaction

    policy = context.load()
    if CONSENT_PURPOSE not in by_key(policy):
        return  # another policy: its newsletter purpose is not the demo's
    out = folder / CONSENTS_FILE
    rows = export_consents(newsletter_db, out)
    sm = context.sessionmaker_()
    with sm() as s:
        migrated = sa.inspect(s.connection()).has_table("consent_head")
    if not migrated:
        typer.echo(f"newsletter subscribers exported to {out} ({rows} rows); after `steward db "
                   f"upgrade`, record their consents with `steward consent import {out}`")
        return
    from steward import audit

    with transaction(sm) as s:
        report = imports.import_csv(s, policy, context.settings().resolved_secret_key(),
                                    out.read_bytes(), recorded_by="demo")
        audit.append(s, actor="demo", action="consent.imported", details={
            "file": CONSENTS_FILE, "imported": report.imported,
            "already_imported": report.already, "refused": len(report.refused),
            "events": report.events})
    typer.echo(f"newsletter subscribers' consents imported from {out}: {report.imported} new, "
               f"{report.already} already imported, {len(report.refused)} refused")


def _served_tenants() -> dict[int, tuple[str, str, str]]:
    """Tenant id -> (name, country, key) of the controllers the policy serves with a numeric
    tenant value, so the demo's customer companies are the ones the policy names."""
    from steward.cli import context
    from steward.policy.tenancy import served

    try:
        policy = context.load()
    except Exception:  # noqa: BLE001 - the demo builds without a loadable policy too
        return {}
    out: dict[int, tuple[str, str, str]] = {}
    for s in served(policy):
        for sc in s.controller.scope:
            if sc.tenant is not None and isinstance(sc.tenant.value, int):
                out[sc.tenant.value] = (s.controller.name, s.controller.country or "DK", s.key)
    return out
