"""The fictional demo company (ProMark's systems, docs/demo-schema.md) that `steward demo`
builds: crm, portal, support and recruiting as SQL databases (SQLite files under
STEWARD_DATA_DIR/demo by default, or databases on a PostgreSQL/MariaDB server), and the
newsletter tool as a small JSON API over its own SQLite file.

    from steward.demo import build
    loc = build.in_dir(Path("var/demo"))            # or build.on_server(url_prefix, ...)
    summary = build.build(loc, customers=200, seed=1)
    summary.showcase                                # a person present in all five systems

    from steward.demo.newsletter import newsletter_app, demo_token
    app = newsletter_app(loc.newsletter_db, demo_token(Path("var/demo")))  # mount at
                                                    # /demo/newsletter; API under /api

Everyone in it is made up: names from small invented lists, RFC 2606 e-mail domains, phone
numbers and national identity numbers valid in form only, IPs from the documentation ranges.
"""
