"""Serving defaults: the dashboard listens on this machine only and shows visitors no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

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
