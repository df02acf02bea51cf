"""ZIP: every format plus a README of the export."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd

from geo.export.common import (
    LICENCES,
    export_filename,
    feature_count,
    layer_title,
    scope_text,
    text,
)
from geo.export.geojson import write_geojson_dir
from geo.export.gpkg import INDEX_TABLE, gpkg_tables, write_gpkg
from geo.export.kml import write_kml
from geo.export.page import write_html
from geo.export.spreadsheet import write_csv


def _readme(
    frames: Mapping[str, gpd.GeoDataFrame],
    titles: Mapping[str, str] | None,
    day: date | None,
    empty: list[str],
    files: list[str],
) -> str:
    generated = datetime.now(UTC).replace(microsecond=0).isoformat()
    sources = sorted(
        {s.strip() for f in frames.values() for v in f["sources"] for s in text(v).split(";")}
        - {""}
    )
    lines = [
        "foxbat76 export — Viktor Belenko's MiG-25 defection, Sept-Nov 1976",
        "",
        f"Scope: {scope_text(day)}.",
        f"Generated: {generated}",
        "",
        "Layers:",
        *(f"  {k} — {layer_title(k, titles)}: {feature_count(len(f))}" for k, f in frames.items()),
        *(f"  {k} — {layer_title(k, titles)}: nothing on that day, left out" for k in empty),
        "",
        "Files:",
        *(f"  {name}" for name in files),
        "",
        f"GeoPackage tables (one geometry type each; its table '{INDEX_TABLE}' lists them too):",
        *(
            f"  {t.name} — layer {t.layer} ({t.title}), {t.geometry_type}: "
            f"{feature_count(t.features)}"
            for t in gpkg_tables(frames, titles)
        ),
        "",
        "Notes:",
        "  Times are JST (UTC+09:00) in ISO 8601 with their offset, except in the GeoPackage,",
        "  whose DATETIME fields are UTC as its standard requires; its start_jst/end_jst text",
        "  fields give the same instants in JST. The CSV is UTF-8 with a byte-order mark so that",
        "  spreadsheets detect the encoding; geometry is WKT (lon lat), plus lat/lon for points.",
        "  The HTML map works offline: open it in a browser, no server or internet needed.",
        "  certainty = documented | approximate | illustrative: approximate and illustrative",
        "  geometry is drawn plausibly where the sources are vague; the description says why.",
        "",
        "Sources cited by the features:",
        *(f"  - {s}" for s in sources),
        "",
        "Licences:",
        *(f"  - {text}" for text in LICENCES),
        "",
    ]
    return "\n".join(lines)


def write_zip(
    frames: Mapping[str, gpd.GeoDataFrame],
    path: Path,
    titles: Mapping[str, str] | None,
    styles: Mapping[str, Mapping] | None,
    day: date | None,
    empty: list[str],
) -> None:
    base = export_filename("zip", day, list(frames)).removesuffix(".zip")
    parts = path.parent / f"{path.name}.parts"
    parts.mkdir()
    write_geojson_dir(frames, parts / "geojson")
    write_gpkg(frames, parts / f"{base}.gpkg", titles)
    write_kml(frames, parts / f"{base}.kml", titles, styles, day)
    write_csv(frames, parts / f"{base}.csv")
    write_html(frames, parts / f"{base}.html", titles, styles, day)
    files = sorted(p.relative_to(parts).as_posix() for p in parts.rglob("*") if p.is_file())
    (parts / "README.txt").write_text(
        _readme(frames, titles, day, empty, ["README.txt", *files]), encoding="utf-8"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ["README.txt", *files]:
            archive.write(parts / name, f"{base}/{name}")
