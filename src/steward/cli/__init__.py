"""The `steward` command line (Typer). Each capability adds a sub-app in its own module.

`main()` turns every Steward error into one line on stderr and a non-zero exit: never a
traceback for bad input.
"""

from __future__ import annotations

import os
import sys

import typer

from steward.errors import PolicyError, StewardError

app = typer.Typer(
    name="steward",
    help="Steward: the privacy policy as code, enforced across your own databases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Sub-apps register here, one line each: (module, name, attribute). A name of None means the
# module registers itself through its `register(app)` function.
SUBAPPS: list[tuple[str, str | None, str]] = [
    ("steward.cli.core", None, "register"),
    ("steward.cli.policy", "policy", "app"),
    ("steward.cli.ropa", "ropa", "app"),
    ("steward.cli.breach", "breach", "app"),
    ("steward.cli.breach", "processors", "processors_app"),
    ("steward.cli.consent", "consent", "app"),
    ("steward.cli.demo", None, "register"),
    ("steward.cli.systems", "systems", "app"),
    ("steward.cli.dsr", "dsr", "app"),
    ("steward.cli.retention", "retention", "app"),
    ("steward.cli.worker", None, "register"),
    ("steward.cli.scan", None, "register"),
    ("steward.cli.analytics", "analytics", "app"),
    ("steward.cli.announce", "announce", "app"),
    ("steward.cli.controllers", "controllers", "app"),
]


def _register_all() -> None:
    import importlib

    for module_name, name, attr in SUBAPPS:
        module = importlib.import_module(module_name)
        if name is None:
            module.register(app)
        else:
            app.add_typer(getattr(module, attr), name=name)


_register_all()


def main() -> None:
    try:
        # standalone_mode=False hands back typer.Exit codes instead of exiting.
        rv = app(standalone_mode=False)
        if isinstance(rv, int) and rv != 0:
            sys.exit(rv)
    except PolicyError as err:
        for line in err.problems:
            print(line, file=sys.stderr)
        print(f"{len(err.problems)} problem(s)", file=sys.stderr)
        sys.exit(1)
    except StewardError as err:
        print(f"error: {err.detail}", file=sys.stderr)
        sys.exit(1)
    except typer.Exit as err:
        sys.exit(err.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as err:  # noqa: BLE001 - the last line of defence: no tracebacks
        import click

        if isinstance(err, (click.ClickException, typer.TyperException)) and hasattr(err, "show"):
            err.show()
            sys.exit(err.exit_code)
        fix = _store_problem(err)
        if fix:
            print(f"error: {fix}", file=sys.stderr)
            sys.exit(1)
        # The class name only: a driver's message may quote the values it was given.
        if os.environ.get("STEWARD_DEBUG"):
            print(f"error: {err.__class__.__name__}: {err}", file=sys.stderr)
        else:
            print(f"error: unexpected {err.__class__.__name__} (details withheld: they may "
                  "quote personal data; set STEWARD_DEBUG=1 to show them)", file=sys.stderr)
        sys.exit(1)


def _store_problem(err: BaseException) -> str | None:
    """One line naming the fix when `err` (or what caused it) comes from Steward's own store:
    a wrong URL scheme, an unreachable server, a store never migrated."""
    try:
        from steward.cli import context
        from steward.store.diagnose import explain

        url = context.settings().database_url
        seen: BaseException | None = err
        while seen is not None:
            line = explain(seen, url)
            if line:
                return line
            seen = seen.__cause__ or seen.__context__
    except Exception:  # noqa: BLE001 - a diagnosis that fails leaves the generic message
        return None
    return None
