"""An open-loop HTTP load: requests sent at a fixed rate over N keep-alive connections, each
request's latency counted from the moment it was *due* to be sent, not from when it was sent.

A closed-loop tool such as wrk keeps N requests in flight and sends the next one only when an
answer arrives, so its latency is tied to the server's throughput (Little's law: mean latency =
N / throughput) and a slow answer delays the requests behind it without counting that delay
("coordinated omission"). Here the requests are scheduled in advance (connection i sends its
k-th request at start + i / rate + k * N / rate); when the server falls behind, the wait counts
in the latency of every late request, as it does for the callers of a real service. This is the
method of wrk2 (`-R`), which Debian does not package.

Used by bench/workers.py (`--rates`); standard library only, so that it adds little CPU of its
own to the machine it measures (its own CPU time is reported beside the figures).
"""

from __future__ import annotations

import asyncio
import time


def _request(host: str, port: int, target: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _response(reader: asyncio.StreamReader) -> int:
    """Reads one HTTP/1.1 response (Content-Length or chunked body); returns its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    fields = {}
    for line in header_lines:
        if ":" in line:
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip()
    if "chunked" in fields.get("transfer-encoding", "").lower():
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif "content-length" in fields:
        await reader.readexactly(int(fields["content-length"]))
    return status


def run(
    host: str,
    port: int,
    target: str,
    headers: dict[str, str],
    *,
    rate: float,
    duration: float,
    conns: int,
) -> dict[str, float]:
    """Sends `rate` requests per second for `duration` seconds over `conns` connections.
    Returns p50/p99/max latency (ms, from each request's due time), the requests answered,
    errors (non-2xx answers and connection failures), the requests still unanswered when the
    run ended plus one period (counted as errors too) and the client's own CPU ms."""
    request = _request(host, port, target, headers)
    latencies: list[float] = []
    errors = [0]
    due_count = [0]

    async def connection(i: int, start: float, end: float) -> None:
        period = conns / rate
        due = start + i / rate
        reader = writer = None
        while due < end:
            loop = asyncio.get_running_loop()
            due_count[0] += 1
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(request)
                status = await _response(reader)  # type: ignore[arg-type]
                latencies.append(loop.time() - due)
                if not 200 <= status < 300:
                    errors[0] += 1
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors[0] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
            due += period
        if writer is not None:
            writer.close()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.1
        end = start + duration
        tasks = [asyncio.create_task(connection(i, start, end)) for i in range(conns)]
        # A request still unanswered one period after the run's end has failed its caller.
        done, pending = await asyncio.wait(tasks, timeout=duration + 0.1 + 5.0)
        for t in pending:
            t.cancel()
        errors[0] += len(pending)

    cpu0 = time.process_time()
    asyncio.run(main())
    cpu = time.process_time() - cpu0
    latencies.sort()

    def pct(q: float) -> float:
        if not latencies:
            return float("nan")
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {
        "p50": pct(0.50),
        "p99": pct(0.99),
        "max": 1000 * latencies[-1] if latencies else float("nan"),
        "requests": float(len(latencies)),
        "errors": float(errors[0]),
        "expected": float(due_count[0]),
        "client_cpu_ms": 1000 * cpu / max(1, len(latencies)),
    }
