"""Cost against catalog size: the real catalog and synthetic ones of 300, 3,000 and 30,000 items.

Run: .venv/bin/python tests/bench/bench_scale.py [--sizes 0,300,3000,30000] [--scrubs 30]
     [--dashboard-sizes 0,3000] [--skip load,server,export,page]

Size 0 is the real catalog; the others are written by tests/bench/make_catalog.py into a
temporary folder and used through the catalog option (FOXBAT76_CATALOG, `--catalog`). Per size:

- load: a fresh process reads and checks the catalog, builds the layer frames and the map's
  item store (what the dashboard does once per server process);
- server: a real `streamlit run app.py` per catalog, all running at once, one session each
  speaking Streamlit's websocket protocol (tests/stream_client.py, as bench_load.py): the first
  run, then `--scrubs` day changes (the date slider one day on), the sizes taking turns scrub
  by scrub so that all meet the same load, each timed from the rerun's send to its
  `script_finished`, with the bytes the server sent for it;
- export: `foxbat76 export --format html` of the whole period, its time (a new process) and size;
- page: that page in Debian's headless Chromium, ArrowRight `--scrubs` times from 1 Sep, key press
  to map updated (as bench_page.py: a MutationObserver on the map's day attribute), and the
  page's first paint (load to the first day drawn);
- dashboard (sizes in `--dashboard-sizes`): the dashboard in Chromium, the first map paint from
  the page's request, and key press to the new day on the map (as bench_scrub.py).

Results are printed as one table and written to tests/artifacts/bench_scale.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT), str(HERE)]

from bench_page import scrub_from_first_day  # noqa: E402  (path set above)
from bench_scrub import Design  # noqa: E402
from make_catalog import REAL_CATALOG, catalog_text  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from stream_client import DashboardSession, StreamlitServer, require_leaflet  # noqa: E402
from support import CHROMIUM, launch_chromium  # noqa: E402

FIRST_DAY = date(1976, 9, 10)  # the server's scrubs start here (away from the 6 Sep replay)
LOAD_SNIPPET = """
import json, time
started = time.perf_counter()
from geo.catalog import load_catalog
import layers
from geo.store import build_store
imported = time.perf_counter()
catalog = load_catalog()
loaded = time.perf_counter()
frames = layers.build_all()
built = time.perf_counter()
titles, styles = layers.presentation(list(frames))
store = build_store(frames, titles, styles)
stored = time.perf_counter()
print(json.dumps({"items": len(catalog.items), "import_s": imported - started,
                  "catalog_s": loaded - imported, "layers_s": built - loaded,
                  "store_s": stored - built,
                  "store_mb": len(json.dumps(store, separators=(",", ":"))) / 1e6}))
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def measure_load(catalog: Path) -> dict[str, Any]:
    """Catalog, layers and item store, timed in a fresh process."""
    env = {**os.environ, "FOXBAT76_CATALOG": str(catalog)}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_SNIPPET], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"load failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


async def _scrub_servers(urls: dict[int, str], scrubs: int) -> dict[int, dict[str, Any]]:
    """One session per server; the sizes take turns scrub by scrub (who goes first rotates),
    so that every size meets the same machine load."""
    sessions, found = {}, {}
    for size, url in urls.items():  # first runs one at a time: each builds its page data
        session = sessions[size] = DashboardSession(url, f"date={FIRST_DAY.isoformat()}")
        first = await session.open(timeout=900)
        found[size] = {"first_run_s": first.seconds, "first_run_kb": first.bytes / 1024}
    times: dict[int, list[float]] = {size: [] for size in urls}
    sizes: dict[int, list[int]] = {size: [] for size in urls}
    order = list(urls)
    try:
        for step in range(1, scrubs + 1):
            order = order[1:] + order[:1]
            for size in order:
                rerun = await sessions[size].scrub(FIRST_DAY + timedelta(days=step), timeout=120)
                if rerun.errors:
                    raise RuntimeError(f"size {size}: rerun failed: {rerun.errors}")
                times[size].append(rerun.seconds * 1000)
                sizes[size].append(rerun.bytes)
    finally:
        for session in sessions.values():
            await session.close()
    for size in urls:
        found[size].update(
            day_change_p50_ms=statistics.median(times[size]),
            day_change_p95_ms=percentile(times[size], 95),
            bytes_per_scrub=statistics.mean(sizes[size]),
            bytes_per_scrub_max=max(sizes[size]),
        )
    return found


def measure_servers(catalogs: dict[int, Path], scrubs: int) -> dict[int, dict[str, Any]]:
    """Day changes against one real `streamlit run` per catalog, all running at once."""
    servers = {
        size: StreamlitServer(ROOT / "app.py", env={"FOXBAT76_CATALOG": str(catalog)})
        for size, catalog in catalogs.items()
    }
    try:
        for server in servers.values():
            server.start(timeout=120)
        urls = {size: server.url for size, server in servers.items()}
        # In a thread of its own: Playwright's sync API holds this thread's event loop.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, _scrub_servers(urls, scrubs)).result()
    finally:
        for server in servers.values():
            server.stop()


def measure_export(catalog: Path, out: Path) -> dict[str, Any]:
    """`foxbat76 export --format html` of the whole period in a new process."""
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "foxbat76"), "--catalog", str(catalog), "export",
         "--format", "html", "--out", str(out), "--force"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return {"export_s": time.perf_counter() - started, "export_mb": out.stat().st_size / 1e6}


def measure_page(page_path: Path, scrubs: int, playwright: Any) -> dict[str, Any]:
    """The exported page in Chromium: first paint, then key press to map updated."""
    browser = launch_chromium(playwright)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        started = time.perf_counter()
        page.goto(page_path.as_uri(), timeout=300_000)
        page.wait_for_function(
            "document.getElementById('map').getAttribute('data-fx-day') !== null",
            timeout=300_000,
        )
        first_paint = time.perf_counter() - started
        drawn = [entry["frame"] for entry in scrub_from_first_day(page, scrubs, timeout=60_000)]
    finally:
        browser.close()
    return {
        "page_first_paint_s": first_paint,
        "page_redraw_p50_ms": percentile(drawn, 50),
        "page_redraw_p95_ms": percentile(drawn, 95),
    }


def measure_dashboard(catalog: Path, scrubs: int, playwright: Any) -> dict[str, Any]:
    """The dashboard in Chromium: first map paint, then key press to the new day on the map."""
    design = Design("app.py", ROOT / "app.py")
    design.server.env["FOXBAT76_CATALOG"] = str(catalog)
    try:
        design.start(playwright)
        for _ in range(scrubs):
            design.scrub()
    finally:
        design.stop()
    latencies = [scrub.latency_ms for scrub in design.results]
    return {
        "dashboard_first_paint_s": design.first_paint,
        "dashboard_redraw_p50_ms": percentile(latencies, 50),
        "dashboard_redraw_p95_ms": percentile(latencies, 95),
    }


ROWS = (
    ("items", "items", "{:,}"),
    ("catalog load (s)", "catalog_s", "{:.2f}"),
    ("layer build (s)", "layers_s", "{:.2f}"),
    ("item store build (s)", "store_s", "{:.2f}"),
    ("item store (MB)", "store_mb", "{:.2f}"),
    ("server first run (s)", "first_run_s", "{:.2f}"),
    ("day change, server p50 (ms)", "day_change_p50_ms", "{:.0f}"),
    ("day change, server p95 (ms)", "day_change_p95_ms", "{:.0f}"),
    ("bytes per scrub (mean)", "bytes_per_scrub", "{:,.0f}"),
    ("HTML export (s)", "export_s", "{:.1f}"),
    ("HTML export (MB)", "export_mb", "{:.2f}"),
    ("page first paint (s)", "page_first_paint_s", "{:.2f}"),
    ("page redraw p50 (ms)", "page_redraw_p50_ms", "{:.0f}"),
    ("page redraw p95 (ms)", "page_redraw_p95_ms", "{:.0f}"),
    ("dashboard first map paint (s)", "dashboard_first_paint_s", "{:.2f}"),
    ("dashboard redraw p50 (ms)", "dashboard_redraw_p50_ms", "{:.0f}"),
    ("dashboard redraw p95 (ms)", "dashboard_redraw_p95_ms", "{:.0f}"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,300,3000,30000", help="0: the real catalog")
    parser.add_argument("--scrubs", type=int, default=30)
    parser.add_argument("--dashboard-sizes", default="0,3000", help="also in the dashboard")
    parser.add_argument("--skip", default="", help="parts to leave out: load,server,export,page")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "tests" / "artifacts" / "bench_scale.json"
    )
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    require_leaflet()
    sizes = [int(size) for size in args.sizes.split(",")]
    dashboard_sizes = {int(size) for size in args.dashboard_sizes.split(",") if size}
    skip = set(args.skip.split(",")) - {""}
    results: dict[int, dict[str, Any]] = {size: {} for size in sizes}
    with tempfile.TemporaryDirectory(prefix="foxbat76-scale-") as tmp:
        catalogs = {}
        for size in sizes:
            catalogs[size] = REAL_CATALOG
            if size:
                catalogs[size] = Path(tmp) / f"catalog-{size}.toml"
                catalogs[size].write_text(catalog_text(size), encoding="utf-8")
        if "server" not in skip:
            before = os.getloadavg()[0]
            for size, found in measure_servers(catalogs, args.scrubs).items():
                results[size].update(found)
            print(f"servers: load average {before:.1f}-{os.getloadavg()[0]:.1f}", flush=True)
        with sync_playwright() as pw:
            for size in sizes:
                catalog, found = catalogs[size], results[size]
                found["load_average"] = os.getloadavg()[0]
                if "load" not in skip:
                    found.update(measure_load(catalog))
                page_path = Path(tmp) / f"page-{size}.html"
                if "export" not in skip:
                    found.update(measure_export(catalog, page_path))
                if "page" not in skip and page_path.exists():
                    found.update(measure_page(page_path, args.scrubs, pw))
                if size in dashboard_sizes:
                    found.update(measure_dashboard(catalog, args.scrubs, pw))
                found["load_average_after"] = os.getloadavg()[0]
                print(f"size {size or 'real'}: {json.dumps(found)}", flush=True)
    header = "".join(f"{size or 'real':>12}" for size in sizes)
    print(f"{'':32}{header}")
    for label, key, fmt in ROWS:
        cells = [results[s].get(key) for s in sizes]
        print(f"{label:32}" + "".join(f"{'-' if c is None else fmt.format(c):>12}" for c in cells))
    loads = " ".join(
        f"{r['load_average']:.1f}-{r['load_average_after']:.1f}" for r in results.values()
    )
    print(f"load average (1 min) before-after each size: {loads}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cpus": os.cpu_count(), "sizes": results}, indent=2))
    print(f"details: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
