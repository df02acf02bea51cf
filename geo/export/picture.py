"""The dashboard's map of a day as a picture (matplotlib, Agg): basemap once, the day per frame."""

from __future__ import annotations

import importlib.util
import logging
import math
import textwrap
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib import patheffects as effects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Annotation, Text
from matplotlib.typing import RcKeyType

from geo import basemap, present
from geo.export.common import ExportError, layer_title
from geo.export.still import DEFAULT_SIZE, MigMark, Place, Still, check_size
from geo.store import STATE_CODES, build_store
from geo.timing import ACTIVE, FUTURE

# Where a label may sit beside its point, in points at scale 1: right, left, above, below.
LABEL_SIDES: tuple[tuple[float, float, str, str], ...] = (
    (9, -4, "left", "center"),
    (-9, -4, "right", "center"),
    (0, 9, "center", "bottom"),
    (0, -9, "center", "top"),
)

TITLE = "Viktor Belenko's MiG-25 defection, September to November 1976"
ATTRIBUTION = (
    "Land, coast and borders: GSHHG (LGPL) · Facts: foxbat76's catalog, from the publications each "
    "feature cites (text CC BY-SA 4.0) · Places: airportsdata (MIT), GeoNames (CC BY 4.0)"
)
SEA = "#dbe7ee"
INK = "#222222"
MUTED = "#666666"
MIG_RED = "#b00020"
# What the pictures frame: the story's places (Magadan, far north, stays off the map).
VIEW = (129.6, 34.0, 146.2, 47.8)  # west, south, east, north
FONT_PACKAGE = "matplotlib_fontja"  # IPAexGothic: Latin, Cyrillic and Japanese in one TrueType
FONT_FAMILY = ["DejaVu Sans", "IPAexGothic"]
_BASE_WIDTH = 1600  # at this width one Leaflet pixel is one picture pixel
_DPI = 100
_R = 6378137.0  # Web Mercator sphere, as Leaflet draws
_MIG_SHAPE = [(10, 3), (12, 11), (17, 13), (12, 13), (11, 17), (9, 17), (8, 13), (3, 13), (8, 11)]


@lru_cache(maxsize=1)
def font_path() -> Path:
    """The TrueType file that draws Japanese and Russian (a PyPI package, not a system font)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)  # not imported: it would change global rc
    if spec is None or not spec.submodule_search_locations:
        raise ExportError(f"pictures need the {FONT_PACKAGE} package (pip install {FONT_PACKAGE})")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"


@lru_cache(maxsize=1)
def register_font() -> None:
    font_manager.fontManager.addfont(str(font_path()))
    # The fallback font has no bold face; matplotlib would warn on every bold label. And the
    # font's header dates (set in 1904 style) make fontTools warn whenever a PDF subsets it.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    logging.getLogger("fontTools.ttLib.tables._h_e_a_d").setLevel(logging.ERROR)


def text_style() -> dict[RcKeyType, Any]:
    """rc settings for every picture: our fonts, embedded as TrueType in PDFs."""
    register_font()
    return {"font.family": FONT_FAMILY, "pdf.fonttype": 42, "ps.fonttype": 42}


def mercator(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator metres (EPSG:3857), as the dashboard's Leaflet map projects."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return _R * np.radians(lon), _R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _rgba(color: str, alpha: float) -> tuple[float, float, float, float]:
    red, green, blue = matplotlib.colors.to_rgb(color)
    return red, green, blue, float(alpha)


def _nested_depth(coords: Any) -> int:
    depth = 0
    while isinstance(coords, list | tuple) and coords:
        coords, depth = coords[0], depth + 1
    return depth


def _xy(latlngs: Sequence[Sequence[float]]) -> np.ndarray:
    array = np.asarray(latlngs, dtype=float)
    x, y = mercator(array[:, 1], array[:, 0])
    return np.column_stack([x, y])


def _ring(xy: np.ndarray, ccw: bool) -> np.ndarray:
    area = np.sum(xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1])
    return xy if (area > 0) == ccw else xy[::-1]


def _polygon_path(rings: Sequence[Sequence[Sequence[float]]]) -> MplPath:
    # Exterior counter-clockwise, holes clockwise: Agg's non-zero fill leaves the holes open.
    parts = [_ring(_xy(ring), ccw=index == 0) for index, ring in enumerate(rings)]
    return MplPath.make_compound_path(*(MplPath(part, closed=True) for part in parts))


def _dashes(dash_array: str | None, width_pt: float, px: float) -> Any:
    if not dash_array:
        return "solid"
    numbers = [float(n) for n in dash_array.replace(",", " ").split()]
    # matplotlib multiplies dash lengths by the line width; Leaflet's are plain pixels.
    return (0, [n * px / max(width_pt, 0.1) for n in numbers])


_MARKERS = {"circle": "o", "square": "s", "diamond": "D", "triangle": "^"}


def _mig_marker() -> MplPath:
    points = np.array(_MIG_SHAPE, dtype=float)
    points = (points - 10.0) / 10.0
    points[:, 1] *= -1  # SVG's y points down
    return MplPath(np.vstack([points, points[:1]]), closed=True)


class Scene:
    """A figure with the basemap, labels, legend and frame drawn once; `render` adds a day.

    Each frame restores the saved background and draws only that day's artists (blitting),
    so a frame costs the day's few features, not the 1,000 coastline polygons.
    """

    def __init__(
        self,
        frames: Mapping[str, gpd.GeoDataFrame],
        titles: Mapping[str, str] | None,
        styles: Mapping[str, Mapping] | None,
        places: Sequence[Place] = (),
        size: tuple[int, int] = DEFAULT_SIZE,
    ) -> None:
        if not frames:
            raise ExportError("nothing to draw: no layers selected")
        self.width, self.height = check_size(size)
        self.scale = self.width / _BASE_WIDTH
        self.px = 72.0 / _DPI * self.scale  # one Leaflet pixel in points
        self.layer_ids = list(frames)
        self.titles = {k: layer_title(k, titles) for k in self.layer_ids}
        self.styles = {
            k: present.layer_style((styles or {}).get(k), i) for i, k in enumerate(self.layer_ids)
        }
        # The dashboard's own item store: each item's shape, options per state and state on
        # every day and replay step, so a picture shows exactly what the map shows.
        self.store = build_store(frames, self.titles, self.styles, with_mig=False)
        self.day_index = {entry["iso"]: n for n, entry in enumerate(self.store["days"])}
        self.names = {
            str(item_id): str(name)
            for frame in frames.values()
            for item_id, name in zip(frame["id"], frame["name"], strict=True)
        }
        self.kinds: dict[str, set[str]] = {k: set() for k in self.layer_ids}
        for item in self.store["items"]:
            kind = "point" if item["kind"] in present.MARKERS else item["kind"]
            self.kinds[item["layer"]].add(kind)
        with matplotlib.rc_context(text_style()):
            self._build(places)

    # --- layout, drawn once ---------------------------------------------------------------

    def _build(self, places: Sequence[Place]) -> None:
        w, h, s = self.width, self.height, self.scale
        self.figure = Figure(figsize=(w / _DPI, h / _DPI), dpi=_DPI, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        header, footer, panel, pad = 92 * s, 30 * s, 340 * s, 14 * s
        left, bottom = pad / w, footer / h
        map_w, map_h = (w - panel - 2 * pad) / w, (h - header - footer) / h
        ax = self.figure.add_axes((left, bottom, map_w, map_h))
        self.ax = ax
        ax.set_facecolor(SEA)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#9aa7b0")
        self._set_view(map_w * w, map_h * h)
        land = basemap.land().to_crs(3857)
        land.plot(ax=ax, facecolor="#efe9d8", edgecolor="#8c8270", linewidth=0.6 * self.px)
        borders = basemap.borders().to_crs(3857)
        borders.plot(ax=ax, color="#7a5c8a", linewidth=1.2 * self.px, linestyle=(0, (5, 3)))
        self._set_view(map_w * w, map_h * h)  # geopandas' plot resets the limits and labels
        ax.set_xlabel("")
        ax.set_ylabel("")
        self._place_labels(places)
        fig_text = self.figure.text
        fig_text(pad / w, 1 - 30 * s / h, TITLE, fontsize=19 * s, weight="bold", color=INK)
        self.stamp = fig_text(
            pad / w, 1 - 66 * s / h, "", fontsize=16 * s, color=MIG_RED, animated=True
        )
        fig_text(pad / w, 9 * s / h, ATTRIBUTION, fontsize=8.5 * s, color=MUTED)
        self._legend(1 - (panel - 4 * s) / w, 1 - header / h)
        self.panel_x = 1 - (panel - 4 * s) / w
        self.panel_width_chars = max(20, int((panel - 20 * s) / (7.4 * s)))
        self.day_text = fig_text(
            self.panel_x, 0.0, "", fontsize=10 * s, color=INK, va="top", animated=True,
            linespacing=1.35,
        )  # fmt: skip
        self.overlay = self._scale_bar()
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    def _set_view(self, width_px: float, height_px: float) -> None:
        west, south, east, north = VIEW
        (x0, x1), (y0, y1) = mercator([west, east], [south, north])
        # Grow the short side so the map keeps Leaflet's square pixels.
        aspect = width_px / height_px
        if (x1 - x0) / (y1 - y0) < aspect:
            grow = ((y1 - y0) * aspect - (x1 - x0)) / 2
            x0, x1 = x0 - grow, x1 + grow
        else:
            grow = ((x1 - x0) / aspect - (y1 - y0)) / 2
            y0, y1 = y0 - grow, y1 + grow
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self.ax.set_aspect("auto")

    def _place_labels(self, places: Sequence[Place]) -> None:
        """Each place's label on the first free side of its point; one that fits nowhere without
        covering another is left out (the map's own rule: labels never overlap)."""
        shown: list[tuple[float, float]] = []
        halo = [effects.withStroke(linewidth=2.5 * self.scale, foreground="white")]
        renderer = self.canvas.get_renderer()
        frame = self.ax.get_window_extent(renderer)
        self.label_boxes: list[Any] = []
        for place in places:
            if any(abs(place.lon - x) < 0.25 and abs(place.lat - y) < 0.25 for x, y in shown):
                continue  # a town beside its airport: one label is enough
            shown.append((place.lon, place.lat))
            x, y = mercator(place.lon, place.lat)
            text = f"{place.name}\n{place.native}" if place.native else place.name
            for dx, dy, ha, va in LABEL_SIDES:
                label = self.ax.annotate(
                    text,
                    (float(x), float(y)),
                    xytext=(dx * self.scale, dy * self.scale),
                    textcoords="offset points",
                    ha=ha,
                    va=va,
                    fontsize=9 * self.scale,
                    color="#333333",
                    path_effects=halo,
                    annotation_clip=True,
                )
                box = label.get_window_extent(renderer)
                inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
                if inside and not any(box.overlaps(other) for other in self.label_boxes):
                    self.label_boxes.append(box)
                    break
                label.remove()

    def _mig_label(self, x: float, y: float) -> Annotation:
        """The MiG-25's label on the first side of its mark that covers no place label."""
        renderer = self.canvas.get_renderer()
        for dx, dy, ha, va in LABEL_SIDES:
            label = Annotation(
                "MiG-25", (x, y), xytext=(dx * self.scale, dy * self.scale),
                textcoords="offset points", ha=ha, va=va, color=MIG_RED, weight="bold",
                fontsize=10 * self.scale, zorder=11,
            )  # fmt: skip
            label.axes = self.ax
            label.set_figure(self.figure)
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in self.label_boxes):
                break
        label.set_path_effects([effects.withStroke(linewidth=3 * self.scale, foreground="w")])
        return label

    def _legend(self, x: float, top: float) -> None:
        s, w, h = self.scale, self.width, self.height
        fig_text = self.figure.text
        fig_text(x, top + 6 * s / h, "Layers", fontsize=12 * s, weight="bold", color=INK)
        row = 22 * s / h
        y = top - 16 * s / h
        for layer_id in self.layer_ids:
            style = self.styles[layer_id]
            self._swatch(x, y, style, self.kinds[layer_id], 1.0)
            fig_text(x + 66 * s / w, y, self.titles[layer_id], fontsize=10 * s, va="center")
            y -= row
        grey = dict(self.styles[self.layer_ids[0]], color="#555555", fill_color="#999999")
        self._swatch(x, y, grey, {"point", "line"}, present.TRAIL_OPACITY)
        fig_text(x + 66 * s / w, y, "Faded: earlier days", fontsize=10 * s, va="center")
        y -= row
        for artist in self._mig_artists(x + 8 * s / w, y, transform="figure"):
            self.figure.add_artist(artist)
        fig_text(x + 66 * s / w, y, "MiG-25 that day", fontsize=10 * s, va="center")
        self.legend_bottom = y - row

    def _swatch(
        self, x: float, y: float, style: Mapping[str, Any], kinds: set[str], alpha: float
    ) -> None:
        s, w, h = self.scale, self.width, self.height
        color, fill = style["color"], style["fill_color"]
        weight = (style["weight"] + 1) * self.px
        if "point" in kinds:
            marker = _MARKERS.get(style["marker"], "o")
            self.figure.add_artist(
                Line2D(
                    [x + 8 * s / w], [y], marker=marker, markersize=12 * self.px,
                    markerfacecolor=_rgba(fill, max(style["fill_opacity"], 0.6) * alpha),
                    markeredgecolor=_rgba(color, alpha), markeredgewidth=weight,
                    transform=self.figure.transFigure,
                )
            )  # fmt: skip
        if "line" in kinds:
            self.figure.add_artist(
                Line2D(
                    [x + 20 * s / w, x + 44 * s / w], [y, y], color=_rgba(color, alpha),
                    linewidth=weight, linestyle=_dashes(style["dash_array"], weight, self.px),
                    transform=self.figure.transFigure,
                )
            )  # fmt: skip
        if "polygon" in kinds:
            self.figure.add_artist(
                Rectangle(
                    (x + 48 * s / w, y - 6 * s / h), 12 * s / w, 12 * s / h,
                    facecolor=_rgba(fill, style["fill_opacity"] * alpha),
                    edgecolor=_rgba(color, alpha), linewidth=min(weight, 2 * self.px),
                    transform=self.figure.transFigure,
                )
            )  # fmt: skip

    def _mig_artists(self, x: float, y: float, transform: str = "data") -> list[Line2D]:
        """The dashboard's MiG-25 mark: a red jet on a white disc with a red rim."""
        size = 22 * self.px
        trans = self.figure.transFigure if transform == "figure" else self.ax.transData
        disc = Line2D(
            [x], [y], marker="o", markersize=size * 0.85, markerfacecolor="white",
            markeredgecolor=MIG_RED, markeredgewidth=2.5 * self.px, linestyle="none",
            transform=trans, zorder=10,
        )  # fmt: skip
        jet = Line2D(
            [x], [y], marker=_mig_marker(), markersize=size * 0.6, markerfacecolor=MIG_RED,
            markeredgecolor=MIG_RED, markeredgewidth=0, linestyle="none", transform=trans,
            zorder=10,
        )  # fmt: skip
        return [disc, jet]

    def _scale_bar(self) -> list[Any]:
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        center_lat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2 / _R)) - math.pi / 2)
        metres_per_unit = math.cos(math.radians(center_lat))  # ground metres per Mercator metre
        target_km = (x1 - x0) * 0.18 * metres_per_unit / 1000
        length_km = max(n for n in (50, 100, 200, 250, 500, 1000) if n <= max(target_km, 50))
        length = length_km * 1000 / metres_per_unit
        left, base = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
        tick = (y1 - y0) * 0.008
        box = Rectangle(
            (left - (x1 - x0) * 0.01, base - tick * 2.5), length + (x1 - x0) * 0.02, tick * 8.5,
            facecolor=(1, 1, 1, 0.8), edgecolor="none", animated=True,
        )  # fmt: skip
        bar = Line2D(
            [left, left, left + length, left + length],
            [base + tick, base, base, base + tick],
            color=INK, linewidth=1.5 * self.px, animated=True,
        )  # fmt: skip
        label = Text(
            left + length / 2, base + tick * 1.6, f"{length_km:g} km", ha="center", va="bottom",
            fontsize=9 * self.scale, color=INK, animated=True,
        )  # fmt: skip
        artists = [box, bar, label]
        self.ax.add_patch(box)
        self.ax.add_line(bar)
        self.ax.add_artist(label)
        return artists

    # --- a day ----------------------------------------------------------------------------

    def states(self, still: Still) -> dict[str, tuple[str, dict | None]]:
        """Item id -> (state, the partly flown route's coordinates or None) for a still, read
        from the store as the map's client reads it (geo.store.visible)."""
        index = self.day_index[still.day.isoformat()]
        replay = self.store["replay"]
        step = None
        if still.at is not None and replay and replay["day"] == index:
            step = replay["times"].index(f"{still.at:%H:%M}")
        codes = {code: state for state, code in STATE_CODES.items()}
        shown = {}
        for item in self.store["items"]:
            code, partial = item["days"][index], None
            if step is not None and "replay" in item:
                code = item["replay"]["states"][step]
                partial = item["replay"]["partial"].get(str(step))
            state = codes[code]
            if state != FUTURE:
                shown[item["id"]] = (state, partial if state == ACTIVE else None)
        return shown

    def day_artists(self, still: Still, mig: MigMark | None) -> tuple[list[Any], list[str]]:
        """The day's artists (trail first, then the day's items, then the MiG) and the names
        of the day's items."""
        trail: list[Any] = []
        active: list[Any] = []
        names: list[str] = []
        shown = self.states(still)
        for item in self.store["items"]:
            if item["id"] not in shown:
                continue
            state, partial = shown[item["id"]]
            coords = partial["coords"] if partial else item["coords"]
            style = self.styles[item["layer"]]
            artists = self._item_artists(item["kind"], coords, item["options"][state], style)
            if state == ACTIVE:
                active.extend(artists)
                names.append(self.names.get(item["id"], item["id"]))
            else:
                trail.extend(artists)
        artists = trail + active
        if mig is not None and mig.lonlat is not None:
            x, y = mercator(*mig.lonlat)
            artists.extend(self._mig_artists(float(x), float(y)))
            artists.append(self._mig_label(float(x), float(y)))
        return artists, names

    def _item_artists(
        self, kind: str, coords: Any, options: Mapping[str, Any], style: Mapping[str, Any]
    ) -> list[Any]:
        """matplotlib artists for one item as the store gives it to Leaflet."""
        color = options.get("color", style["color"])
        fill = options.get("fillColor", style["fill_color"])
        opacity = float(options.get("opacity", 1.0))
        fill_opacity = float(options.get("fillOpacity", style["fill_opacity"]))
        width = float(options.get("weight", style["weight"])) * self.px
        dashes = _dashes(options.get("dashArray"), width, self.px)
        if kind == "line":
            lines = [coords] if _nested_depth(coords) == 2 else coords
            return [
                LineCollection(
                    [_xy(line) for line in lines], colors=[_rgba(color, opacity)],
                    linewidths=width, linestyles=dashes, capstyle="round", joinstyle="round",
                )
            ]  # fmt: skip
        if kind == "polygon":
            polygons = [coords] if _nested_depth(coords) == 3 else coords
            return [
                PathPatch(
                    _polygon_path(rings), facecolor=_rgba(fill, fill_opacity),
                    edgecolor=_rgba(color, opacity), linewidth=width, linestyle=dashes,
                )
                for rings in polygons
            ]  # fmt: skip
        points = _xy(coords)
        if kind == "circle":
            diameter = 2 * float(options.get("radius", style["radius"])) * self.px
        else:
            diameter = float(options.get("size", 2 * style["radius"] + 4)) * self.px * 0.85
        marker = _MARKERS.get(kind, "o")
        return [
            Line2D(
                points[:, 0], points[:, 1], linestyle="none", marker=marker, markersize=diameter,
                markerfacecolor=_rgba(fill, fill_opacity), markeredgecolor=_rgba(color, opacity),
                markeredgewidth=max(width, 1.0 * self.px),
            )
        ]  # fmt: skip

    def pixel(self, lon: float, lat: float) -> tuple[int, int]:
        """(column, row) of a lon/lat in the rendered picture, row 0 at the top."""
        x, y = mercator(lon, lat)
        column, row_up = self.ax.transData.transform((float(x), float(y)))
        return round(float(column)), round(float(self.height - row_up))

    def render(self, still: Still, mig: MigMark | None = None) -> np.ndarray:
        """The picture of `still` as an H x W x 3 uint8 array."""
        with matplotlib.rc_context(text_style()):
            artists, names = self.day_artists(still, mig)
            self.canvas.restore_region(self.background)
            for artist in artists:
                if isinstance(artist, PathCollection | LineCollection):
                    self.ax.add_collection(artist, autolim=False)
                elif isinstance(artist, PathPatch):
                    self.ax.add_patch(artist)
                elif isinstance(artist, Line2D):
                    self.ax.add_line(artist)
                else:
                    self.ax.add_artist(artist)
                artist.set_clip_path(self.ax.patch)
                self.ax.draw_artist(artist)
            for artist in self.overlay:
                self.ax.draw_artist(artist)
            self.stamp.set_text(still.label())
            self.figure.draw_artist(self.stamp)
            self.day_text.set_text(self._day_text(names, mig))
            self.day_text.set_y(self.legend_bottom)
            self.figure.draw_artist(self.day_text)
            rgb = np.asarray(self.canvas.buffer_rgba())[:, :, :3].copy()
            for artist in artists:
                artist.remove()
        return rgb

    def _day_text(self, names: list[str], mig: MigMark | None) -> str:
        width = self.panel_width_chars
        lines = ["On this day:"] if names else ["Nothing new on the map this day."]
        for name in dict.fromkeys(names):
            lines.extend(textwrap.wrap(f"• {name}", width, subsequent_indent="  "))
        if mig is not None:
            lines.append("")
            lines.extend(textwrap.wrap(f"MiG-25: {mig.status}", width, subsequent_indent="  "))
        room = self.legend_bottom * self.height - 40 * self.scale
        limit = max(4, int(room / (18 * self.scale)))
        return "\n".join(lines[:limit] + (["…"] if len(lines) > limit else []))
