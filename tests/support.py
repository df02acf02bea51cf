"""Shared test helpers: hostile strings, JST times, a real `streamlit run`
server and Debian's headless Chromium (the fixtures are registered in conftest.py)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pytest

from geo.timing import JST

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
CHROMIUM = Path(os.environ.get("FOXBAT76_CHROMIUM", "/usr/bin/chromium"))
# Flags for a sandbox with no network: without the background-networking ones Chromium keeps
# trying Google's hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = ("127.0.0.1", "localhost")
# Text that would run, format or break out if any place showed it unescaped: HTML, a JS
# template literal, the end of a script element, markdown, a JSON line separator.
HOSTILE = (
    "<img src=x onerror=alert(1)> `${alert(2)}` </script><script>alert(3)</script> "
    "![x](http://example.com/x.png) & \u2028\u2029"
)
TRICKY = 'Landed & overran: "<b>not bold</b>" </script><script>alert(1)</script>\nsecond line'

# A valid layer style (the defection flight's) for tests that draw one layer.
STYLE = {
    "color": "#d7301f",
    "fill_color": "#fc8d59",
    "weight": 3,
    "dash_array": "8 6",
    "fill_opacity": 0.4,
    "radius": 6,
    "marker": "circle",
}


def jst(text: str) -> pd.Timestamp:
    """A wall-clock time in Japan, e.g. jst("1976-09-06 13:10")."""
    return pd.Timestamp(text).tz_localize(JST)


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine (loopback, data:, blob:, about:)."""
    if url.startswith(("data:", "blob:", "about:", "chrome-error:")):
        return True
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    return host in LOCAL_HOSTS


class StreamlitServer:
    """A `streamlit run` child process on a free loopback port."""

    def __init__(
        self, script: Path, cwd: Path = ROOT, env: dict[str, str] | None = None, port: int = 0
    ) -> None:
        self.script = script
        self.cwd = cwd
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"streamlit-{self.port}.log"
        self.ready_seconds: float | None = None

    def start(self, timeout: float = 60.0) -> StreamlitServer:
        """Start the server and wait for its health endpoint."""
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(self.script),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(self.port),
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ]
        started = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        self.ready_seconds = time.monotonic() - started
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        """The server's output so far (for failure messages)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Terminate the server (our own child, by its handle)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def require_chromium() -> Path:
    """Debian's chromium, or a skip with the reason; under CI a missing browser is a failure."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(reason)


def launch_chromium(playwright: Any, executable: Path = CHROMIUM) -> Any:
    """Launch headless Chromium through Playwright without ever downloading a browser."""
    return playwright.chromium.launch(
        executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
    )


def require_leaflet() -> None:
    """The map needs the pinned Leaflet in static/vendor; fetch it once if npm can."""
    from geo import assets

    if assets.leaflet_installed():
        return
    try:
        assets.install_leaflet()
    except assets.AssetError as error:
        message = f"Leaflet assets missing and not installable ({error}); run python -m geo.assets"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright's sync API, for one test module.

    Module scope: while it runs, Playwright's event loop is live, and another module's own
    `sync_playwright()` would refuse to start.
    """
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, executable)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def app_server() -> Iterator[StreamlitServer]:
    """`streamlit run app.py` on a free port, for the whole session."""
    require_chromium()
    require_leaflet()
    server = StreamlitServer(ROOT / "app.py").start()
    try:
        yield server
    finally:
        server.stop()


AXE = ROOT / ".ci" / "eslint" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """
async () => {
    const found = await axe.run(document, {resultTypes: ["violations"]});
    return found.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => `${v.impact} ${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(" | ")}`);
}
"""


# Resolves once two frames have passed and every CSS transition and animation has finished.
SETTLE_JS = """
() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
    .then(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))))
    .then(() => true)
"""


def serious_accessibility_problems(target: Any) -> list[str]:
    """axe-core's serious and critical violations in a Playwright page or frame (the pinned
    axe-core that `npm ci --prefix .ci/eslint` installs; skipped, or failed under CI, without)."""
    if not AXE.is_file():
        message = f"{AXE} missing: run npm ci --prefix .ci/eslint"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    # Settle first: a popup fading in is half transparent, and axe would judge its contrast then.
    target.evaluate(SETTLE_JS)
    target.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return target.evaluate(AXE_RUN)


def found(value: T | None) -> T:
    """What a test looked up (an XML element, its text, a pipe): the test fails where it is None."""
    assert value is not None, "looked up, not found"
    return value
