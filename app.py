"""foxbat76 dashboard: scrub Sept-Nov 1976 on a map that keeps its view while the day changes."""

# ruff: noqa: E402  (the basemap warm-up below starts before the heavy imports on purpose)
from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from geo import assets

# The coastline union behind the basemap and the sea/land clipping of layers is ~0.7 s of GEOS
# work that runs outside the GIL: start it now (once per process) so it overlaps the imports
# of folium, geopandas and the layers below; the first map paint comes sooner.
assets.warm_basemap()

import pandas as pd
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit_folium import st_folium

import layers
from geo import dashboard, mapview, panel, timeline, urlview
from geo.catalog import CatalogError
from geo.features import day_moment
from geo.messages import without_directories
from geo.timing import (
    DEFECTION_DAY,
    JST,
    PERIOD_END,
    PERIOD_START,
    REPLAY_END,
    replay_time_at,
    replay_times,
)

if TYPE_CHECKING:
    import geopandas as gpd

ROOT = Path(__file__).resolve().parent
STATIC_DIR = ROOT / "static"

REPLAY_TIMES = replay_times()
PLAY_SECONDS = 1.0  # one day per second: readable, and the whole period in ~90 s
PLAY_SPEEDS = (0.5, 1.0, 2.0, 4.0)  # days per second
REPLAY_STEPS_PER_DAY = 8  # Play runs the 6 Sep flight's five-minute steps 8 to a day's time
SHORTEST_STEP = 0.2  # seconds: each step reruns the page, which takes ~0.1 s


# --- Data (cached; never the map) -----------------------------------------------------------


@st.cache_data(show_spinner=False)
def load_layers() -> dict[str, gpd.GeoDataFrame]:
    """Every layer frame, keyed by layer id in display order."""
    assets.warm_basemap().result()  # wait for the shared coastline rather than redo it
    return layers.build_all()


@dataclass(frozen=True)
class PageData:
    """What reruns read, derived once from the layer frames.

    Shared by every session (a cache resource), so read-only: nothing in it changes in place.
    """

    items: pd.DataFrame  # all items of all layers, sorted by start (events, jumps, export)
    event_labels: dict[str, str]
    event_days: dict[date, tuple[str, ...]]  # the events of each day, for long catalogs
    panel_items: panel.PanelItems
    figures: panel.KeyFigures
    web: assets.WebAssets  # where Leaflet comes from
    client: mapview.ClientFiles  # the map's client code and config as static files
    style: str  # the page's own CSS, a <style> element


# Streamlit runs this script afresh on every rerun, and each cache decorator then reads its
# function's source again (the 12 cached functions we had cost ~10 ms per rerun, measured in
# the server), while st.cache_data unpickles a copy of its value on every call. So: few cached
# functions, each a one-line wrapper, and shared read-only resources rather than copies.


@st.cache_resource(show_spinner=False)
def page_data() -> PageData:
    """build_page_data(), once per server process (not cached while the catalog is bad)."""
    return build_page_data()


def build_page_data() -> PageData:
    """Build what the page reads and write its static files (content-hashed, so browsers may
    cache them). Raises CatalogError while the catalog is bad."""
    frames = load_layers()
    items = pd.concat(list(frames.values()), ignore_index=True)
    items = items.sort_values(["start", "id"]).reset_index(drop=True)
    titles, styles = layers.presentation(list(frames))
    labels = dashboard.event_labels(items)
    return PageData(
        items=items,
        event_labels=labels,
        event_days=dashboard.events_by_day(labels, items),
        panel_items=panel.panel_items(items),
        figures=panel.key_figures(),
        web=assets.web_assets(STATIC_DIR),
        client=dashboard.write_map_files(frames, titles, styles, STATIC_DIR),
        style=dashboard.page_style(),
    )


# Without it, each full collection walks everything loaded (libraries, catalog, caches):
# 50-170 ms measured here, now and then in the middle of a scrub; later collections only look
# at what reruns create. No collection first: it would hold the GIL ~150 ms while the browser
# fetches the map's files. The first run's leftover garbage stays frozen, once.
@st.cache_resource(show_spinner=False)
def settle_memory() -> bool:
    """Once per server process, after the first page: freeze what is loaded by then."""
    gc.freeze()
    return True


# --- Helpers --------------------------------------------------------------------------------


def _short(value: str, limit: int = 40) -> str:
    """A user-supplied value, trimmed and with markdown specials neutralised, for notices."""
    escaped = "".join(f"\\{ch}" if ch in "\\`*_{}[]()<>#+-.!|~$:" else ch for ch in value[:limit])
    return escaped + ("..." if len(value) > limit else "")


def _view_from_url() -> None:
    """The day, time, layers and map view the address bar names; bad values warn and fall back."""
    view = urlview.parse_view(st.query_params, layers.parse_layer_ids)
    st.session_state.day = view.day
    st.session_state.at = st.session_state.replay_at = view.at
    st.session_state.layers = list(layers.LAYERS) if view.layers is None else view.layers
    st.session_state.goto = view.goto  # the link's map view: the map goes there when it changes
    st.session_state.view_text = st.query_params["view"] if view.goto is not None else None
    st.session_state.notices = [_short(notice, 300) for notice in view.notices]


def _initial_state() -> bool:
    """Session state from the URL, once per session (True then); bad values warn and fall back."""
    if "day" in st.session_state:
        return False
    _view_from_url()
    st.session_state.playing = False
    st.session_state.speed = 1.0
    st.session_state.loop = False
    st.session_state.last_step = 0.0
    st.session_state.jump = None
    st.session_state.focus = None  # (item id, jump number): the map flies there once
    return True


def _follow_history() -> None:
    """After Back or Forward, show the view the address bar names.

    The map's client turns Streamlit's history entries into replacements (fx.host), so this
    is for entries made before it was there. Streamlit reruns the page with the entry's query
    string and says so; only then is the URL read again: on other reruns it may lag behind
    what this session has already written.
    """
    context = get_script_run_ctx()
    if context is None or not getattr(context, "is_history_navigation", False):
        return
    _view_from_url()
    st.session_state.playing = False
    for pending in ("pending_day", "pending_at"):
        st.session_state.pop(pending, None)
    st.session_state.drawn_view = None  # a view opened afresh: its notices stay until it changes


def _apply_pending() -> None:
    """Move a day chosen by the player into the slider's state.

    Done before the slider exists in this run, which Streamlit requires of widget state.
    """
    if "pending_day" in st.session_state:
        st.session_state.day = st.session_state.pop("pending_day")
    if "pending_at" in st.session_state:
        st.session_state.at = st.session_state.replay_at = st.session_state.pop("pending_at")


def _step(days: int) -> None:
    day = st.session_state.day + timedelta(days=days)
    st.session_state.day = min(max(day, PERIOD_START), PERIOD_END)


def _toggle_play() -> None:
    st.session_state.playing = not st.session_state.playing
    st.session_state.last_step = time.monotonic()
    st.session_state.just_stepped = True  # Play shows this frame first; the timer steps
    if st.session_state.playing and st.session_state.day >= PERIOD_END:
        st.session_state.day = PERIOD_START  # Play at the end starts over
    at = st.session_state.get("at", st.session_state.replay_at)
    if st.session_state.playing and st.session_state.day == DEFECTION_DAY and at >= REPLAY_END:
        st.session_state.at = st.session_state.replay_at = REPLAY_TIMES[0]  # fly it


def _pause() -> None:
    st.session_state.playing = False


def _on_flight() -> bool:
    """On 6 Sep before the replay's end: Play steps five minutes, not a day."""
    return st.session_state.day == DEFECTION_DAY and st.session_state.replay_at < REPLAY_END


def _play_seconds() -> float:
    """Seconds between two steps of Play at the chosen speed."""
    seconds = PLAY_SECONDS / float(st.session_state.get("speed") or 1.0)
    return max(seconds / REPLAY_STEPS_PER_DAY if _on_flight() else seconds, SHORTEST_STEP)


def _jump() -> None:
    item_id = st.session_state.jump
    if item_id is None:
        return
    items = page_data().items
    row = items[items["id"] == item_id].iloc[0]
    start = row["start"].tz_convert(JST)
    st.session_state.day = start.date()
    if start.date() == DEFECTION_DAY:
        st.session_state.at = replay_time_at(start)  # a replay step at which it is drawn
    if row["layer"] not in st.session_state.layers:
        # The user asked for this event: show its layer rather than an empty map.
        st.session_state.layers = [*st.session_state.layers, row["layer"]]
    number = st.session_state.focus[1] + 1 if st.session_state.focus else 1
    st.session_state.focus = (item_id, number)
    st.session_state.jump = None


def _player() -> None:
    """While playing, advance one day per PLAY_SECONDS and rerun the whole app."""
    if not st.session_state.get("playing"):
        return
    if st.session_state.pop("just_stepped", False):
        return  # the rerun a step asked for: the next step waits for the timer
    now = time.monotonic()
    if now - st.session_state.last_step < _play_seconds() * 0.9:
        return
    st.session_state.last_step = now
    if _on_flight():
        st.session_state.pending_at = REPLAY_TIMES[
            REPLAY_TIMES.index(st.session_state.replay_at) + 1
        ]
    elif st.session_state.day >= PERIOD_END and not st.session_state.loop:
        st.session_state.playing = False
    else:
        day = st.session_state.day + timedelta(days=1)
        day = PERIOD_START if day > PERIOD_END else day  # looping
        st.session_state.pending_day = day
        if day == DEFECTION_DAY:
            st.session_state.pending_at = REPLAY_TIMES[0]
    st.session_state.just_stepped = True
    st.rerun(scope="app")


def _remember_view(view: tuple[date, dtime | None, tuple[str, ...]]) -> None:
    """Keep the view this run shows, so the next run can tell whether the view changed.

    No pause for the map here: the map follows the slider in the browser (from its item
    store) before this run starts, so the rest of the page may follow at once.
    """
    st.session_state.drawn_view = view


def _url_params(day: date, chosen: list[str], at: dtime | None) -> dict[str, str]:
    """The query parameters of the view shown (the map's "Share view" gives a newer `view`)."""
    return urlview.view_params(day, at, chosen, list(layers.LAYERS), st.session_state.view_text)


def _sync_url(wanted: dict[str, str]) -> None:
    """Write the view into the URL (only when it changed: each write is a message). The map's
    client turns Streamlit's new history entry into a replacement of the current one."""
    # get_all: a repeated parameter (?date=a&date=b) must be rewritten too
    shown = {key: st.query_params.get_all(key) for key in st.query_params}
    if shown != {key: [value] for key, value in wanted.items()}:
        st.query_params.from_dict(wanted)


# --- Page parts ----------------------------------------------------------------------------


def current_view() -> tuple[date, dtime | None, list[str]]:
    """The chosen day, replay time (6 Sep only) and layers, from session state.

    Widget values are in session state before the script runs, so the map can be drawn first
    and the sidebar widgets created afterwards.
    """
    day: date = st.session_state.day
    at: dtime | None = None
    if day == DEFECTION_DAY:
        # Streamlit drops an unrendered widget's state; restore it from our own copy.
        if "at" not in st.session_state:
            st.session_state.at = st.session_state.replay_at
        at = st.session_state.at
        st.session_state.replay_at = at
    picked = set(st.session_state.get("layers") or ())
    chosen = [layer_id for layer_id in layers.LAYERS if layer_id in picked]
    return day, at, chosen


def sidebar(day: date, chosen: list[str]) -> None:
    """Date slider, day buttons, Play, 6 Sep time of day, event list and layer toggles."""
    with st.sidebar:
        st.slider(
            mapview.DATE_SLIDER_LABEL,  # the map's client follows the slider by this label
            min_value=PERIOD_START,
            max_value=PERIOD_END,
            step=timedelta(days=1),
            format="ddd D MMM YYYY",
            key="day",
        )
        with st.container(horizontal=True):
            st.button("◀ Day", key="prev", on_click=_step, args=(-1,), disabled=day <= PERIOD_START)
            st.button("Day ▶", key="next", on_click=_step, args=(1,), disabled=day >= PERIOD_END)
            st.button(
                "■ Stop" if st.session_state.playing else "▶ Play",
                key=mapview.PLAY_KEY,  # the map's client presses it on Space
                on_click=_toggle_play,
            )
        with st.container(horizontal=True):
            st.radio(
                "Play speed",
                options=PLAY_SPEEDS,
                format_func=lambda speed: "½ day/s" if speed == 0.5 else f"{speed:g} days/s",
                horizontal=True,
                key="speed",
            )
            st.checkbox("Loop", key="loop")
        if day == DEFECTION_DAY:
            st.select_slider(
                "Time of day, 6 Sep (JST)",
                options=REPLAY_TIMES,
                format_func=lambda t: t.strftime("%H:%M"),
                key="at",
                help="Replays the flight: radar contact, scramble, circling, landing, police.",
            )
        labels = page_data().event_labels
        st.selectbox(
            "Jump to event",
            options=dashboard.jump_choices(labels, page_data().event_days, day),
            index=None,
            placeholder="Jump to an event...",
            format_func=lambda item_id: labels.get(item_id, str(item_id)),
            key="jump",
            on_change=_jump,
        )
        st.subheader("Layers")
        # One pills widget rather than eight checkboxes: less for the browser to redraw per day.
        st.pills(
            "Layers",
            options=list(layers.LAYERS),
            format_func=lambda layer_id: layers.LAYERS[layer_id].title,
            selection_mode="multi",
            key="layers",
            label_visibility="collapsed",
        )
        # Opening the export dialog pauses Play (its reruns would close the dialog).
        if st.button("Export layers…", icon=":material/download:", key="export", on_click=_pause):
            export_dialog(page_data().items, day, chosen)


def render_map(day: date, at: dtime | None, chosen: list[str], address: str | None) -> None:
    """The map: a base map identical on every rerun plus the view to draw (st_folium keeps it).

    Only the day, the replay time and the layer ids travel per rerun; the client looks up
    what to draw in the item store it loaded once. `address`: the query string for the
    client to put in the address bar (a session's first run).
    """
    data = page_data()
    st_folium(
        mapview.base_map(data.web, data.client),
        key="map",
        height=mapview.HEIGHT,
        use_container_width=True,
        returned_objects=[],  # panning and zooming never rerun the app
        feature_group_to_add=mapview.DayView(
            day,
            at,
            chosen,
            goto=st.session_state.goto,
            focus=st.session_state.focus,
            address=address,
        ),
        render=False,  # st_folium renders the map itself; the full-page render is unused
    )
    if not data.web.offline:
        st.caption("Leaflet is loaded from a CDN: run `python -m geo.assets` to work offline.")


def day_panel(today: list[panel.PanelItem], day: date, moment: datetime | None) -> None:
    """The "On this day" panel (st.html: DOMPurify-sanitised, and our text is escaped)."""
    titles = {layer_id: spec.title for layer_id, spec in layers.LAYERS.items()}
    st.html(panel.panel_html(today, titles, day, moment))


def day_timeline(day: date) -> None:
    """The timeline (st.html: DOMPurify-sanitised, and our text is escaped), the same every
    day, so the browser keeps it as it is; then the small style that moves its day rule."""
    chart = timeline_chart()
    st.html(chart.html)
    st.html(timeline.day_rule_style(chart, day))


@st.cache_resource(show_spinner=False)
def timeline_chart() -> timeline.Timeline:
    """The timeline without its day rule, once per server process (shared: read-only). Not in
    page_data: the first map goes out before it is drawn."""
    titles = {layer_id: spec.title for layer_id, spec in layers.LAYERS.items()}
    colors = timeline.layer_colors({key: spec.style for key, spec in layers.LAYERS.items()})
    return timeline.build_timeline(page_data().items, titles, colors)


# --- Export --------------------------------------------------------------------------------

SCOPES = {"day": "The chosen day", "all": "Whole period (Sep to Nov 1976)"}


@st.cache_resource(show_spinner=False)
def layer_frames() -> dict[str, gpd.GeoDataFrame]:
    """One shared copy of the layer frames for exports, which copy before they change anything."""
    return load_layers()


def export_content(frames: dict[str, gpd.GeoDataFrame], fmt: str, day: date | None) -> bytes:
    """The file behind the Download button; Streamlit runs this on click, off the script thread."""
    from geo import export

    titles, styles = layers.presentation(list(frames))
    _, content, _ = export.export_bytes(frames, fmt, day=day, titles=titles, styles=styles)
    return content


@st.dialog("Export layers", width="large")
def export_dialog(items: pd.DataFrame, day: date, chosen: list[str]) -> None:
    """Layers (default: the visible ones), scope and format, then a Download button.

    A dialog (a fragment): its choices rerun only the dialog, never the map, and scrubbing
    pays for one button instead of the whole panel.
    """
    from geo import export  # only once someone exports

    # No key: the default (the visible layers) follows the layer toggles until changed here.
    picked = st.multiselect(
        "Layers",
        options=list(layers.LAYERS),
        default=chosen,
        format_func=lambda layer_id: layers.LAYERS[layer_id].title,
    )
    fmt = st.selectbox(
        "Format",
        options=export.FORMATS,
        format_func=export.FORMAT_LABELS.__getitem__,
        key="export_format",
    )
    if fmt in export.PICTURE_FORMATS:  # a picture says itself what it draws: no scope to pick
        picture_export(fmt, day, picked)
        return
    scope = st.radio(
        "Scope",
        options=list(SCOPES),
        format_func=SCOPES.__getitem__,
        horizontal=True,
        key="export_scope",
    )
    scope_day = day if scope == "day" else None
    try:
        kept, empty, count = export.export_plan(items, picked, scope_day)
    except export.ExportError as error:
        st.info(f"Nothing to download: {_short(str(error), 200)}.")
        return
    name = export.export_filename(fmt, scope_day, kept)
    frames = {layer_id: layer_frames()[layer_id] for layer_id in kept}
    st.download_button(
        "Download",
        data=partial(export_content, frames, fmt, scope_day),
        file_name=name,
        mime=export.export_mime(fmt, kept),
        on_click="ignore",  # downloading changes nothing on the page
        icon=":material/download:",
        key="export_download",
    )
    when = f"active on {day.day} {day:%b %Y} (JST)" if scope_day else "Sep to Nov 1976"
    layers_text = "1 layer" if len(kept) == 1 else f"{len(kept)} layers"
    features_text = "1 feature" if count == 1 else f"{count} features"
    st.caption(f"{_short(name, 120)}: {features_text} {when} in {layers_text}.")
    if empty:
        titles = ", ".join(layers.LAYERS[layer_id].title for layer_id in empty)
        st.caption(f"Left out, nothing that day: {_short(titles, 200)}.")


def picture_export(fmt: str, day: date, picked: list[str]) -> None:
    """PNG of the day in view, GIF/MP4 of the period, PDF atlas: drawn on Render, with a
    progress bar, then offered for download (kept until the choice changes)."""
    from geo import export

    at = st.session_state.get("at") if day == DEFECTION_DAY else None
    replay = fmt in ("gif", "mp4") and st.checkbox(
        "6 Sep as its 5-minute replay", key="export_replay"
    )
    if not picked:
        st.info("Nothing to draw: no layers selected.")
        return
    frames = {layer_id: layer_frames()[layer_id] for layer_id in picked}
    request = export.dialog_request(fmt, day, at, replay)
    st.caption(export.describe(request, frames))
    choice = (request, tuple(picked))
    if st.button(f"Render {fmt.upper()}", key="export_render"):
        bar = st.progress(0.0, text="Drawing…")
        titles, styles = layers.presentation(picked)
        name, content, mime = export.picture_bytes(
            frames, request, titles=titles, styles=styles, mig_at=layers.mig25_position,
            workers=1,  # no fork of the server's threads
            progress=lambda done, total: bar.progress(done / total, f"Drawing {done}/{total}"),
        )  # fmt: skip
        bar.empty()
        st.session_state.export_picture = (choice, name, content, mime)
    ready = st.session_state.get("export_picture")
    if ready and ready[0] == choice:
        _, name, content, mime = ready
        st.download_button(
            "Download", data=content, file_name=name, mime=mime, on_click="ignore",
            icon=":material/download:", key="export_download_picture",
        )  # fmt: skip
        st.caption(f"{_short(name, 120)}: {len(content) / 1e6:.1f} MB.")


def main() -> None:
    """The page."""
    st.set_page_config(page_title="foxbat76: the MiG-25 defection, 1976", layout="wide")
    try:
        data = page_data()
    except CatalogError as error:
        # Only file names: the page must not tell visitors where the server keeps its files.
        st.error(f"The fact catalog has an error: {_short(without_directories(str(error)), 300)}")
        st.stop()
    first_run = _initial_state()
    if not first_run:
        _follow_history()
    _apply_pending()
    day, at, chosen = current_view()
    # The sidebar exists from the first message: adding it later would re-lay out the page
    # and reload the map's iframe. The page's title lives there too, so the map starts the
    # main area (more of it above the fold) and the browser redraws one heading fewer per
    # scrub (measured: scrub p95 about 10 % lower).
    st.sidebar.header("Belenko's MiG-25, Sept to Nov 1976")
    st.html(data.style)  # no header band above the map; the same every run, so never redrawn
    if st.session_state.get("drawn_view") not in (None, (day, at, tuple(chosen))):
        st.session_state.notices = []  # the first change of view: they have been read
    for notice in st.session_state.notices:
        st.warning(notice)
    wanted = _url_params(day, chosen, at)
    # The map goes out first: the browser redraws it while the rest of the page is computed.
    # On a session's first run the map's client writes the address: Streamlit would add a
    # history entry before the client is there to make it a replacement.
    render_map(day, at, chosen, urlview.address(wanted) if first_run else None)
    _remember_view((day, at, tuple(chosen)))
    # Then the panel, the day's reading: placeholders keep the page's layout while the panel's
    # content goes out before the figures, the URL, the sidebar's widgets and the timeline.
    figures_slot = st.empty()
    left, right = st.columns([3, 2])
    moment = datetime.combine(day, at, tzinfo=JST) if at is not None else None
    today = panel.day_items(data.panel_items, day, moment, chosen)
    with left:
        day_panel(today, day, moment)
    figures_slot.html(panel.figures_html(data.figures, day_moment(day, at), len(today)))
    if not first_run:
        _sync_url(wanted)  # so a copied link matches what is shown
    sidebar(day, chosen)
    with right:
        day_timeline(day)
    if st.session_state.playing:
        st.fragment(_player, run_every=_play_seconds())()
    settle_memory()


if __name__ == "__main__":
    main()
