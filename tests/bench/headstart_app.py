"""Benchmark variant: the app with the earlier 50 ms head start (a pause after a changed map).

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

HEAD_START = 0.05  # seconds
# Streamlit runs this file afresh on every rerun, but `app` stays imported: wrap it once.
_render_map = getattr(app, "_unpaused_render_map", app.render_map)
app._unpaused_render_map = _render_map  # type: ignore[attr-defined]


def render_map_then_pause(day: date, at: dtime | None, chosen: list[str]) -> None:
    """The map, then a pause when the view changed (not on a session's first run)."""
    shown = app.st.session_state.get("drawn_view")
    _render_map(day, at, chosen)
    if shown is not None and shown != (day, at, tuple(chosen)):
        time.sleep(HEAD_START)


app.render_map = render_map_then_pause
app.main()
