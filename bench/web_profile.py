"""Where one request of a page spends its time: cProfile of the app in-process (no server).

    python bench/web_profile.py --data-dir DIR [--page dashboard] [--repeat 20] [--top 25]

Signs the demo's trust analyst in on DIR's warehouse and records, asks for the page once
(figures computed and cached), then profiles `--repeat` more requests of it, the warm path
every user after the first takes, and prints the functions by cumulative time and the
milliseconds a request. The app is driven through httpx's ASGI transport on this thread, with
anyio's worker threads replaced by a call in place, so the profile sees the route's own work.
Pages: dashboard (`/`), indicator and explain (the first basket indicator's), framework
(`/framework/safe`: the first view computes every indicator, not profiled). It works on DIR
itself, not a copy: explain's views are audited into DIR's records.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import re
import time
from pathlib import Path
from typing import Any

PAGES = ("dashboard", "indicator", "explain", "framework")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--page", choices=PAGES, default="dashboard")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    os.environ.pop("CSCMONITOR_DATABASE_URL", None)

    import anyio.to_thread
    import httpx

    from cscmonitor.records import db
    from cscmonitor.records.accounts import seed_demo_users
    from cscmonitor.settings import Settings
    from cscmonitor.web.app import create_app
    from cscmonitor.web.config import WebSettings

    async def in_place(func: Any, *call: Any, **_options: Any) -> Any:
        return func(*call)

    anyio.to_thread.run_sync = in_place  # type: ignore[assignment]
    core = Settings(_env_file=None, data_dir=args.data_dir)
    engine = db.make_engine(db.database_url(core))
    db.upgrade(engine)
    seed_demo_users(engine)
    engine.dispose()
    web = WebSettings(
        _env_file=None,
        environment="development",
        secret_key="profile-secret-key-0123456789-abcdefghijkl",
    )
    app = create_app(web, core)
    asyncio.run(_profile(app, args.page, args.repeat, args.top, httpx))


async def _profile(app: Any, page: str, repeat: int, top: int, httpx: Any) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        form = (await client.get("/sign-in")).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token, "no CSRF token on the sign-in page"
        signed = await client.post(
            "/sign-in",
            data={"username": "analyst", "password": "demo-figures-2014", "csrf_token": token[1]},
        )
        assert signed.status_code == 303, signed.text[:300]
        dashboard = (await client.get("/")).text
        code = re.findall(r'href="/indicators/([A-Z0-9_]+)[?"]', dashboard)[0]
        url = {
            "dashboard": "/",
            "indicator": f"/indicators/{code}",
            "explain": f"/indicators/{code}/explain",
            "framework": "/framework/safe",
        }[page]
        assert (await client.get(url)).status_code == 200
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        for _ in range(repeat):
            assert (await client.get(url)).status_code == 200
        profile.disable()
        elapsed = (time.perf_counter() - start) / repeat * 1000
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())
    print(f"{url}: {elapsed:.1f} ms a request (warm, profiled, {repeat} requests)")


if __name__ == "__main__":
    main()
