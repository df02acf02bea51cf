"""Offline assets: pinned Leaflet via npm (faked: tests never use the network), static files."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from geo import assets


def _tarball(path: Path, files: dict[str, bytes]) -> Path:
    """A tarball laid out like the npm package (package/dist/...)."""
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _fake_npm(folder: Path, integrity: str, files: dict[str, bytes]) -> Path:
    """An `npm` stand-in: `npm pack` writes a prepared tarball and prints npm's JSON."""
    tarball = _tarball(folder / "leaflet-src.tgz", files)
    report = json.dumps([{"filename": "leaflet-1.9.4.tgz", "integrity": integrity}])
    script = folder / "npm"
    script.write_text(
        f"#!/bin/sh\ncp \"{tarball}\" ./leaflet-1.9.4.tgz\ncat <<'EOF'\n{report}\nEOF\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


DIST = {f"dist/{name}": f"/* {name} */".encode() for name in assets.LEAFLET_FILES}


def test_install_copies_the_pinned_files_and_a_version_stamp(tmp_path):
    npm = _fake_npm(tmp_path, assets.LEAFLET_INTEGRITY, DIST)
    static = tmp_path / "static"
    folder = assets.install_leaflet(static, npm=str(npm))
    assert folder == static / "vendor" / "leaflet"
    for name in assets.LEAFLET_FILES:
        assert (folder / name).read_bytes() == f"/* {name} */".encode()
    assert (folder / "VERSION").read_text().strip() == "1.9.4"
    assert assets.leaflet_installed(static)


def test_install_is_idempotent_and_does_not_call_npm_again(tmp_path):
    static = tmp_path / "static"
    assets.install_leaflet(static, npm=str(_fake_npm(tmp_path, assets.LEAFLET_INTEGRITY, DIST)))
    before = (static / "vendor/leaflet/leaflet.js").stat().st_mtime_ns
    assets.install_leaflet(static, npm=str(tmp_path / "no-such-npm"))  # would fail if called
    assert (static / "vendor/leaflet/leaflet.js").stat().st_mtime_ns == before


def test_a_tarball_with_another_integrity_is_refused_and_nothing_is_installed(tmp_path):
    npm = _fake_npm(tmp_path, "sha512-somethingelse==", DIST)
    with pytest.raises(assets.AssetError, match="does not match the pinned"):
        assets.install_leaflet(tmp_path / "static", npm=str(npm))
    assert not (tmp_path / "static" / "vendor" / "leaflet").exists()


def test_a_tarball_missing_a_file_is_refused(tmp_path):
    incomplete = {k: v for k, v in DIST.items() if not k.endswith("leaflet.css")}
    npm = _fake_npm(tmp_path, assets.LEAFLET_INTEGRITY, incomplete)
    with pytest.raises(assets.AssetError, match=r"no dist/leaflet\.css"):
        assets.install_leaflet(tmp_path / "static", npm=str(npm))


def test_a_missing_npm_gives_one_clear_message(tmp_path, capsys):
    with pytest.raises(assets.AssetError, match=r"not found; install Node\.js and npm"):
        assets.install_leaflet(tmp_path / "static", npm="no-such-npm-here")
    code = assets.main(["--static", str(tmp_path / "static"), "--npm", "no-such-npm-here"])
    assert code == 2
    assert "python -m geo.assets" in capsys.readouterr().err


def test_the_map_uses_local_leaflet_when_installed_and_the_cdn_otherwise(tmp_path):
    static = tmp_path / "static"
    fallback = assets.web_assets(static)
    assert not fallback.offline
    cdn = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/"
    assert all(src.startswith(cdn) for _, src in fallback.js)
    assets.install_leaflet(static, npm=str(_fake_npm(tmp_path, assets.LEAFLET_INTEGRITY, DIST)))
    local = assets.web_assets(static)
    assert local.offline
    assert [src for _, src in local.js] == ["../../app/static/vendor/leaflet/leaflet.js"]
    assert [href for _, href in local.css] == ["../../app/static/vendor/leaflet/leaflet.css"]


def test_a_wrong_version_stamp_counts_as_not_installed(tmp_path):
    static = tmp_path / "static"
    assets.install_leaflet(static, npm=str(_fake_npm(tmp_path, assets.LEAFLET_INTEGRITY, DIST)))
    (static / "vendor/leaflet/VERSION").write_text("1.7.1\n")
    assert not assets.leaflet_installed(static)


def test_data_files_are_named_by_content_and_old_versions_removed(tmp_path):
    first = assets.write_data("items", {"a": 1}, tmp_path)
    assert first.startswith("../../app/static/cache/items-") and first.endswith(".json")
    assert assets.write_data("items", {"a": 1}, tmp_path) == first
    second = assets.write_data("items", {"a": 2}, tmp_path)
    assert second != first
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [second.rsplit("/", 1)[1]]
    assert json.loads((tmp_path / "cache" / second.rsplit("/", 1)[1]).read_text()) == {"a": 2}


@pytest.mark.parametrize(
    ("name", "suffix", "message"),
    [
        ("", ".js", "name must be"),
        ("../x", ".js", "name must be"),
        ("client", ".html", "suffix must be"),
        ("client", "", "suffix must be"),
    ],
)
def test_static_text_refuses_unsafe_names_and_types(tmp_path, name, suffix, message):
    with pytest.raises(ValueError, match=message):
        assets.write_text(name, "x", suffix, tmp_path)
    assert not (tmp_path / "cache").exists()


def test_static_text_keeps_one_version_per_name_and_type(tmp_path):
    js = assets.write_text("fx-client", "var a = 1;", ".js", tmp_path)
    css = assets.write_text("fx-client", "a { color: red; }", ".css", tmp_path)
    other = assets.write_text("fx-client-extra", "var b = 1;", ".js", tmp_path)
    newer = assets.write_text("fx-client", "var a = 2;", ".js", tmp_path)
    assert newer != js and newer.endswith(".js") and css.endswith(".css")
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert names == sorted(u.rsplit("/", 1)[1] for u in (newer, css, other))


def test_the_basemap_file_has_land_and_borders_and_is_rewritten_only_when_changed(tmp_path):
    path = assets.write_basemap(tmp_path)
    data = json.loads(path.read_text())
    # One multi-part feature per kind: Leaflet holds two layers, not one per island.
    kinds = [(f["properties"]["kind"], f["geometry"]["type"]) for f in data["features"]]
    assert kinds == [("land", "MultiPolygon"), ("border", "MultiLineString")]
    assert len(data["features"][0]["geometry"]["coordinates"]) > 1000
    before = os.stat(path).st_mtime_ns
    assets.write_basemap(tmp_path)
    assert os.stat(path).st_mtime_ns == before
    assert assets.basemap_url() == "../../app/static/vendor/basemap/basemap.geojson"


def test_servers_writing_the_same_file_at_once_never_fail_or_leave_half_a_file(tmp_path):
    # Replicas of the dashboard share static/ and write the same files on their first page.
    text = json.dumps({"rows": ["x" * 64] * 20_000})
    for attempt in range(10):
        folder = tmp_path / str(attempt)
        start = threading.Barrier(6)

        def write(folder: Path = folder, start: threading.Barrier = start) -> str:
            start.wait()
            return assets.write_text("items", text, ".json", folder)

        with ThreadPoolExecutor(max_workers=6) as pool:
            urls = {future.result() for future in [pool.submit(write) for _ in range(6)]}
        (url,) = urls
        written = folder / assets.DATA_SUBDIR / url.rsplit("/", 1)[1]
        assert written.read_text() == text
        assert [path.name for path in written.parent.iterdir()] == [written.name]
