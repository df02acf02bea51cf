"""Serving defaults: the dashboard listens on this machine only and shows visitors no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from support import StreamlitServer

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".streamlit" / "config.toml"


def test_the_config_file_says_localhost_and_no_error_details() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["server"]["address"] == "localhost"
    assert config["client"]["showErrorDetails"] == "none"


def test_streamlit_takes_those_settings_from_the_project() -> None:
    # What the run command (`streamlit run app.py` in the project folder) will use.
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()
    assert 'address = "localhost"' in shown
    assert 'showErrorDetails = "none"' in shown


PAGE_THAT_FAILS = """
import json
from streamlit.testing.v1 import AppTest

page = 'import streamlit as st\\nst.write(1)\\nopen("/srv/secret-folder/catalog.toml")\\n'
at = AppTest.from_string(page).run()
print(json.dumps([[e.message, list(e.stack_trace), e.proto.type] for e in at.exception]))
"""


def test_an_exception_shows_no_path_type_or_source_on_the_page() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PAGE_THAT_FAILS],
        cwd=ROOT,  # the project's .streamlit/config.toml applies, as under `streamlit run`
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    ((message, stack, kind),) = json.loads(result.stdout.splitlines()[-1])
    assert stack == [] and kind == ""
    assert "encountered an error" in message
    for leak in ("secret-folder", "/srv", "open(", "FileNotFoundError", str(ROOT)):
        assert leak not in message
    # The details still reach the server's console for whoever runs it.
    assert "secret-folder" in result.stderr


def other_address() -> str | None:
    """An IPv4 address of this machine that is not loopback, if it has one."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: it only picks a route
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_a_real_server_answers_on_localhost_only(tmp_path: Path) -> None:
    import shutil
    import socket
    import urllib.request

    address = other_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback to try")
    (tmp_path / ".streamlit").mkdir()
    shutil.copy(CONFIG, tmp_path / ".streamlit" / "config.toml")
    (tmp_path / "page.py").write_text("import streamlit as st\nst.write('hello')\n")
    server = StreamlitServer(tmp_path / "page.py", cwd=tmp_path)
    # As the run command starts it: no --server.address, so the project's config decides.
    command = [sys.executable, "-m", "streamlit", "run", "page.py", "--server.headless", "true",
               "--server.port", str(server.port)]  # fmt: skip
    with server.log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, server.log()
                time.sleep(0.2)
        with pytest.raises(OSError), socket.create_connection((address, server.port), timeout=3):
            pass
    finally:
        process.terminate()
        process.wait(timeout=30)
