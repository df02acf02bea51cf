"""Benchmark variant: the app with a map that waits for the server (it does not follow the
page's date slider in the browser; each day comes with the rerun's message).

The benchmark copies this file into a temporary folder whose static/ links to the project's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("FOXBAT76_ROOT", Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT))

import app  # noqa: E402  (after the path is set)
from geo import mapview  # noqa: E402

# Streamlit runs this file afresh on every rerun, but `mapview` stays imported: wrap it once.
_client_config = getattr(mapview, "_following_client_config", mapview.client_config)
mapview._following_client_config = _client_config  # type: ignore[attr-defined]


def config_without_slider(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """The map's config with no slider to follow (a file of its own: content-hashed)."""
    return {**_client_config(*args, **kwargs), "slider": None}


mapview.client_config = config_without_slider
app.main()
