"""Fan-out: a request searches and erases its systems at the same time.

Two HTTP systems (the demo newsletter API, served twice by uvicorn) each hold their first
search and their first delete at a gate until the other system's call has arrived too. Run one
after the other, the first call would wait at the gate alone until it gave up; run together,
both calls start before either ends. The proof is the order of the events the servers saw,
never a timing.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Receive, Scope, Send
from tests.connectors.servers import serve
from tests.helpers import PROMARK
from tests.requests.conftest import (
    NEWSLETTER_TOKEN,
    TODAY,
    Company,
    _company,
    one_step,
    reviewed_policy,
)
from tests.requests.test_workflow import _approve_and_run, _submit_verified

from steward.demo.build import in_dir
from steward.demo.newsletter import newsletter_app
from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.requests import fanout
from steward.requests.plan import Systems, close_pool, discover, erasure_plans
from steward.requests.tables import DsrRequest
from steward.store.db import transaction

GATE_SECONDS = 20.0  # how long a call waits for its partner before going on alone


class Gates:
    """One barrier per phase (search, export, erase): the first call of that phase to each
    server meets it."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._barriers = {p: threading.Barrier(2) for p in ("search", "export", "erase")}
        self._seen: set[tuple[str, str]] = set()

    @staticmethod
    def phase(scope: Scope) -> str | None:
        if scope["type"] != "http":
            return None
        if scope["method"] == "DELETE":
            return "erase"
        if scope["method"] == "GET" and "/subscribers" in scope["path"]:
            return "search" if scope.get("query_string") else "export"
        return None

    def wrap(self, name: str, app: ASGIApp) -> ASGIApp:
        async def gated(scope: Scope, receive: Receive, send: Send) -> None:
            phase = self.phase(scope)
            first = False
            if phase is not None:
                with self._lock:
                    first = (name, phase) not in self._seen
                    self._seen.add((name, phase))
                    if first:
                        self.events.append(("start", name, phase))
            if first and phase is not None:
                try:
                    await asyncio.to_thread(self._barriers[phase].wait, GATE_SECONDS)
                except threading.BrokenBarrierError:
                    pass  # the partner never came: the calls were not concurrent
            await app(scope, receive, send)
            if first and phase is not None:
                with self._lock:
                    self.events.append(("end", name, phase))

        return gated

    def order(self, phase: str) -> list[str]:
        """The phase's events once both servers have recorded theirs: a server writes its
        "end" after the response has left, so the client may read before the last one."""
        deadline = time.monotonic() + GATE_SECONDS
        while True:
            with self._lock:
                seen = [kind for kind, _, p in self.events if p == phase]
            if len(seen) >= 4 or time.monotonic() > deadline:
                return seen
            time.sleep(0.01)


def two_newsletters() -> Policy:
    """The demo policy reduced to its newsletter API, declared twice (two SaaS tools)."""
    policy = load_policy(PROMARK)
    news = policy.system("newsletter")
    other = news.model_copy(update={"key": "newsletter_b", "url_env": "PROMARK_NEWSLETTER_B_URL"})
    return one_step(policy.model_copy(update={"systems": [news, other]}))


@pytest.fixture
def gated_company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[
    tuple[Company, Gates]
]:
    loc = in_dir(tmp_path / "demo")
    company = _company(loc, monkeypatch)
    second = tmp_path / "newsletter_b.db"
    shutil.copy(loc.newsletter_db, second)
    gates = Gates()
    a = gates.wrap("newsletter", newsletter_app(loc.newsletter_db, NEWSLETTER_TOKEN))
    b = gates.wrap("newsletter_b", newsletter_app(second, NEWSLETTER_TOKEN))
    with serve(a) as url_a, serve(b) as url_b:
        env = {"PROMARK_NEWSLETTER_URL": f"{url_a}/api",
               "PROMARK_NEWSLETTER_B_URL": f"{url_b}/api",
               "PROMARK_NEWSLETTER_TOKEN": NEWSLETTER_TOKEN}
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        company.env.update(env)
        yield company, gates
        close_pool()


def test_search_asks_both_systems_at_once(gated_company: tuple[Company, Gates]) -> None:
    company, gates = gated_company
    policy = two_newsletters()
    systems = Systems(policy, env=company.env)
    try:
        found = discover(policy, systems, {"email": [company.who["email"]]})
    finally:
        systems.close()
    assert found.records["newsletter"].count() == found.records["newsletter_b"].count() == 1
    # Both searches had begun before either was answered.
    assert gates.order("search") == ["start", "start", "end", "end"]


def test_erasure_erases_both_systems_at_once(
    gated_company: tuple[Company, Gates], dsm: Any, settings: Any
) -> None:
    company, gates = gated_company
    policy = two_newsletters()
    out = _submit_verified(dsm, settings, policy, company.who["email"], "erasure")
    assert _approve_and_run(dsm, settings, policy, out.id) == "completed"
    assert gates.order("erase") == ["start", "start", "end", "end"]
    with transaction(dsm) as s:
        result = json.loads(s.get_one(DsrRequest, out.id).result_json or "{}")
    # Each system recorded its own erasure (its own transaction and progress row).
    assert result["erased"] == {"newsletter.subscribers deleted": 1,
                                "newsletter_b.subscribers deleted": 1}


def test_access_reads_both_systems_at_once(
    gated_company: tuple[Company, Gates], dsm: Any, settings: Any
) -> None:
    company, gates = gated_company
    policy = two_newsletters()
    out = _submit_verified(dsm, settings, policy, company.who["email"], "access")
    assert _approve_and_run(dsm, settings, policy, out.id) == "completed"
    assert gates.order("export") == ["start", "start", "end", "end"]
    with transaction(dsm) as s:
        result = json.loads(s.get_one(DsrRequest, out.id).result_json or "{}")
    assert result["exported"] == {"newsletter": {"subscribers": 1},
                                  "newsletter_b": {"subscribers": 1}}


def test_an_unreachable_system_is_reported_after_the_others_finished() -> None:
    done: list[str] = []
    gate = threading.Barrier(2)

    def work(key: str) -> str:
        gate.wait(GATE_SECONDS)  # both calls are running before either ends
        if key == "down":
            raise ConnectionError("down")
        done.append(key)
        return key

    with pytest.raises(ConnectionError):
        fanout.each_system(["down", "up"], work)
    assert done == ["up"]  # the healthy system's work was not abandoned


def test_calls_into_one_system_are_bounded_across_requests() -> None:
    """Two requests fanning out at once never run more than `per_system` calls into the same
    system: the second request's call waits until the first one's has ended."""
    system = f"bounded-{uuid.uuid4().hex}"  # a slot of its own, not shared with other tests
    entries: list[threading.Event] = [threading.Event(), threading.Event()]
    release = threading.Event()
    done: list[str] = []
    entered: list[str] = []
    lock = threading.Lock()

    def work(key: str) -> str:
        with lock:
            entries[len(entered)].set()
            entered.append(key)
        release.wait(GATE_SECONDS)
        done.append(key)
        return key

    def request() -> None:
        fanout.each_system([system], work, per_system=1)

    first, second = threading.Thread(target=request), threading.Thread(target=request)
    first.start()
    assert entries[0].wait(GATE_SECONDS)
    second.start()
    # The second call must not get in while the first holds the system's only slot.
    assert not entries[1].wait(1.0)
    release.set()
    first.join(GATE_SECONDS)
    second.join(GATE_SECONDS)
    assert done == [system, system]


def test_threads_are_kept_and_the_caller_works_too() -> None:
    """The pool's threads outlive a fan-out (no thread started per round of every request),
    and the calling thread runs the first system's call itself. Which kept thread takes a call
    is the executor's choice, so the test counts threads over many rounds: started per round,
    they would be two per round; kept, they never exceed the pool's size."""
    rounds = 3 * fanout.MAX_THREADS
    seen: list[set[threading.Thread]] = []
    for _ in range(rounds):
        gate = threading.Barrier(3)
        threads: set[threading.Thread] = set()

        def work(
            key: str, gate: threading.Barrier = gate, threads: set[threading.Thread] = threads
        ) -> str:
            gate.wait(GATE_SECONDS)  # all three calls run at once
            threads.add(threading.current_thread())
            return key

        keys = [f"{k}-{uuid.uuid4().hex}" for k in "abc"]  # slots of their own
        assert fanout.each_system(keys, work) == keys
        seen.append(threads)
    caller = threading.current_thread()
    assert all(caller in threads for threads in seen)
    pooled = [t - {caller} for t in seen]
    assert all(len(p) == 2 for p in pooled)
    # The Thread objects are held here, so two different threads are never the same object.
    used = set().union(*pooled)
    assert all(t.name.startswith(fanout.THREAD_PREFIX) for t in used)
    assert len(used) <= fanout.MAX_THREADS < 2 * rounds


def test_a_fan_out_inside_a_fan_out_runs_in_line() -> None:
    """A call that fans out again from one of the pool's threads runs its calls one after the
    other on that thread: it never waits for a free pool thread, so it cannot deadlock."""
    inner_threads: list[tuple[str, set[str]]] = []

    def inner(key: str) -> str:
        return threading.current_thread().name

    def outer(key: str) -> list[str]:
        names = fanout.each_system([f"{key}-1", f"{key}-2", f"{key}-3"], inner)
        inner_threads.append((threading.current_thread().name, set(names)))
        return names

    results = fanout.each_system(["x", "y"], outer)
    assert len(results) == 2 and all(len(r) == 3 for r in results)
    from_pool = [(t, names) for t, names in inner_threads
                 if t.startswith(fanout.THREAD_PREFIX)]
    assert from_pool, "the second outer call ran on a pool thread"
    assert all(names == {t} for t, names in from_pool)


def test_the_dry_run_plans_the_systems_at_once(sqlite_company: Company) -> None:
    """Each SQL system's plan asks which rows point at the rows it would delete. The first
    such query of the CRM and of the portal meet at a gate: planned one after the other, the
    first would wait there alone until it gave up."""
    company = sqlite_company
    policy = reviewed_policy()
    gate = threading.Barrier(2)
    events: list[tuple[str, str]] = []
    lock = threading.Lock()
    waited: set[str] = set()

    def before(conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        database = Path(conn.engine.url.database or "").stem
        if " JOIN " not in statement or database not in ("crm", "portal"):
            return
        with lock:
            first = database not in waited
            waited.add(database)
            if first:
                events.append(("start", database))
        if first:
            try:
                gate.wait(GATE_SECONDS)
            except threading.BrokenBarrierError:
                pass  # the partner never came: the plans were not made at the same time
            with lock:
                events.append(("end", database))

    systems = Systems(policy, env=company.env)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    try:
        found = discover(policy, systems, {"email": [company.who["email"]]})
        plans = erasure_plans(policy, systems, found, TODAY, "salt")
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
        systems.close()
    assert {"crm", "portal"} <= set(plans)
    assert [kind for kind, _ in events] == ["start", "start", "end", "end"]
