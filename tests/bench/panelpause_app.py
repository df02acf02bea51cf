"""Benchmark variant: the app with a 40 ms pause after the panel and the key figures, before the
URL, the sidebar and the timeline go out, so the browser draws the panel in a pass of its own.

The benchmark copies this file into a temporary folder whose static/ links to the project's.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from datetime import time as dtime
from pathlib import Path

ROOT = Path(os.environ.get("FOXBAT76_ROOT", Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT))

import app  # noqa: E402  (after the path is set)

PANEL_HEAD_START = 0.04  # seconds
# Streamlit runs this file afresh on every rerun, but `app` stays imported: wrap it once.
_sync_url = getattr(app, "_unpaused_sync_url", app._sync_url)
app._unpaused_sync_url = _sync_url  # type: ignore[attr-defined]


def pause_then_sync_url(day: date, chosen: list[str], at: dtime | None) -> None:
    """A pause when the view changed (not on a session's first run), then the URL."""
    shown = app.st.session_state.get("bench_panel_view")
    app.st.session_state.bench_panel_view = (day, tuple(chosen), at)
    if shown is not None and shown != (day, tuple(chosen), at):
        time.sleep(PANEL_HEAD_START)
    _sync_url(day, chosen, at)


app._sync_url = pause_then_sync_url
app.main()
