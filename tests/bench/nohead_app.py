"""Benchmark variant: the app exactly, without the map's head start (no pause after the map).

The benchmark copies this file into a temporary folder whose static/ links to the project's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(os.environ.get("FOXBAT76_ROOT", Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT))

import app  # noqa: E402  (after the path is set)

app.MAP_HEAD_START = 0.0
app.main()
