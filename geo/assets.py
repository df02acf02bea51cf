"""Offline web assets: pinned Leaflet from the npm registry and the basemap as static GeoJSON."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

LEAFLET_VERSION = "1.9.4"
# The registry's own integrity for leaflet-1.9.4.tgz; a different tarball is refused.
LEAFLET_INTEGRITY = "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="  # noqa: E501
LEAFLET_FILES = (
    "leaflet.js",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)
LEAFLET_CDN = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist"

# static/ sits beside app.py at the project root; Streamlit serves it at /app/static/.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
LEAFLET_SUBDIR = Path("vendor") / "leaflet"
BASEMAP_SUBDIR = Path("vendor") / "basemap"
BASEMAP_FILE = "basemap.geojson"
DATA_SUBDIR = Path("cache")  # app data written at start-up (popups), named by content hash
# URL prefix of static/ as seen from the st_folium iframe (served under <base>/component/<name>/);
# relative, so it also works when Streamlit runs under a server.baseUrlPath.
STATIC_URL = "../../app/static"


class AssetError(RuntimeError):
    """An asset could not be fetched or written; the message says what to do."""


@dataclass(frozen=True)
class WebAssets:
    """Where the map's Leaflet JS/CSS come from, and whether that works without internet."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]
    offline: bool


def leaflet_dir(static_dir: Path = STATIC_DIR) -> Path:
    """Folder holding leaflet.js, leaflet.css and images/."""
    return static_dir / LEAFLET_SUBDIR


def leaflet_installed(static_dir: Path = STATIC_DIR) -> bool:
    """True when every pinned Leaflet file and the version stamp are in place."""
    folder = leaflet_dir(static_dir)
    stamp = folder / "VERSION"
    if not stamp.is_file() or stamp.read_text().strip() != LEAFLET_VERSION:
        return False
    return all((folder / name).is_file() for name in LEAFLET_FILES)


def web_assets(static_dir: Path = STATIC_DIR) -> WebAssets:
    """Local Leaflet when installed (works offline), else the pinned CDN copy as a fallback."""
    if leaflet_installed(static_dir):
        base = f"{STATIC_URL}/{LEAFLET_SUBDIR.as_posix()}"
        return WebAssets(
            js=(("leaflet", f"{base}/leaflet.js"),),
            css=(("leaflet_css", f"{base}/leaflet.css"),),
            offline=True,
        )
    return WebAssets(
        js=(("leaflet", f"{LEAFLET_CDN}/leaflet.js"),),
        css=(("leaflet_css", f"{LEAFLET_CDN}/leaflet.css"),),
        offline=False,
    )


def _npm_pack(npm: str, workdir: Path) -> Path:
    """Download the pinned Leaflet tarball with `npm pack` and check its integrity."""
    command = [npm, "pack", f"leaflet@{LEAFLET_VERSION}", "--json", "--pack-destination", "."]
    try:
        result = subprocess.run(
            command, cwd=workdir, capture_output=True, text=True, timeout=300, check=False
        )
    except FileNotFoundError:
        raise AssetError(
            f"assets: {npm!r} not found; install Node.js and npm (Debian: apt-get install npm), "
            "then run: python -m geo.assets"
        ) from None
    except subprocess.TimeoutExpired:
        raise AssetError(
            "assets: npm pack timed out after 300 s; is the npm registry reachable?"
        ) from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise AssetError(f"assets: npm pack leaflet@{LEAFLET_VERSION} failed: {detail[0]}")
    try:
        info = json.loads(result.stdout)[0]
    except (ValueError, IndexError, KeyError):
        raise AssetError("assets: could not read npm pack's JSON output") from None
    if info.get("integrity") != LEAFLET_INTEGRITY:
        raise AssetError(
            f"assets: leaflet@{LEAFLET_VERSION} integrity {info.get('integrity')!r} "
            f"does not match the pinned {LEAFLET_INTEGRITY!r}"
        )
    return workdir / info["filename"]


def _extract_leaflet(tarball: Path, target: Path) -> None:
    """Copy the files we serve out of package/dist/ of the tarball into `target`."""
    with tarfile.open(tarball, "r:gz") as archive:
        for name in LEAFLET_FILES:
            try:
                member = archive.getmember(f"package/dist/{name}")
            except KeyError:
                raise AssetError(f"assets: {tarball.name} has no dist/{name}") from None
            source = archive.extractfile(member)
            if source is None:
                raise AssetError(f"assets: dist/{name} in {tarball.name} is not a file")
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source.read())
    (target / "VERSION").write_text(LEAFLET_VERSION + "\n")


def install_leaflet(static_dir: Path = STATIC_DIR, npm: str = "npm", force: bool = False) -> Path:
    """Fetch pinned Leaflet into static/vendor/leaflet/ (idempotent: skips a complete install)."""
    target = leaflet_dir(static_dir)
    if leaflet_installed(static_dir) and not force:
        return target
    npm_path = shutil.which(npm)
    if npm_path is None:
        raise AssetError(
            f"assets: {npm!r} not found; install Node.js and npm (Debian: apt-get install npm), "
            "then run: python -m geo.assets"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="leaflet-", dir=target.parent) as tmp:
        workdir = Path(tmp)
        staging = workdir / "staging"
        staging.mkdir()
        _extract_leaflet(_npm_pack(npm_path, workdir), staging)
        # Swap in the complete folder at once so a failed run never leaves half an install.
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    return target


def basemap_path(static_dir: Path = STATIC_DIR) -> Path:
    """Where the embedded basemap GeoJSON is served from."""
    return static_dir / BASEMAP_SUBDIR / BASEMAP_FILE


def basemap_url() -> str:
    """URL of the basemap GeoJSON as the map iframe sees it."""
    return f"{STATIC_URL}/{BASEMAP_SUBDIR.as_posix()}/{BASEMAP_FILE}"


def basemap_geojson() -> str:
    """Land and country borders as a FeatureCollection of two features, kind=land|border.

    One multi-part feature per kind: Leaflet then holds two layers instead of ~1,100, which it
    draws sooner and st_folium walks through on every day change.
    """
    import shapely  # deferred with the basemap: reading GSHHS takes about a second

    from geo import basemap

    features = []
    for kind, frame, combine in (
        ("land", basemap.land(), shapely.multipolygons),
        ("border", basemap.borders(), shapely.multilinestrings),
    ):
        combined = combine(shapely.get_parts(frame.geometry.to_numpy()))
        # A flat array of parts makes one geometry (only nested arrays make an array of them).
        assert isinstance(combined, shapely.Geometry)
        geometry = shapely.geometry.mapping(combined)
        features.append({"type": "Feature", "properties": {"kind": kind}, "geometry": geometry})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


_warm_up: Future[None] | None = None


def _build_basemap() -> None:
    from geo import basemap

    basemap.land_union()
    basemap.borders()


def warm_basemap() -> Future[None]:
    """Compute the cached basemap geometry in a background thread, once per process.

    GEOS releases the GIL, so this overlaps the imports that follow. Callers that need the
    basemap wait on the returned future instead of computing it a second time.
    """
    global _warm_up
    if _warm_up is None:
        from geo import basemap  # noqa: F401  (imported here, not in the thread: no import race)

        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="basemap-warm-up")
        _warm_up = executor.submit(_build_basemap)
        executor.shutdown(wait=False)
    return _warm_up


def write_basemap(static_dir: Path = STATIC_DIR) -> Path:
    """Write the basemap GeoJSON if missing or different (cheap to call at every start)."""
    warm_basemap().result()
    path = basemap_path(static_dir)
    text = basemap_geojson()
    if path.is_file() and path.read_text() == text:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace_with(path, text)
    return path


def _replace_with(path: Path, text: str) -> None:
    """Write `text` to `path` through a staging file of this call's own, renamed into place:
    a browser never reads half a file, and servers sharing static/ (replicas) writing the same
    file at once never take each other's staging file."""
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    ) as file:
        staging = Path(file.name)
        try:
            file.write(text)
        except BaseException:
            file.close()
            staging.unlink(missing_ok=True)
            raise
    staging.chmod(0o644)  # readable like any static file (temporary files start private)
    staging.replace(path)


def write_text(name: str, text: str, suffix: str, static_dir: Path = STATIC_DIR) -> str:
    """Write static/cache/<name>-<hash><suffix> and return its URL from the map iframe.

    The content hash in the name lets browsers cache it safely; older versions are removed.
    """
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"name must be letters, digits, '-' or '_', got {name!r}")
    if suffix not in {".json", ".js", ".css"}:
        raise ValueError(f"suffix must be .json, .js or .css, got {suffix!r}")
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    folder = static_dir / DATA_SUBDIR
    path = folder / f"{name}-{digest}{suffix}"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        _replace_with(path, text)
    for old in folder.glob(f"{name}-*{suffix}"):
        if old != path and old.name.removeprefix(f"{name}-")[: -len(suffix)].isalnum():
            old.unlink(missing_ok=True)
    return f"{STATIC_URL}/{DATA_SUBDIR.as_posix()}/{path.name}"


def write_data(name: str, payload: object, static_dir: Path = STATIC_DIR) -> str:
    """Write JSON as static/cache/<name>-<hash>.json and return its URL (see write_text)."""
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return write_text(name, text, ".json", static_dir)


def main(argv: list[str] | None = None) -> int:
    """`python -m geo.assets [--static DIR] [--force]`: install everything the map serves."""
    parser = argparse.ArgumentParser(prog="python -m geo.assets", description=__doc__)
    parser.add_argument("--static", type=Path, default=STATIC_DIR, help="static/ folder to fill")
    parser.add_argument("--npm", default="npm", help="npm executable (default: npm)")
    parser.add_argument("--force", action="store_true", help="fetch Leaflet even if present")
    args = parser.parse_args(argv)
    try:
        folder = install_leaflet(args.static, npm=args.npm, force=args.force)
        basemap = write_basemap(args.static)
    except (AssetError, OSError) as error:
        print(error, file=sys.stderr)
        return 2
    print(f"leaflet {LEAFLET_VERSION}: {folder}")
    print(f"basemap: {basemap}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
