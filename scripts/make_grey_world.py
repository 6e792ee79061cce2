"""Write static/grey-world.json, the map's grey world that the app serves and the browser fetches once
(score.maps.WORLD_URL), from the committed polygons; run after a change to them or to `maps.grey_world_json`
(tests/test_map_page.py fails while the file is stale).

    .venv/bin/python scripts/make_grey_world.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from score import maps


def main() -> None:
    maps.WORLD_FILE.write_text(maps.grey_world_json(), encoding="utf-8")
    print(f"{maps.WORLD_FILE}: {maps.WORLD_FILE.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
