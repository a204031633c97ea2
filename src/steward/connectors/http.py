"""HttpConnector: a SaaS tool with a JSON API, described in the policy (`endpoints`, `auth`).

The system has one table (the resource, e.g. `subscribers`). Endpoint paths are relative to
the system URL and hold placeholders: `lookup` takes `{identity_type}` and `{value}` (GET,
answering a JSON list or `{"records": [...]}`); `export`, `delete` (DELETE) and `rectify`
(PATCH with a JSON object) take `{id}`. Values are URL-encoded, so they can never change the
path. The token comes from the environment variable `auth.token_env`, else from the file
`auth.token_file` (relative to the connector's `base_dir`). Every call has a timeout; an
unreachable API, a timeout, a 5xx or a refused token raise `Unavailable`.

HTTP APIs have no transactions: `apply` runs the plan's calls in order and is idempotent (a
subscriber already deleted counts 0; an update whose values are already there is skipped).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from steward.connectors.base import (
    Counts,
    ErasurePlan,
    Identities,
    KeepHook,
    PkValue,
    Rectification,
    Row,
    Statement,
    SubjectRecords,
    json_safe,
    key_tuple,
    normalize_identities,
)
from steward.connectors.erasure import decide
from steward.connectors.graph import build_graph
from steward.errors import InvalidInput, NotFound, Unavailable
from steward.policy.models import SystemSpec

MAX_ROUNDS = 5


class HttpConnector:
    """A connector over a JSON API. See `steward.connectors.base.Connector`."""

    def __init__(
        self,
        system: SystemSpec,
        *,
        url: str,
        env: Mapping[str, str] | None = None,
        base_dir: Path | None = None,
        timeout: float = 10.0,
    ) -> None:
        if system.endpoints is None:
            raise InvalidInput(f"system {system.key!r}: the http connector needs `endpoints`")
        if len(system.tables) != 1:
            raise InvalidInput(
                f"system {system.key!r}: the http connector serves exactly one table"
            )
        self.system = system
        self.graph = build_graph(system)
        self.endpoints = system.endpoints
        self.spec = system.tables[0]
        self.table = self.spec.name
        if len(self.spec.key_columns) != 1:
            raise InvalidInput(
                f"system {system.key!r}: the http connector addresses a record by one id, but "
                f"{self.table!r} has the composite key ({', '.join(self.spec.key_columns)})"
            )
        self.pk = self.spec.key_columns[0]
        self.url = url.rstrip("/")
        headers = {"Accept": "application/json"}
        if system.auth is not None:
            token = _token(system, os.environ if env is None else env, base_dir)
            headers[system.auth.header] = f"{system.auth.scheme} {token}".strip()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), headers=headers
        )

    # --- transport --------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        try:
            resp = self._client.request(method, self.url + path, json=json)
        except httpx.TimeoutException:
            raise Unavailable(f"system {self.system.key!r} timed out") from None
        except httpx.HTTPError as err:
            raise Unavailable(
                f"system {self.system.key!r} is unavailable ({err.__class__.__name__})"
            ) from None
        if resp.status_code >= 500:
            raise Unavailable(f"system {self.system.key!r} answered {resp.status_code}")
        if resp.status_code in (401, 403):
            raise Unavailable(
                f"system {self.system.key!r} refused Steward's credentials ({resp.status_code})"
            )
        return resp

    def _json(self, resp: httpx.Response, what: str) -> Any:
        if resp.status_code >= 400:
            raise InvalidInput(f"system {self.system.key!r}: {what} answered {resp.status_code}")
        try:
            return resp.json()
        except ValueError:
            raise InvalidInput(f"system {self.system.key!r}: {what} did not answer JSON") from None

    def _path(self, template: str | None, what: str, **values: str) -> str:
        if template is None:
            raise InvalidInput(f"system {self.system.key!r} has no `{what}` endpoint")
        for name, value in values.items():
            template = template.replace("{" + name + "}", quote(value, safe=""))
        return template

    def close(self) -> None:
        self._client.close()

    def ping(self) -> None:
        kind = next(iter(self.spec.identities), "email")
        path = self._path(self.endpoints.lookup, "lookup", identity_type=kind,
                          value="ping@steward.invalid")
        self._json(self._call("GET", path), "lookup")

    # --- search -----------------------------------------------------------------------------

    def _declared(self, record: Mapping[str, Any]) -> Row:
        cols = self.graph.columns(self.table)
        return {c: json_safe(record.get(c)) for c in cols}

    def find(self, identities: Identities) -> SubjectRecords:
        known = {k: set(v) for k, v in normalize_identities(identities).items()}
        asked: set[tuple[str, str]] = set()
        found: dict[Any, Row] = {}
        pk = self.pk
        for _ in range(MAX_ROUNDS):
            todo = [
                (kind, v) for kind in self.spec.identities
                for v in sorted(known.get(kind, ())) if (kind, v) not in asked
            ]
            if not todo:
                break
            for kind, value in todo:
                asked.add((kind, value))
                path = self._path(self.endpoints.lookup, "lookup", identity_type=kind,
                                  value=value)
                body = self._json(self._call("GET", path), "lookup")
                items = body.get("records", []) if isinstance(body, dict) else body
                col = self.spec.identity_column(kind) or kind
                for item in items if isinstance(items, list) else []:
                    # Exact re-match: an API may search loosely (prefix, case-insensitive).
                    if isinstance(item, dict) and str(item.get(col, "")).strip() == value:
                        row = self._declared(item)
                        found.setdefault(row[pk], row)
            for kind, col in self.spec.identity_pairs:
                for row in found.values():
                    if row.get(col) not in (None, ""):
                        known.setdefault(kind, set()).add(str(row[col]).strip())
        return SubjectRecords(
            system=self.system.key,
            tables={self.table: list(found.values())} if found else {},
            primary_keys={self.table: (pk,)},
            identities={k: sorted(v) for k, v in known.items() if v},
        )

    def export(
        self, records: SubjectRecords, *, portable_only: bool = False
    ) -> dict[str, list[Row]]:
        drop = {
            f.name for f in self.spec.fields if f.secret or (portable_only and not f.provided)
        }
        rows: list[Row] = []
        for row in records.tables.get(self.table, []):
            full = row
            if self.endpoints.export:
                resp = self._call("GET", self._path(self.endpoints.export, "export",
                                                    id=str(row[self.pk])))
                if resp.status_code == 404:
                    continue  # gone since the search
                full = self._declared(self._json(resp, "export"))
            rows.append({k: v for k, v in full.items() if k not in drop})
        return {self.table: rows} if rows else {}

    # --- changes ----------------------------------------------------------------------------

    def plan_erasure(
        self, records: SubjectRecords, *, keep: KeepHook | None = None, salt: str = ""
    ) -> ErasurePlan:
        _own(self.system.key, records.system)
        changes, kept, notes = decide(self.graph, records, keep=keep, salt=salt)
        statements: list[Statement] = []
        deletes = [ch.pk for ch in changes if ch.op == "delete"]
        for ch in (c for c in changes if c.op == "update"):
            cols = tuple(ch.values)
            statements.append(Statement(
                system=self.system.key, table=self.table, op="update",
                sql="PATCH " + self._template("rectify"), columns=cols,
                actions=tuple(ch.actions.items()), rows=1,
                params=({"pk": ch.pk} | {f"new_{i}": ch.values[c] for i, c in enumerate(cols)},),
            ))
        if deletes:
            statements.append(Statement(
                system=self.system.key, table=self.table, op="delete",
                sql="DELETE " + self._template("delete"), rows=len(deletes),
                params=tuple({"pk": pk} for pk in deletes),
            ))
        return ErasurePlan(self.system.key, tuple(statements), tuple(kept), tuple(notes))

    def _template(self, what: str) -> str:
        template = getattr(self.endpoints, what)
        if template is None:
            raise InvalidInput(f"system {self.system.key!r} has no `{what}` endpoint")
        return str(template)

    def apply(self, plan: ErasurePlan) -> dict[str, Counts]:
        _own(self.system.key, plan.system)
        counts: dict[str, Counts] = {}
        for st in plan.statements:
            n = 0
            for p in st.params:
                if st.op == "delete":
                    path = self._path(self.endpoints.delete, "delete", id=str(p["pk"]))
                    resp = self._call("DELETE", path)
                    if resp.status_code != 404:  # already gone: nothing changed
                        self._ok(resp, "delete")
                        n += 1
                else:
                    values = {c: p[f"new_{i}"] for i, c in enumerate(st.columns)}
                    n += self._patch_if_different(p["pk"], values)
            add = Counts(deleted=n) if st.op == "delete" else Counts(updated=n)
            counts[st.table] = counts.get(st.table, Counts()) + add
        return counts

    def _ok(self, resp: httpx.Response, what: str) -> None:
        if resp.status_code >= 400:
            raise InvalidInput(f"system {self.system.key!r}: {what} answered {resp.status_code}")

    def _current(self, pk: PkValue) -> Row | None:
        resp = self._call("GET", self._path(self.endpoints.export, "export", id=str(pk)))
        if resp.status_code == 404:
            return None
        return self._declared(self._json(resp, "export"))

    def _patch_if_different(self, pk: PkValue, values: dict[str, Any]) -> int:
        current = self._current(pk)
        if current is None or all(current.get(c) == v for c, v in values.items()):
            return 0
        resp = self._call("PATCH", self._path(self.endpoints.rectify, "rectify", id=str(pk)),
                          json=values)
        self._ok(resp, "rectify")
        return 1

    def rectify(self, table: str, pk: PkValue, changes: Mapping[str, Any]) -> Rectification:
        if table != self.table:
            raise InvalidInput(f"system {self.system.key!r} has no table {table!r}")
        allowed = {f.name for f in self.spec.fields} | set(self.spec.identity_column_names)
        allowed -= self.graph.structural_columns(table)
        bad = sorted(set(changes) - allowed)
        if bad or not changes:
            raise InvalidInput(
                f"cannot rectify {table}.{', '.join(bad) or '(nothing)'}: only declared personal "
                f"fields can be changed ({', '.join(sorted(allowed))})"
            )
        pk = key_tuple(pk, (self.pk,))[0]
        old = self._current(pk)
        if old is None:
            raise NotFound(f"{self.system.key}.{table} has no row {pk!r}")
        resp = self._call("PATCH", self._path(self.endpoints.rectify, "rectify", id=str(pk)),
                          json=dict(changes))
        new = self._declared(self._json(resp, "rectify"))
        cols = list(changes)
        return Rectification(
            table, pk, {c: old.get(c) for c in cols}, {c: new.get(c) for c in cols}
        )

    def set_restriction(self, records: SubjectRecords, on: bool) -> dict[str, int]:
        _own(self.system.key, records.system)
        flag = self.spec.restriction_flag
        rows = records.tables.get(self.table, [])
        if not flag or not rows:
            return {}
        n = sum(self._patch_if_different(r[self.pk], {flag: on}) for r in rows)
        return {self.table: n}


def _own(system: str, other: str) -> None:
    if system != other:
        raise InvalidInput(f"these records belong to system {other!r}, not {system!r}")


def _token(system: SystemSpec, env: Mapping[str, str], base_dir: Path | None) -> str:
    auth = system.auth
    assert auth is not None
    if env.get(auth.token_env):
        return env[auth.token_env].strip()
    if auth.token_file:
        path = Path(auth.token_file)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
    raise InvalidInput(
        f"system {system.key!r}: set the environment variable {auth.token_env} to its API token"
    )
