"""Load test of the web pages: 20 concurrent signed-in users against a server on 127.0.0.1.

    python bench/web_load.py [--data-dir DIR] [--users 20] [--requests 600] [--seconds 60]
                             [--page dashboard --page indicator --page explain
                              --page framework]
                             [--src SRC ...] [--user analyst]

Starts `uvicorn` in a subprocess on a free loopback port, on DIR's warehouse and records
(default: the demo, built in a temporary folder), signs each user in with their own session
(the demo's trust analyst by default: the only demo role that may see "explain this
figure"), then, page by page:

- dashboard: `GET /`;
- indicator: `GET /indicators/CODE` for each indicator of the dashboard's basket in turn;
- explain: `GET /indicators/CODE/explain` (the contract year's records behind the figure),
  the same codes in turn;
- framework: `GET /framework/ELEMENT` for each National Framework outcome and enabler in
  turn (the first of them computes every registered indicator, for all of them).

Each page's distinct addresses are asked for once first, one at a time (the slowest of these
is reported as "first"; it includes computing the figures), then the users send at most
`--requests` requests to that page for at most `--seconds`; requests per second, the
server's and the users' (this process's) processor time per request, latency percentiles and
the requests that did not answer 200 are printed. The users share the machine with the server:
on 2 cores, what they spend is time the server cannot have.

`--src` runs the whole test once per source tree given (e.g. `--src /path/to/main/src
--src src`: before and after, on the same data, in the same run), each with its own server
with that tree first on PYTHONPATH. Bounded in count and time; stops every server it started.
The machine's load average is printed before and after each run: on a shared machine read
the before/after ratio of one run rather than the milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from cscmonitor.indicators.framework import Framework

PASSWORDS = {"viewer": "demo-board-2014", "analyst": "demo-figures-2014"}
PAGES = ("dashboard", "indicator", "explain", "framework")
# p95, issue 18 item 3 (it sets none for the framework pages)
TARGET_MS = {"dashboard": 300, "indicator": 300, "explain": 1000}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(data_dir: Path | None) -> Path:
    from rich.console import Console

    from cscmonitor.demo import run_demo
    from cscmonitor.records import db
    from cscmonitor.records.accounts import seed_demo_users
    from cscmonitor.settings import Settings

    if data_dir is None:
        out = Path(tempfile.mkdtemp(prefix="cscmonitor-load-"))
        print(f"building the demo in {out} …", file=sys.stderr)
        run_demo(out, console=Console(stderr=True, quiet=True))
        data_dir = out / "data"
    engine = db.make_engine(db.database_url(Settings(data_dir=data_dir)))
    db.upgrade(engine)
    seed_demo_users(engine)
    engine.dispose()
    return data_dir


async def _sign_in(client: httpx.AsyncClient, user: str) -> None:
    page = await client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    done = await client.post(
        "/sign-in",
        data={"username": user, "password": PASSWORDS[user], "csrf_token": token.group(1)},
    )
    assert done.status_code == 303, done.text[:300]


@dataclass(frozen=True)
class Result:
    page: str
    requests: int
    failed: int
    seconds: float
    first_ms: float  # the slowest first request of an address (figures computed)
    p50: float
    p95: float
    p99: float
    mean: float
    failures: str  # what the failed requests answered, e.g. "3 x 503"
    cpu_ms: float  # the server's processor time per request (user + system, all its threads)
    client_ms: float  # this process's (the 20 users') processor time per request

    def row(self, src: str, users: int) -> str:
        target = TARGET_MS.get(self.page)
        met = "met" if target and self.p95 < target and self.failed == 0 else "missed"
        aim = f"p95 < {target} ms, 0 failed: {met}" if target else "none"
        failed = f"{self.failed} ({self.failures})" if self.failed else "0"
        return (
            f"| {src} | {self.page} | {users} | {self.requests} | {failed} | "
            f"{self.requests / self.seconds:.1f} | {self.cpu_ms:.1f} | {self.client_ms:.1f} | "
            f"{self.first_ms:.0f} | "
            f"{self.p50:.0f} | "
            f"{self.p95:.0f} | {self.p99:.0f} | {aim} |"
        )


HEADER = (
    "| source | page | users | requests | failed | requests/s | server CPU ms/request "
    "| client CPU ms/request | first ms | p50 ms | p95 ms | p99 ms | target |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


def _addresses(page: str, codes: list[str], elements: list[str]) -> list[str]:
    if page == "dashboard":
        return ["/"]
    if page == "indicator":
        return [f"/indicators/{code}" for code in codes]
    if page == "framework":
        return [f"/framework/{element}" for element in elements]
    return [f"/indicators/{code}/explain" for code in codes]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system processor seconds of the server's processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _server_pids(server: int) -> list[int]:
    """The server and its worker processes (uvicorn --workers N starts N children)."""
    children = Path(f"/proc/{server}/task/{server}/children")
    found = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [server, *found]


async def _load(
    clients: list[httpx.AsyncClient],
    page: str,
    urls: list[str],
    requests: int,
    seconds: float,
    pids: list[int],
) -> Result:
    first = 0.0
    for url in urls:  # one at a time: each address's figures computed once
        start = time.perf_counter()
        response = await clients[0].get(url)
        first = max(first, time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
    latencies: list[float] = []
    failed: Counter[str] = Counter()
    remaining = requests
    deadline = time.perf_counter() + seconds

    async def user(client: httpx.AsyncClient, offset: int) -> None:
        nonlocal remaining, failed
        turn = offset
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            url = urls[turn % len(urls)]
            turn += 1
            start = time.perf_counter()
            try:
                response = await client.get(url)
                status = str(response.status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            latencies.append(time.perf_counter() - start)
            if status != "200":
                failed[status] += 1

    began, cpu, client = time.perf_counter(), _cpu_seconds(pids), time.process_time()
    await asyncio.gather(*(user(c, n) for n, c in enumerate(clients)))
    elapsed, cpu = time.perf_counter() - began, _cpu_seconds(pids) - cpu
    client = time.process_time() - client
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return Result(
        page,
        len(ordered),
        failed.total(),
        elapsed,
        first * 1000,
        pct(0.50),
        pct(0.95),
        pct(0.99),
        statistics.fmean(ordered) * 1000,
        ", ".join(f"{n} x {status}" for status, n in failed.most_common()),
        cpu / max(1, len(ordered)) * 1000,
        client / max(1, len(ordered)) * 1000,
    )


async def _run(
    base: str,
    user: str,
    users: int,
    pages: list[str],
    requests: int,
    seconds: float,
    pids: list[int],
) -> list[Result]:
    clients = [httpx.AsyncClient(base_url=base, timeout=120) for _ in range(users)]
    try:
        for client in clients:
            await _sign_in(client, user)
        dashboard = await clients[0].get("/")
        assert dashboard.status_code == 200, dashboard.status_code
        codes = list(
            dict.fromkeys(re.findall(r'href="/indicators/([A-Z0-9_]+)[?"]', dashboard.text))
        )
        assert codes, "no indicator links on the dashboard"
        elements = [element.value for element in Framework]
        results = []
        for page in pages:
            urls = _addresses(page, codes, elements)
            results.append(await _load(clients, page, urls, requests, seconds, pids))
        return results
    finally:
        for client in clients:
            await client.aclose()


def _serve(src: Path, data_dir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = os.environ | {
        "CSCMONITOR_DATA_DIR": str(data_dir),
        "CSCMONITOR_ENVIRONMENT": "development",
        "CSCMONITOR_SECRET_KEY": "load-test-secret-key-0123456789-abcdefghij",
        "PYTHONPATH": os.pathsep.join([str(src.resolve()), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("CSCMONITOR_DATABASE_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "cscmonitor.web.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            # The users wait while each address is first computed, one at a time: kept-alive
            # connections idle past uvicorn's 5 s would be closed as a request is sent on
            # them (httpx: RemoteProtocolError), a race of the bench, not of the pages.
            "--timeout-keep-alive",
            "300",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.terminate()
            raise SystemExit("the server did not start")
        time.sleep(0.2)


def _load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=600, help="per page")
    parser.add_argument("--seconds", type=float, default=60.0, help="per page")
    parser.add_argument("--page", action="append", choices=PAGES, help="default: all four")
    parser.add_argument("--src", action="append", type=Path, help="default: this checkout's")
    parser.add_argument("--user", choices=sorted(PASSWORDS), default="analyst")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    if args.user == "viewer" and "explain" in (args.page or PAGES):
        parser.error("a viewer may not see explain: --user analyst, or leave out --page explain")
    data_dir = _prepare(args.data_dir)
    sources = args.src or [Path(__file__).parents[1] / "src"]
    lines = [HEADER]
    for src in sources:
        print(f"{src}: load average before {_load_average()}", file=sys.stderr)
        server, base = _serve(src, data_dir, args.workers)
        try:
            pages, pids = args.page or list(PAGES), _server_pids(server.pid)
            results = asyncio.run(
                _run(base, args.user, args.users, pages, args.requests, args.seconds, pids)
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
        print(f"{src}: load average after {_load_average()}", file=sys.stderr)
        lines += [r.row(str(src), args.users) for r in results]
        print("\n".join(lines[-len(results) :]), file=sys.stderr)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
