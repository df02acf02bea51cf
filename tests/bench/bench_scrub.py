"""Scrub benchmark: key press to the new day on the map, this app vs variants and a naive map.

Run: .venv/bin/python tests/bench/bench_scrub.py [--scrubs 64] [--no-naive] [--variants A,B]
     [--compare APP]

Designs: the app (app.py, whose map follows the date slider in the browser), variants of it
(--variants: a map that waits for the server's rerun, serverdrawn_app.py; a 50 ms pause after
a changed map, headstart_app.py; a 40 ms pause after the panel, panelpause_app.py) and a naive
design that rebuilds and remounts the whole folium map on every rerun (naive_app.py).

For each design it starts a real `streamlit run` on a free port, opens it in Debian's headless
Chromium (Playwright), and measures: start-up to first map paint, then for each arrow key on
the date slider (turning back at the period's ends) the time until the map shows the new day's
features, the time until the "On this day" panel has caught up too, the server time of that
rerun, and the bytes sent to the browser (websocket frames, plus HTTP for remounts). The
designs take turns in blocks of 16 days, so that all meet the same machine conditions. The
bytes of the map's own message (the st_folium element) are counted apart.
Results are printed and written to tests/artifacts/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from support import (  # noqa: E402  (path set above)
    CHROMIUM,
    StreamlitServer,
    is_local,
    launch_chromium,
    require_leaflet,
)

START_DAY, LAST_DAY = date(1976, 9, 1), date(1976, 11, 30)
WARMUP = 3
BLOCK = 16  # scrubs per turn when the designs alternate
QUIET_SECONDS = 0.25  # a rerun is over when its script_finished arrived and frames went quiet
TARGET_P95_MS, TARGET_PANEL_P95_MS, TARGET_MAP_BYTES, TARGET_FIRST_PAINT_S = 100.0, 150.0, 2048, 5.0

# Set on key down (capture phase, main page) so the clock starts at the key press itself.
INIT_JS = """
window.addEventListener("keydown", () => { window.__fxKey = performance.now(); }, true);
"""
# True once any map iframe on the page has drawn the given day's MiG marker.
FIND_DAY_JS = """
(selector) => {
    for (const frame of document.querySelectorAll("iframe")) {
        let doc = null;
        try { doc = frame.contentDocument; } catch (e) { continue; }
        if (doc && doc.querySelector(selector)) { return performance.now(); }
    }
    return false;
}
"""
# True once the "On this day" panel is about the given day: the whole page has caught up.
FIND_PANEL_JS = """
(heading) => {
    for (const h of document.querySelectorAll(".fx-panel h3")) {
        if (h.textContent.startsWith(heading)) { return performance.now(); }
    }
    return false;
}
"""


@dataclass
class Traffic:
    """What the browser received: websocket frames (size, message type, time) and HTTP bytes."""

    frames: list[tuple[float, int, str]] = field(default_factory=list)
    map_bytes: list[tuple[float, int]] = field(default_factory=list)  # st_folium elements
    http_bytes: int = 0
    urls: list[str] = field(default_factory=list)

    def on_frame(self, payload: bytes | str) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        now = time.perf_counter()
        try:
            message = ForwardMsg.FromString(data)
            kind = message.WhichOneof("type") or "?"
            if kind == "delta" and message.delta.new_element.WhichOneof("type") == (
                "component_instance"
            ):
                self.map_bytes.append((now, len(data)))
        except Exception:  # a non-protobuf frame still counts as bytes
            kind = "?"
        self.frames.append((now, len(data), kind))


@dataclass
class Scrub:
    day: str
    latency_ms: float
    panel_ms: float
    server_ms: float | None
    ws_bytes: int
    http_bytes: int
    map_bytes: int


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _wait_quiet(page: Page, traffic: Traffic, since: int, timeout: float = 30.0) -> None:
    """Wait until this rerun's script_finished arrived and no frame came for QUIET_SECONDS."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        page.wait_for_timeout(50)  # (not time.sleep: Playwright delivers events while waiting)
        frames = traffic.frames[since:]
        finished = any(kind == "script_finished" for _, _, kind in frames)
        last = frames[-1][0] if frames else 0.0
        if finished and time.perf_counter() - last >= QUIET_SECONDS:
            return
    raise TimeoutError("rerun did not finish")


def _server_ms(frames: list[tuple[float, int, str]]) -> float | None:
    """Script run time as the browser saw it: new_session to script_finished."""
    starts = [t for t, _, kind in frames if kind == "new_session"]
    ends = [t for t, _, kind in frames if kind == "script_finished"]
    if not starts or not ends:
        return None
    return (ends[-1] - starts[0]) * 1000


def _open(page: Page, traffic: Traffic, cdp: Any) -> None:
    page.add_init_script(INIT_JS)
    page.on("websocket", lambda ws: ws.on("framereceived", traffic.on_frame))
    page.on("request", lambda request: traffic.urls.append(request.url))

    def loaded(event: dict[str, Any]) -> None:
        traffic.http_bytes += int(event.get("encodedDataLength", 0))

    cdp.send("Network.enable")
    cdp.on("Network.loadingFinished", loaded)


class Design:
    """One design under test: its own `streamlit run`, Chromium and page, scrubbed one day at a
    time so that two designs can take turns (the same machine conditions for both)."""

    def __init__(self, name: str, script: Path, cwd: Path = ROOT) -> None:
        self.name = name
        self.server = StreamlitServer(script, cwd=cwd, env={"FOXBAT76_ROOT": str(ROOT)})
        self.traffic = Traffic()
        self.results: list[Scrub] = []
        self.first_paint = float("nan")
        self.day = START_DAY
        self.step = 1  # days per key press: turns at the period's ends, so any --scrubs fits
        self._browser: Any = None
        self._page: Page | None = None

    def start(self, playwright: Any) -> None:
        """Start the server, open the page at START_DAY and time the first map paint."""
        self._browser = launch_chromium(playwright)
        context = self._browser.new_context(viewport={"width": 1400, "height": 1000})
        page = self._page = context.new_page()
        _open(page, self.traffic, context.new_cdp_session(page))
        self.server.start()
        up = time.perf_counter()
        page.goto(f"{self.server.url}/?date={START_DAY.isoformat()}")
        page.wait_for_function(
            FIND_DAY_JS, arg=f".fx-day-{START_DAY.isoformat()}", polling="raf", timeout=60000
        )
        self.first_paint = time.perf_counter() - up
        _wait_quiet(page, self.traffic, 0)
        page.get_by_role("slider").first.focus()

    def scrub(self, record: bool = True) -> None:
        """Press an arrow key once; time it until the new day is on the map and all went quiet."""
        assert self._page is not None, "start() first"
        page, traffic = self._page, self.traffic
        if not START_DAY <= self.day + timedelta(days=self.step) <= LAST_DAY:
            self.step = -self.step
        self.day += timedelta(days=self.step)
        since, http_before = len(traffic.frames), traffic.http_bytes
        map_before = len(traffic.map_bytes)
        page.keyboard.press("ArrowRight" if self.step > 0 else "ArrowLeft")
        found = page.wait_for_function(
            FIND_DAY_JS, arg=f".fx-day-{self.day.isoformat()}", polling="raf", timeout=30000
        ).json_value()
        panel = page.wait_for_function(
            FIND_PANEL_JS, arg=f"On this day: {self.day.day} {self.day:%B %Y}", polling="raf"
        ).json_value()
        key = page.evaluate("window.__fxKey")
        latency, panel_latency = found - key, panel - key
        _wait_quiet(page, traffic, since)
        frames = traffic.frames[since:]
        if record:
            self.results.append(
                Scrub(
                    day=self.day.isoformat(),
                    latency_ms=latency,
                    panel_ms=panel_latency,
                    server_ms=_server_ms(frames),
                    ws_bytes=sum(size for _, size, _ in frames),
                    http_bytes=traffic.http_bytes - http_before,
                    map_bytes=sum(size for _, size in traffic.map_bytes[map_before:]),
                )
            )

    def stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
        self.server.stop()

    def summary(self) -> dict[str, Any]:
        results = self.results
        latencies = [s.latency_ms for s in results]
        server_times = [s.server_ms for s in results if s.server_ms is not None]
        total_bytes = [s.ws_bytes + s.http_bytes for s in results]
        return {
            "design": self.name,
            "scrubs": len(results),
            "server_up_s": self.server.ready_seconds,
            "first_paint_s": self.first_paint,
            "latency_p50_ms": _percentile(latencies, 50),
            "latency_p95_ms": _percentile(latencies, 95),
            "latency_max_ms": max(latencies),
            "panel_p50_ms": _percentile([s.panel_ms for s in results], 50),
            "panel_p95_ms": _percentile([s.panel_ms for s in results], 95),
            "server_p50_ms": _percentile(server_times, 50) if server_times else None,
            "server_p95_ms": _percentile(server_times, 95) if server_times else None,
            "ws_bytes_mean": statistics.mean(s.ws_bytes for s in results),
            "http_bytes_mean": statistics.mean(s.http_bytes for s in results),
            "bytes_mean": statistics.mean(total_bytes),
            "bytes_max": max(total_bytes),
            "map_bytes_mean": statistics.mean(s.map_bytes for s in results),
            "off_machine_requests": sorted({url for url in self.traffic.urls if not is_local(url)}),
            "per_scrub": [s.__dict__ for s in results],
        }


def run_designs(designs: list[Design], scrubs: int, block: int = BLOCK) -> list[dict[str, Any]]:
    """Start each design in turn, then scrub them in alternating blocks of `block` days.

    Machine conditions here drift within a minute by more than the differences measured, so
    one design's scrubs all before the other's would compare different machines. Within a
    block a design scrubs day after day, as a user does (one unrecorded scrub first, after the
    other design's turn); who goes first alternates from block to block.
    """
    with sync_playwright() as playwright:
        try:
            for design in designs:
                design.start(playwright)
                for _ in range(WARMUP):
                    design.scrub(record=False)
            for turn, start in enumerate(range(0, scrubs, block)):
                for design in designs if turn % 2 == 0 else designs[::-1]:
                    design.scrub(record=False)
                    for _ in range(min(block, scrubs - start)):
                        design.scrub()
        finally:
            for design in designs:
                design.stop()
    return [design.summary() for design in designs]


# Variants of the app (tests/bench/), each taking turns with it.
VARIANTS = {
    "server-drawn": "serverdrawn_app.py",  # the map waits for the rerun's message
    "head start": "headstart_app.py",  # a 50 ms pause after a changed map
    "panel pause": "panelpause_app.py",  # a 40 ms pause after the panel and figures
}


def _variant_names(text: str) -> str:
    unknown = [name for name in text.split(",") if name and name not in VARIANTS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown variant(s) {unknown}; known: {list(VARIANTS)}")
    return text


def _variant_script(name: str, folder: Path) -> Path:
    """A variant app in a temp folder whose static/ is the project's (Streamlit serves it)."""
    script = folder / name
    shutil.copy(HERE / name, script)
    if not (folder / "static").exists():
        (folder / "static").symlink_to(ROOT / "static", target_is_directory=True)
    return script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrubs", type=int, default=64, help="timed scrubs per design (>= 60)")
    parser.add_argument("--no-naive", action="store_true", help="leave the naive design out")
    parser.add_argument(
        "--variants",
        default="server-drawn,head start",
        type=_variant_names,
        help=f"comma-separated variants of the app to add (of: {', '.join(VARIANTS)})",
    )
    parser.add_argument(
        "--compare", type=Path, help="another build's app.py (e.g. a worktree of main) to add"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "artifacts" / "bench.json")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    require_leaflet()
    with tempfile.TemporaryDirectory(prefix="foxbat76-variants-") as tmp:
        designs = [
            Design("app.py", ROOT / "app.py"),
            *(
                Design(name, _variant_script(VARIANTS[name], Path(tmp)))
                for name in args.variants.split(",")
                if name
            ),
        ]
        if args.compare is not None:
            designs.append(Design("compared", args.compare.resolve(), args.compare.parent))
        if not args.no_naive:
            designs.append(Design("naive remount", _variant_script("naive_app.py", Path(tmp))))
        results = run_designs(designs, args.scrubs)
    ours = results[0]
    checks = {
        f"map p95 <= {TARGET_P95_MS:.0f} ms": ours["latency_p95_ms"] <= TARGET_P95_MS,
        f"panel p95 <= {TARGET_PANEL_P95_MS:.0f} ms": ours["panel_p95_ms"] <= TARGET_PANEL_P95_MS,
        f"map message per scrub <= {TARGET_MAP_BYTES} bytes": ours["map_bytes_mean"]
        <= TARGET_MAP_BYTES,
        f"first paint <= {TARGET_FIRST_PAINT_S:.0f} s": ours["first_paint_s"]
        <= TARGET_FIRST_PAINT_S,
        "no request left the machine": not any(r["off_machine_requests"] for r in results),
    }
    rows = [
        ("first map paint after server up (s)", "first_paint_s", "{:.2f}"),
        ("scrub latency p50 (ms)", "latency_p50_ms", "{:.0f}"),
        ("scrub latency p95 (ms)", "latency_p95_ms", "{:.0f}"),
        ("scrub latency max (ms)", "latency_max_ms", "{:.0f}"),
        ("whole page caught up p50 (ms)", "panel_p50_ms", "{:.0f}"),
        ("whole page caught up p95 (ms)", "panel_p95_ms", "{:.0f}"),
        ("server time per rerun p50 (ms)", "server_p50_ms", "{:.0f}"),
        ("server time per rerun p95 (ms)", "server_p95_ms", "{:.0f}"),
        ("map message bytes per scrub (mean)", "map_bytes_mean", "{:,.0f}"),
        ("websocket bytes per scrub (mean)", "ws_bytes_mean", "{:,.0f}"),
        ("HTTP bytes per scrub (mean)", "http_bytes_mean", "{:,.0f}"),
        ("bytes per scrub, total (mean)", "bytes_mean", "{:,.0f}"),
    ]
    header = "".join(f"{r['design']:>16}" for r in results)
    print(f"{'':40}{header}   ({ours['scrubs']} scrubs each)")
    for label, key, fmt in rows:
        print(f"{label:40}" + "".join(f"{fmt.format(r[key]):>16}" for r in results))
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "designs": results,
        "checks": checks,
    }
    args.out.write_text(json.dumps(summary, indent=2))
    print(f"details: {args.out}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
