"""Load benchmark: N sessions each moving the date slider once a second, against a real server.

Run: .venv/bin/python tests/bench/bench_load.py [--sessions 1,5,10,20,40] [--seconds 60]
     [--through-proxy | --url http://127.0.0.1:PORT]

No browsers: each session speaks Streamlit's own websocket protocol (tests/stream_client.py),
as the frontend does. It loads the page, runs the script once, then every second sends a
rerun carrying the slider's new day (one day later, wrapping within Sep-Nov 1976) and waits for
the script to finish. The sessions' seconds are spread evenly over the second. For each level
of N it starts a fresh `streamlit run app.py` on a free loopback port (or, with
--through-proxy, `.ci/replicas.sh`: two replicas behind nginx), warms it with one session,
and measures:

- per rerun, send of the rerun to the script's `script_finished` message, p50/p95/max;
- errors: exceptions or error elements on the page, unsuccessful script ends, a page that does
  not show the day asked for, timeouts, disconnects;
- ticks missed because the session's previous rerun had not finished by its next second;
- the server's RSS before, with the sessions open, and 5 s after they closed; its CPU use.

Results are printed and written to tests/artifacts/load.json (load-proxy.json through the proxy).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

import psutil  # noqa: E402  (path set above)
from stream_client import (  # noqa: E402
    DashboardSession,
    Replicas,
    StreamlitServer,
    free_port,
    nginx_executable,
    require_leaflet,
)
from websockets.exceptions import WebSocketException  # noqa: E402

from geo.timing import PERIOD_END, PERIOD_START  # noqa: E402

TARGET_P95_MS = 250.0
TICK = 1.0  # seconds between a session's scrubs
RERUN_TIMEOUT = 30.0
SETTLE_SECONDS = 5.0  # after the sessions close, before RSS is read again
PERIOD_DAYS = (PERIOD_END - PERIOD_START).days + 1


def day_after(start: date, steps: int) -> date:
    """`steps` days after `start`, wrapping within the period (a scrubber going round)."""
    return PERIOD_START + timedelta(days=((start - PERIOD_START).days + steps) % PERIOD_DAYS)


@dataclass
class SessionLog:
    first_page_ms: float | None = None
    rerun_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missed_ticks: int = 0
    bytes: int = 0


@dataclass
class StartLine:
    """Every session opens its page, then all start scrubbing together at `at`."""

    opened: asyncio.Barrier
    go: asyncio.Event = field(default_factory=asyncio.Event)
    at: float = 0.0


async def scrubber(url: str, index: int, count: int, line: StartLine, seconds: int) -> SessionLog:
    """One session: open the page, wait for the others, then scrub once per TICK."""
    log = SessionLog()
    session = DashboardSession(url)
    day = day_after(PERIOD_START, index * 7)  # sessions spread over the period
    try:
        first = await session.open()
        log.first_page_ms = first.seconds * 1000
        log.errors += first.errors
    except (OSError, WebSocketException, TimeoutError) as error:
        log.errors.append(f"open: {type(error).__name__}: {error}")
    await line.opened.wait()
    await line.go.wait()
    if log.errors or session.slider_id is None:
        if session.slider_id is None:
            log.errors.append("no date slider on the first page")
        await session.close()
        return log
    begin = line.at + TICK * index / count
    tick = 0
    try:
        while tick < seconds:
            await asyncio.sleep(max(0.0, begin + tick * TICK - time.perf_counter()))
            day = day_after(day, 1)
            rerun = await session.scrub(day, timeout=RERUN_TIMEOUT)
            log.rerun_ms.append(rerun.seconds * 1000)
            log.bytes += rerun.bytes
            log.errors += rerun.errors
            if rerun.query_string is None or f"date={day.isoformat()}" not in rerun.query_string:
                log.errors.append(f"asked for {day}, the page says {rerun.query_string!r}")
            # A rerun that overran its second: the next scrub goes at the next free second.
            due = int((time.perf_counter() - begin) // TICK) + 1
            log.missed_ticks += max(0, due - tick - 1)
            tick = max(tick + 1, due)
    except (OSError, WebSocketException, TimeoutError) as error:
        log.errors.append(f"rerun: {type(error).__name__}: {error}")
    finally:
        await session.close()
    return log


class Sampler:
    """RSS (sum over the server processes) and CPU seconds, sampled while the sessions run."""

    def __init__(self, pids: list[int]) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.peak_rss = 0

    def rss(self) -> int | None:
        if not self.processes:
            return None
        total = sum(process.memory_info().rss for process in self.processes)
        self.peak_rss = max(self.peak_rss, total)
        return total

    def cpu_seconds(self) -> float | None:
        if not self.processes:
            return None
        return sum(sum(process.cpu_times()[:2]) for process in self.processes)

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.rss()
            await asyncio.sleep(0.5)


async def run_level(
    url: str, warm_urls: list[str], pids: list[int], count: int, seconds: int
) -> dict[str, Any]:
    """Warm each server with one session, then run `count` scrubbing sessions for `seconds`."""
    sampler = Sampler(pids)
    for warm_url in warm_urls:  # each server's first page loads the data: not what we measure
        warm = DashboardSession(warm_url)
        await warm.open()
        for step in range(3):
            await warm.scrub(day_after(PERIOD_START, 40 + step))
        await warm.close()
    await asyncio.sleep(1.0)
    rss_before = sampler.rss()
    line = StartLine(asyncio.Barrier(count + 1))
    tasks = [
        asyncio.create_task(scrubber(url, index, count, line, seconds)) for index in range(count)
    ]
    await line.opened.wait()
    rss_open = sampler.rss()
    stop = asyncio.Event()
    watcher = asyncio.create_task(sampler.watch(stop))
    cpu_before, client_cpu_before = sampler.cpu_seconds(), time.process_time()
    started = line.at = time.perf_counter()
    line.go.set()
    logs = await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    cpu_after, client_cpu = sampler.cpu_seconds(), time.process_time() - client_cpu_before
    stop.set()
    await watcher
    # Sessions end in the tasks; Streamlit keeps a closed session's state for reconnection
    # (server.disconnectedSessionTTL, 120 s by default).
    await asyncio.sleep(SETTLE_SECONDS)
    rss_after = sampler.rss()
    reruns = [ms for log in logs for ms in log.rerun_ms]
    errors = [error for log in logs for error in log.errors]
    firsts = [log.first_page_ms for log in logs if log.first_page_ms is not None]
    mib = 1024 * 1024
    return {
        "sessions": count,
        "seconds": seconds,
        "reruns": len(reruns),
        "rerun_p50_ms": _percentile(reruns, 50),
        "rerun_p95_ms": _percentile(reruns, 95),
        "rerun_max_ms": max(reruns) if reruns else None,
        "rerun_mean_ms": statistics.mean(reruns) if reruns else None,
        "first_page_p50_ms": _percentile(firsts, 50),
        "first_page_max_ms": max(firsts) if firsts else None,
        "missed_ticks": sum(log.missed_ticks for log in logs),
        "errors": len(errors),
        "error_samples": errors[:10],
        "bytes_per_rerun": sum(log.bytes for log in logs) / len(reruns) if reruns else None,
        "server_cpu_percent": (
            100 * (cpu_after - cpu_before) / wall
            if cpu_before is not None and cpu_after is not None
            else None
        ),
        "client_cpu_percent": 100 * client_cpu / wall,
        "rss_before_mib": rss_before / mib if rss_before else None,
        "rss_open_mib": rss_open / mib if rss_open else None,
        "rss_peak_mib": sampler.peak_rss / mib if sampler.peak_rss else None,
        "rss_after_close_mib": rss_after / mib if rss_after else None,
        "rss_per_session_mib": (
            (sampler.peak_rss - rss_before) / mib / count if rss_before else None
        ),
    }


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


class Target:
    """What the sessions talk to: a fresh server (or two behind nginx), or a given URL."""

    def __init__(self, mode: str, url: str | None = None) -> None:
        self.mode = mode
        self.given_url = url
        self._server: StreamlitServer | None = None
        self._replicas: Replicas | None = None

    def __enter__(self) -> tuple[str, list[str], list[int]]:
        """The URL for the sessions, the URLs of the servers behind it, the servers' pids."""
        if self.mode == "url":
            assert self.given_url is not None
            return self.given_url, [self.given_url], []
        if self.mode == "proxy":
            replicas = self._replicas = Replicas(free_port(), (free_port(), free_port())).start()
            servers = [f"http://127.0.0.1:{port}" for port in replicas.replica_ports]
            return replicas.url, servers, replicas.server_pids()
        self._server = StreamlitServer(ROOT / "app.py").start()
        assert self._server.process is not None
        return self._server.url, [self._server.url], [self._server.process.pid]

    def __exit__(self, *exc: object) -> None:
        if self._replicas is not None:
            self._replicas.stop()
        if self._server is not None:
            self._server.stop()


def _levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        message = f"--sessions must be numbers like 1,5,10, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not levels or any(not 1 <= level <= 200 for level in levels):
        raise argparse.ArgumentTypeError(f"--sessions must each be 1..200, got {text!r}")
    return levels


def _seconds(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 600:
        raise argparse.ArgumentTypeError(f"--seconds must be 1..600, got {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=_levels, default=[1, 5, 10, 20, 40])
    parser.add_argument("--seconds", type=_seconds, default=60, help="scrubbing time per level")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--through-proxy", action="store_true", help="two replicas behind nginx (.ci/replicas.sh)"
    )
    where.add_argument("--url", help="an already running server on this machine (no RSS)")
    parser.add_argument("--out", type=Path, help="JSON results (default tests/artifacts/...)")
    args = parser.parse_args(argv)
    if args.url and not args.url.startswith(("http://127.0.0.1:", "http://localhost:")):
        parser.error(f"--url must be on this machine (http://127.0.0.1:PORT), got {args.url!r}")
    if args.through_proxy and nginx_executable() is None:
        print("nginx not found: apt-get install nginx", file=sys.stderr)
        return 2
    require_leaflet()
    mode = "proxy" if args.through_proxy else "url" if args.url else "server"
    name = "load-proxy.json" if mode == "proxy" else "load.json"
    out = args.out or ROOT / "tests" / "artifacts" / name
    print(
        "| sessions | reruns | p50 ms | p95 ms | max ms | errors | missed ticks | server CPU |"
        " RSS before / peak / after close | RSS per session | load avg before / after |"
    )
    results = []
    for count in args.sessions:
        load = os.getloadavg()[0]
        with Target(mode, args.url) as (url, servers, pids):
            result = asyncio.run(run_level(url, servers, pids, count, args.seconds))
        result["load_average_1min_before"] = load
        result["load_average_1min_after"] = os.getloadavg()[0]
        results.append(result)
        print(_row(result), flush=True)
    held = [r["sessions"] for r in results if r["errors"] == 0 and _ok(r["rerun_p95_ms"])]
    verdict = (
        f"{max(held)} sessions held with p95 <= {TARGET_P95_MS:.0f} ms and no errors"
        if held
        else f"no level kept p95 <= {TARGET_P95_MS:.0f} ms without errors"
    )
    print(verdict)
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "mode": mode,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "levels": results,
        "verdict": verdict,
    }
    out.write_text(json.dumps(summary, indent=2))
    print(f"details: {out}")
    return 0


def _ok(p95: float | None) -> bool:
    return p95 is not None and p95 <= TARGET_P95_MS


def _row(r: dict[str, Any]) -> str:
    def num(key: str, fmt: str = "{:.0f}") -> str:
        return "-" if r.get(key) is None else fmt.format(r[key])

    return (
        f"| {r['sessions']} | {r['reruns']} | {num('rerun_p50_ms')} | {num('rerun_p95_ms')} | "
        f"{num('rerun_max_ms')} | {r['errors']} | {r['missed_ticks']} | "
        f"{num('server_cpu_percent')} % | {num('rss_before_mib')} / {num('rss_peak_mib')} / "
        f"{num('rss_after_close_mib')} MiB | {num('rss_per_session_mib', '{:.1f}')} MiB | "
        f"{r['load_average_1min_before']:.1f} / {r['load_average_1min_after']:.1f} |"
    )


if __name__ == "__main__":
    sys.exit(main())
