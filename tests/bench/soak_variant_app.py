"""Benchmark variant: the app without some of its per-rerun parts, to see what the soak's heap
growth comes from.

FOXBAT76_SOAK_WITHOUT lists the parts to leave out, comma-separated: `timeline` (the timeline's
st.html), `panel` (the "On this day" st.html), `figures` (the key figures st.html, kept but the
same every day), `url` (the query-parameter writes), `sidebar` (the widgets; the date slider
stays). bench_soak.py --without copies this file into a temporary folder whose static/ and
.streamlit/ are the project's, and sets FOXBAT76_ROOT.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("FOXBAT76_ROOT", Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

import app  # noqa: E402  (after the path is set)

PARTS = {"timeline", "panel", "figures", "url", "sidebar"}
without = {part for part in os.environ.get("FOXBAT76_SOAK_WITHOUT", "").split(",") if part}
if without - PARTS:
    raise SystemExit(f"FOXBAT76_SOAK_WITHOUT: unknown parts {sorted(without - PARTS)}")


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


if "timeline" in without:
    app.day_timeline = _nothing
if "panel" in without:
    app.day_panel = _nothing
if "figures" in without:
    app.panel.figures_html = lambda *args, **kwargs: "<p>Key figures</p>"
if "url" in without:
    app._sync_url = _nothing
if "sidebar" in without:

    def _slider_only(day: object, chosen: object) -> None:
        with st.sidebar:
            st.slider(
                "Date (JST)",
                min_value=app.PERIOD_START,
                max_value=app.PERIOD_END,
                step=app.timedelta(days=1),
                format="ddd D MMM YYYY",
                key="day",
            )

    app.sidebar = _slider_only

app.main()
