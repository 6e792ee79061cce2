#!/usr/bin/env bash
# Regenerate the offline country reference data:
#   data/reference/countries.geojson  (Natural Earth 1:110m via npm world-atlas, + iso3)
#   data/reference/countries.csv      (the nine SCORE countries: names, region, centroid, bbox)
# See data/reference/SOURCES.md. Usage: bash scripts/make_country_polygons.sh
#
# Needs node/npm/npx and network access to the npm registry (and to PyPI when pycountry
# is not importable). pycountry is a build-time tool only, NOT a runtime dependency of
# the dashboard: when the project Python lacks it, it is installed into a throwaway
# venv inside the temp dir, which is deleted at the end.
set -euo pipefail

WORLD_ATLAS_VERSION="2.0.2"      # world-atlas@2, pinned so reruns give the same bytes
WORLD_ATLAS_SHA1="4bca4a578f3a413bd409c3f07f2054fe7375824f"   # registry dist.shasum
TOPOJSON_CLIENT_VERSION="3.1.0"
PYCOUNTRY_VERSION="26.2.16"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="$REPO_ROOT/data/reference"

if [[ -x "$REPO_ROOT/.venv/bin/python" ]]; then
    PY="$REPO_ROOT/.venv/bin/python"
else
    PY="$(command -v python3)"
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

cd "$TMP"
tarball="$(npm pack --silent "world-atlas@$WORLD_ATLAS_VERSION")"
actual_sha1="$(sha1sum "$tarball" | cut -d' ' -f1)"
if [[ "$actual_sha1" != "$WORLD_ATLAS_SHA1" ]]; then
    echo "unexpected sha1 for $tarball: $actual_sha1 (expected $WORLD_ATLAS_SHA1)" >&2
    exit 1
fi
tar xzf "$tarball"
npx -y -p "topojson-client@$TOPOJSON_CLIENT_VERSION" \
    topo2geo countries=countries.geojson < package/countries-110m.json

if ! "$PY" -c 'import pycountry' 2>/dev/null; then
    "$PY" -m venv "$TMP/venv"
    "$TMP/venv/bin/pip" install --quiet --disable-pip-version-check "pycountry==$PYCOUNTRY_VERSION"
    PY="$TMP/venv/bin/python"
fi

cd "$REPO_ROOT"
"$PY" scripts/geojson_add_iso3.py "$TMP/countries.geojson" "$OUT_DIR"
