"""Load test of the dashboard: 20 concurrent signed-in users against a server on 127.0.0.1.

    python bench/web_load.py [--data-dir DIR] [--users 20] [--requests 2000] [--seconds 60]

Starts `uvicorn` in a subprocess on a free loopback port, on DIR's warehouse and records
(default: the demo, built in a temporary folder), signs each user in with their own session,
warms the cache with one request, then sends at most `--requests` requests to the dashboard
for at most `--seconds` and prints requests per second and latency percentiles. Bounded in
count and time; stops the server it started.
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
from pathlib import Path

import httpx

PASSWORD_OF_VIEWER = "demo-board-2014"


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


async def _sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    done = await client.post(
        "/sign-in",
        data={"username": "viewer", "password": PASSWORD_OF_VIEWER, "csrf_token": token.group(1)},
    )
    assert done.status_code == 303, done.text[:300]


async def _run(base: str, users: int, requests: int, seconds: float) -> None:
    clients = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(users)]
    for client in clients:
        await _sign_in(client)
    warm = await clients[0].get("/")
    assert warm.status_code == 200, warm.status_code
    latencies: list[float] = []
    failures = 0
    remaining = requests
    deadline = time.perf_counter() + seconds

    async def user(client: httpx.AsyncClient) -> None:
        nonlocal remaining, failures
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            start = time.perf_counter()
            response = await client.get("/")
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                failures += 1

    began = time.perf_counter()
    await asyncio.gather(*(user(c) for c in clients))
    elapsed = time.perf_counter() - began
    for client in clients:
        await client.aclose()
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    print(
        f"dashboard (GET /), {users} concurrent users, {len(ordered)} requests "
        f"in {elapsed:.1f} s, {failures} failed"
    )
    print(f"requests per second: {len(ordered) / elapsed:.1f}")
    print(
        f"latency ms: p50 {pct(0.50):.0f}, p95 {pct(0.95):.0f}, p99 {pct(0.99):.0f}, "
        f"mean {statistics.fmean(ordered) * 1000:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    data_dir = _prepare(args.data_dir)
    port = _free_port()
    env = os.environ | {
        "CSCMONITOR_DATA_DIR": str(data_dir),
        "CSCMONITOR_ENVIRONMENT": "development",
        "CSCMONITOR_SECRET_KEY": "load-test-secret-key-0123456789-abcdefghij",
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
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        asyncio.run(_run(base, args.users, args.requests, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
