"""Soak: does the dashboard's browser page grow while a user scrubs for a long time?

Run: .venv/bin/python tests/bench/bench_soak.py [--scrubs 1000] [--every 100]

Starts a real `streamlit run app.py`, opens it in Debian's headless Chromium and presses
ArrowRight on the date slider (ArrowLeft on the way back: the days go back and forth through
September), waiting after each key until the map shows the new day. Before the first scrub and
every `--every` scrubs it collects garbage (CDP HeapProfiler.collectGarbage) and records the JS
heap in use (Runtime.getHeapUsage), DOM nodes, documents and event listeners
(Memory.getDOMCounters), and inside the map's iframe: the `<style>` elements, the entries of
streamlit-folium's window.feature_group, Leaflet's click handlers on the map and the map's
layers, and the server's resident memory (psutil). Results are printed and written to
tests/artifacts/soak.json, with each figure's change from the sample after the first 50 scrubs
(the page settled) to the end: the targets are heap, DOM nodes and listeners within 10 % of
that value, and server RSS growth at most 20 MB.

The page and its map's iframe share one JS heap (same origin, one renderer). To see which
frame holds what: `--snapshots 50,1000` saves V8 heap snapshots after those scrubs and adds
each one's compiled code and other objects per frame to its sample (heap_diff.summary);
`heap_diff.py A B` compares two snapshots in detail. `--without timeline,panel,...` soaks
soak_variant_app.py, the app without those parts, to see what a part adds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "tests"), str(ROOT)]

import heap_diff  # noqa: E402
from playwright.sync_api import Frame, Page, sync_playwright  # noqa: E402
from support import (  # noqa: E402
    CHROMIUM,
    StreamlitServer,
    found,
    launch_chromium,
    require_leaflet,
)

START_DAY = date(1976, 9, 1)
# Days forward before turning back: in September, away from 6 Sep's replay. A round trip of
# 38 scrubs puts the 50th and the 1,000th scrub on the same day (13 Sep), so their pages
# compare like with like (with 20, the 1,000th fell on 1 Sep and showed fewer elements).
SPAN = 19

# What the map's iframe holds (streamlit-folium's window.map is the Leaflet map).
FRAME_COUNTS_JS = """
() => ({
    styles: document.querySelectorAll("style").length,
    feature_group: (window.feature_group || []).length,
    map_click_handlers: ((window.map._events || {}).click || []).length,
    map_layers: Object.keys(window.map._layers).length,
    nodes: document.getElementsByTagName("*").length,
})
"""


def map_frame(page: Page) -> Frame:
    (frame,) = [f for f in page.frames if "st_folium" in f.url]
    return frame


def sample(page: Page, cdp: Any, scrubs: int, server_pid: int) -> dict[str, Any]:
    """Garbage collected, then the heap, DOM counters, the map iframe's counts, server RSS."""
    import psutil

    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")
    dom = cdp.send("Memory.getDOMCounters")
    return {
        "scrubs": scrubs,
        "heap_used_mb": round(heap["usedSize"] / 2**20, 2),
        # Blink's own objects (DOM, performance entries), outside the JS heap
        "embedder_heap_mb": round(heap.get("embedderHeapUsedSize", 0) / 2**20, 2),
        "dom_nodes": dom["nodes"],
        "documents": dom["documents"],
        "js_event_listeners": dom["jsEventListeners"],
        "main_styles": page.evaluate("document.querySelectorAll('style').length"),
        **{f"map_{key}": value for key, value in map_frame(page).evaluate(FRAME_COUNTS_JS).items()},
        "server_rss_mb": round(psutil.Process(server_pid).memory_info().rss / 2**20, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrubs", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100, help="scrubs between samples")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "artifacts" / "soak.json")
    parser.add_argument("--script", type=Path, default=ROOT / "app.py", help="the app to soak")
    parser.add_argument(
        "--without",
        default="",
        help="soak soak_variant_app.py without these comma-separated parts of the page "
        "(timeline, panel, figures, url, sidebar) instead of --script",
    )
    parser.add_argument(
        "--snapshots",
        default="",
        help="comma-separated scrub counts after which to save a V8 heap snapshot "
        "(tests/artifacts/soak-<n>.heapsnapshot; compare two with heap_diff.py)",
    )
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    require_leaflet()
    snapshots = {int(n) for n in args.snapshots.split(",") if n.strip()}
    tmp = tempfile.TemporaryDirectory(prefix="foxbat76-soak-")
    env: dict[str, str] = {}
    if args.without:
        args.script = variant_script(Path(tmp.name))
        env = {"FOXBAT76_ROOT": str(ROOT), "FOXBAT76_SOAK_WITHOUT": args.without}
    server = StreamlitServer(args.script, cwd=args.script.parent, env=env).start()
    server_pid = found(server.process).pid
    samples: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            cdp = page.context.new_cdp_session(page)
            cdp.send("HeapProfiler.enable")
            page.goto(f"{server.url}/?date={START_DAY.isoformat()}")
            wait_for_day(page, START_DAY)
            page.wait_for_timeout(2000)  # the basemap and the store loaded, the page settled
            page.get_by_role("slider").first.focus()
            samples.append(sample(page, cdp, 0, server_pid))
            print(samples[-1])
            day, step = START_DAY, 1
            for done in range(1, args.scrubs + 1):
                if not START_DAY <= day + timedelta(days=step) <= START_DAY + timedelta(SPAN):
                    step = -step
                day += timedelta(days=step)
                page.keyboard.press("ArrowRight" if step > 0 else "ArrowLeft")
                wait_for_day(page, day)
                if done % args.every == 0 or done in (50, args.scrubs) or done in snapshots:
                    page.wait_for_timeout(500)  # the rest of the page's rerun arrives
                    samples.append(sample(page, cdp, done, server_pid))
                    print(samples[-1])
                if done in snapshots:
                    path = args.out.parent / f"soak-{done}.heapsnapshot"
                    save_heap_snapshot(cdp, path)
                    samples[-1]["snapshot"] = str(path)
                    print(f"heap snapshot: {path}")
            browser.close()
    finally:
        server.stop()
        tmp.cleanup()
    # After the run (the browser closed): each snapshot's code and objects per frame.
    for entry in samples:
        if "snapshot" in entry:
            entry["snapshot_mb"] = heap_diff.summary(Path(entry["snapshot"]))
            print(entry["scrubs"], entry["snapshot_mb"])
    first, last = samples[0], samples[-1]
    settled = next((s for s in samples if s["scrubs"] >= 50), first)
    growth = {key: last[key] - first[key] for key in first if key != "scrubs"}
    since_50 = {
        key: round(100 * (last[key] - settled[key]) / settled[key], 1)
        for key in ("heap_used_mb", "dom_nodes", "js_event_listeners")
    }
    rss = round(last["server_rss_mb"] - settled["server_rss_mb"], 1)
    print(f"{last['scrubs']} scrubs in {time.perf_counter() - started:.0f} s; growth: {growth}")
    print(f"since scrub {settled['scrubs']}: {since_50} % (target within 10 %), "
          f"server RSS {rss:+} MB (target at most +20 MB)")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {"samples": samples, "growth": growth, "since_50_percent": since_50, "rss_mb": rss}
    args.out.write_text(json.dumps(result, indent=2))
    print(f"details: {args.out}")
    return 0


def variant_script(folder: Path) -> Path:
    """soak_variant_app.py in `folder`, beside the project's static/ and .streamlit/."""
    script = folder / "soak_variant_app.py"
    shutil.copy(HERE / script.name, script)
    for name in ("static", ".streamlit"):
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    return script


def save_heap_snapshot(cdp: Any, path: Path) -> None:
    """A V8 heap snapshot of the page's renderer (the page and its same-origin iframes share
    one heap), written in the .heapsnapshot format Chrome's DevTools read."""
    chunks: list[str] = []

    def keep(event: dict[str, Any]) -> None:
        chunks.append(event["chunk"])

    cdp.on("HeapProfiler.addHeapSnapshotChunk", keep)
    try:
        cdp.send("HeapProfiler.collectGarbage")
        cdp.send("HeapProfiler.takeHeapSnapshot", {"reportProgress": False})
    finally:
        cdp.remove_listener("HeapProfiler.addHeapSnapshotChunk", keep)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(chunks))


def wait_for_day(page: Page, day: date) -> None:
    """Until the map's iframe has drawn `day` (the client marks its container) and the
    server's rerun for it has arrived."""
    page.wait_for_function(
        """(day) => [...document.querySelectorAll("iframe")].some(f => {
            try {
                // Our client marks its container; older builds marked the MiG-25's icon.
                const doc = f.contentDocument, fx = f.contentWindow.fx;
                const drawn = doc.querySelector(`[data-fx-day="${day}"], .fx-day-${day}`);
                // The map follows the slider before the server answers: a scrub is done when
                // the server's rerun for the day has arrived too (builds without fx.wanted
                // drew only then).
                const answered = !fx || !fx.wanted || (!fx.local && fx.wanted.day === day);
                return drawn !== null && answered;
            } catch (e) { return false; }
        })""",
        arg=day.isoformat(),
        polling="raf",
        timeout=30000,
    )


if __name__ == "__main__":
    sys.exit(main())
