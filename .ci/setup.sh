#!/usr/bin/env bash
# Set up a fresh machine for foxbat76: a venv with the package, and offline web assets.
# Usage: bash .ci/setup.sh [--test]   (--test adds the test tools, Debian chromium, gdal-bin, ffmpeg)
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
[ "${1:-}" = "--test" ] && with_test=1

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "$with_test" = 1 ]; then
  .venv/bin/python -m pip install --quiet -e '.[test]'
else
  .venv/bin/python -m pip install --quiet -e .
fi

if [ "$with_test" = 1 ]; then
  # Browser, GDAL and video tests use Debian's chromium, ogrinfo and ffprobe; never a downloaded
  # browser.
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
  command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)  # reads back the MP4 export
  # Japanese glyphs in browser screenshots (the map's names); a user's own browser has its own.
  [ -d /usr/share/fonts/opentype/ipafont-gothic ] || missing+=(fonts-ipafont-gothic)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "setup: please install ${missing[*]} (apt-get install ${missing[*]})" >&2
    fi
  fi
fi

# Leaflet and the other web assets come from the npm registry at install time (git-ignored).
.venv/bin/python -m geo.assets

if [ "$with_test" = 1 ]; then
  # The map client's linter, pinned with every dependency's integrity in the lockfile.
  npm ci --prefix .ci/eslint --no-audit --no-fund --loglevel=error >/dev/null
fi
