"""A Streamlit websocket client that scrubs the date slider as the browser does, and the
two-replica setup behind nginx (.ci/replicas.sh), for the load benchmark and the proxy test."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from support import StreamlitServer, free_port, require_leaflet
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

__all__ = [
    "DashboardSession",
    "ProtocolError",
    "Replicas",
    "StreamlitServer",
    "free_port",
    "nginx_executable",
    "require_leaflet",
]

ROOT = Path(__file__).resolve().parent.parent
REPLICAS_SCRIPT = ROOT / ".ci" / "replicas.sh"
SLIDER_LABEL = "Date (JST)"
EPOCH = date(1970, 1, 1)
MICROS_PER_DAY = 86_400 * 1_000_000
# No proxies from the environment: this traffic stays on the loopback interface.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ProtocolError(RuntimeError):
    """The server answered something a browser would show as an error."""


def slider_value(day: date) -> float:
    """The date slider's wire value: microseconds from the epoch to midnight UTC of `day`."""
    if not isinstance(day, date):
        raise TypeError(f"day must be a date, got {day!r}")
    return float((day - EPOCH).days * MICROS_PER_DAY)


def http_get(url: str, cookies: dict[str, str] | None = None, timeout: float = 10.0) -> tuple:
    """GET `url` (no proxy): (status, headers, body). Cookies set by the answer go into
    `cookies`, as a browser keeps them."""
    request = urllib.request.Request(url)
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    with _OPENER.open(request, timeout=timeout) as response:
        body = response.read()
        headers = response.headers
        status = response.status
    if cookies is not None:
        for line in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                cookies[name] = morsel.value
    return status, headers, body


@dataclass
class Rerun:
    """What one rerun sent back: its time, the URL query it ended with, what went wrong."""

    seconds: float
    query_string: str | None
    errors: list[str] = field(default_factory=list)
    messages: int = 0
    bytes: int = 0


class DashboardSession:
    """One browser tab's conversation with the dashboard over `/_stcore/stream`.

    Like the frontend: it loads the page (GET /, keeping cookies, which a sticky proxy needs),
    opens the websocket, asks for the first run with the URL's query string, and then, for each
    scrub, sends a rerun with the slider's new value and the query string the server last set.
    It tells the server which large messages it already holds, as the browser's cache does.
    """

    def __init__(
        self, url: str, query_string: str = "", cookies: dict[str, str] | None = None
    ) -> None:
        if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise ValueError(f"url must be on this machine (http://127.0.0.1:PORT), got {url!r}")
        self.url = url.rstrip("/")
        self.query_string = query_string
        self.cookies: dict[str, str] = dict(cookies or {})
        self.slider_id: str | None = None
        self.session_id: str | None = None
        self.cached_hashes: set[str] = set()
        self._ws: ClientConnection | None = None

    async def open(self, timeout: float = 120.0, existing_session_id: str | None = None) -> Rerun:
        """Load the page and run the script once; returns that first run."""
        await asyncio.to_thread(http_get, f"{self.url}/", self.cookies)
        # Like the frontend: the protocol, a token slot and, on a reconnect, the session to
        # resume (Streamlit reads these entries of the header by position).
        protocols = ["streamlit", "PLACEHOLDER_AUTH_TOKEN"]
        if existing_session_id:
            protocols.append(existing_session_id)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        self._ws = await connect(
            self.url.replace("http://", "ws://", 1) + "/_stcore/stream",
            subprotocols=[Subprotocol(protocol) for protocol in protocols],
            origin=Origin(self.url),
            additional_headers=headers if self.cookies else None,
            proxy=None,
            compression=None,
            max_size=None,
            open_timeout=timeout,
        )
        return await self._rerun(None, timeout)

    async def scrub(self, day: date, timeout: float = 30.0) -> Rerun:
        """Move the date slider to `day`; returns the rerun once its script has finished."""
        if self.slider_id is None:
            raise ProtocolError(f"no slider labelled {SLIDER_LABEL!r} on the page")
        return await self._rerun(day, timeout)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def _rerun(self, day: date | None, timeout: float) -> Rerun:
        if self._ws is None:
            raise ProtocolError("the session is not open")
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.cached_message_hashes.extend(sorted(self.cached_hashes))
        if day is not None:
            widget = state.widget_states.widgets.add()
            widget.id = self.slider_id
            widget.double_array_value.data.append(slider_value(day))
        started = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        rerun = Rerun(seconds=0.0, query_string=None)
        async with asyncio.timeout(timeout):
            while True:
                data = await self._ws.recv(decode=False)
                rerun.messages += 1
                rerun.bytes += len(data)
                forward = ForwardMsg.FromString(data)
                if self._take(forward, rerun):
                    rerun.seconds = time.perf_counter() - started
                    return rerun

    def _take(self, forward: ForwardMsg, rerun: Rerun) -> bool:
        """Note what a message tells; True when it ends the run."""
        kind = forward.WhichOneof("type")
        if forward.metadata.cacheable and forward.hash:
            self.cached_hashes.add(forward.hash)
        if kind == "new_session":
            self.session_id = forward.new_session.initialize.session_id or self.session_id
        elif kind == "page_info_changed":
            self.query_string = forward.page_info_changed.query_string
            rerun.query_string = self.query_string
        elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
            element = forward.delta.new_element
            shown = element.WhichOneof("type")
            if shown == "slider" and element.slider.label == SLIDER_LABEL:
                self.slider_id = element.slider.id
            elif shown == "exception":
                rerun.errors.append(f"exception: {element.exception.message[:200]}")
            elif shown == "alert" and element.alert.format == element.alert.ERROR:
                rerun.errors.append(f"error: {element.alert.body[:200]}")
        elif kind == "script_finished":
            if forward.script_finished != forward.FINISHED_SUCCESSFULLY:
                rerun.errors.append(f"script_finished {forward.script_finished}")
            return True
        return False


# --- Two replicas behind nginx ------------------------------------------------------------


def nginx_executable() -> str | None:
    """Debian's nginx (in /usr/sbin, which is not on every PATH), or None."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


class Replicas:
    """`bash .ci/replicas.sh`: two `streamlit run` behind nginx, all on loopback ports."""

    def __init__(self, proxy_port: int, replica_ports: tuple[int, int]) -> None:
        self.proxy_port = proxy_port
        self.replica_ports = replica_ports
        self.url = f"http://127.0.0.1:{proxy_port}"
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"replicas-{proxy_port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> Replicas:
        """Start the script and wait until the proxy and both replicas answer."""
        env = {
            **os.environ,
            "FOXBAT76_PORT": str(self.proxy_port),
            "FOXBAT76_REPLICA_PORTS": " ".join(map(str, self.replica_ports)),
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                ["bash", str(REPLICAS_SCRIPT)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one
            )
        deadline = time.monotonic() + timeout
        urls = [f"http://127.0.0.1:{port}/_stcore/health" for port in self.replica_ports]
        urls.append(f"{self.url}/_stcore/health")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"replicas.sh exited early:\n{self.log()}")
            if all(_healthy(url) for url in urls):
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"replicas not healthy after {timeout:.0f} s:\n{self.log()}")

    def server_pids(self) -> list[int]:
        """Process ids of the two `streamlit run` replicas (children of the script)."""
        import psutil

        if self.process is None:
            return []
        children = psutil.Process(self.process.pid).children(recursive=True)
        return [child.pid for child in children if "streamlit" in " ".join(child.cmdline())]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the script, which stops nginx and the replicas; then its process group."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # our own group, by its id
            self.process.wait(timeout=10)


def _healthy(url: str) -> bool:
    try:
        return http_get(url, timeout=2)[0] == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
