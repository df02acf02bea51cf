"""Picture export benchmark: PNG, whole-period GIF and MP4, PDF atlas; 1 vs 2 worker processes.

Run: .venv/bin/python tests/bench/bench_pictures.py [--repeat 3]

Each export is timed whole in a fresh process (interpreter start, imports, building the layers,
drawing, encoding, the atomic rename), at the default 1600x1000: the PNG as a user runs it,
`foxbat76 export ...`; GIF, MP4 and PDF through the same API call the CLI makes
(`geo.export.export_picture`), once with one and once with two worker processes, the runs
taking turns so both meet the same machine load. The best and
median of `--repeat` runs and the file sizes are printed and written to
tests/artifacts/bench_pictures.json. Targets: PNG <= 2 s; GIF <= 30 s and <= 10 MB; MP4 <= 30 s
and <= 15 MB; PDF <= 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / ".venv" / "bin" / "foxbat76"
TARGETS = {
    "png": (2.0, None),
    "png-first": (2.0, None),
    "gif": (30.0, 10.0),
    "mp4": (30.0, 15.0),
    "pdf": (30.0, None),
}
CASES = [
    # The very first command on a new machine fills the user's cache (the land, the gazetteer);
    # every later one reads it. Both are timed: "png-first" runs with an empty cache folder.
    ("png-first", ["--date", "1976-09-06", "--time", "13:20"], [1]),
    ("png", ["--date", "1976-09-06", "--time", "13:20"], [1]),
    ("gif", [], [1, 2]),
    ("mp4", [], [1, 2]),
    ("pdf", [], [1, 2]),
]


def run_once(fmt: str, args: list[str], workers: int, folder: Path) -> tuple[float, float]:
    """Seconds and megabytes of one export in a fresh process."""
    out = folder / f"bench.{fmt.removesuffix('-first')}"
    env = dict(os.environ)
    if fmt == "png-first":
        env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="cache-", dir=folder)
    if fmt.startswith("png"):
        command = [str(CLI), "export", "--format", "png", *args, "--out", str(out), "--force"]
    else:
        command = [sys.executable, __file__, "--one", fmt, str(workers), str(out)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    seconds = time.perf_counter() - started
    return seconds, out.stat().st_size / 1e6


def export_whole_period(fmt: str, workers: int, out: str) -> None:
    """What `foxbat76 export --format FMT --out OUT` does, with a chosen number of workers."""
    sys.path.insert(0, str(ROOT))
    import layers
    from geo.export import PictureRequest, export_picture

    frames = layers.build_all()
    titles, styles = layers.presentation(list(frames))
    export_picture(
        frames, PictureRequest(fmt), Path(out), titles=titles, styles=styles,
        mig_at=layers.mig25_position, workers=workers,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="comma-separated cases, e.g. png,png-first")
    parser.add_argument(
        "--one", nargs=3, metavar=("FORMAT", "WORKERS", "OUT"), help=argparse.SUPPRESS
    )
    options = parser.parse_args()
    if options.one:
        fmt, workers, out = options.one
        export_whole_period(fmt, int(workers), out)
        return
    timings: dict[str, list[float]] = {}
    sizes: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="foxbat76-bench-") as tmp:
        for _ in range(options.repeat):
            for fmt, args, worker_counts in CASES:
                if options.only and fmt not in options.only.split(","):
                    continue
                for workers in worker_counts:
                    key = f"{fmt} x{workers}"
                    seconds, megabytes = run_once(fmt, args, workers, Path(tmp))
                    timings.setdefault(key, []).append(seconds)
                    sizes[fmt] = megabytes
                    print(f"{key}: {seconds:.2f} s, {megabytes:.2f} MB", flush=True)
    results: dict[str, dict[str, Any]] = {}
    print(f"\n{'export':<8} {'best s':>7} {'median s':>9} {'MB':>6}  target")
    for key, values in timings.items():
        fmt = key.split()[0]
        limit_s, limit_mb = TARGETS[fmt]
        target = f"<= {limit_s:g} s" + (f", <= {limit_mb:g} MB" if limit_mb else "")
        best, median = min(values), statistics.median(values)
        results[key] = {"best_s": best, "median_s": median, "runs_s": values, "mb": sizes[fmt]}
        print(f"{key:<8} {best:>7.2f} {median:>9.2f} {sizes[fmt]:>6.2f}  {target}")
    for fmt in ("gif", "mp4", "pdf"):
        if f"{fmt} x2" not in results:
            continue
        one, two = results[f"{fmt} x1"]["median_s"], results[f"{fmt} x2"]["median_s"]
        print(f"{fmt}: 2 workers vs 1, speed-up {one / two:.2f}x (medians)")
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "bench_pictures.json").write_text(json.dumps(results, indent=2))
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
