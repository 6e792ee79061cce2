"""Every figure every page shows, as JSON: a before/after check for refactors that must not change a number.

    python scripts/page_figures.py OUT.json [--data DIR] [--repo CHECKOUT]

Runs app.py with AppTest for each page as the public, HQ and a country user (Colombia) and writes, per page and
viewer, the tiles (label, value, delta), the tables (as shown), the charts' data and titles (Plotly; a title in
words, wherever it is drawn), the maps' layers (pydeck) and the page's notices and captions. The demo set is built
once into DIR (default: a folder in the temp dir, kept so that a second run compares the same build, with the same
disclosure secret); compare two outputs with `cmp` or `diff`. `--repo` runs another checkout's code (e.g. main's)
on the same data dir.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = [
    "overview",
    "enterprises",
    "training",
    "outcomes",
    "map",
    "logframe",
    "country",
    "present",
    "strip",
    "upload",
    "data_quality",
    "audit",
]
ONLY = {"upload": {"hq", "country"}, "data_quality": {"hq", "country"}, "audit": {"hq"}}


def build(data: Path, repo: Path) -> None:
    """The committed country files built into a private data dir (once: the secret and versions stay)."""
    import shutil

    if (data / "score.duckdb").exists():
        return
    shutil.copytree(repo / "data" / "countries", data / "countries")
    from score.publish import build_all

    build_all(user="figures")


def scope_key() -> str:
    try:
        from score.web import ui
    except ImportError:  # before the moves
        from score import ui  # type: ignore[attr-defined, no-redef]
    return ui.SCOPE_KEY


def viewers() -> dict[str, object]:
    from score.access import Scope

    return {"public": Scope.public(), "hq": Scope.hq("figures"), "country": Scope.country("figures", {"COL"})}


def plotly(element, shown_title: str = "") -> dict:
    """A chart's traces and its title in words: the figure's own title, or the text drawn just above the chart
    (components.show since session 20), with line breaks as spaces (where a title wraps is not a figure)."""
    spec = json.loads(element.proto.spec)
    keep = ("type", "name", "x", "y", "text", "values", "labels", "customdata", "orientation", "z", "locations")
    traces = [{k: trace.get(k) for k in keep if k in trace} for trace in spec.get("data", [])]
    title = spec.get("layout", {}).get("title", {})
    text = (title.get("text") if isinstance(title, dict) else title) or shown_title
    return {"title": " ".join(html.unescape(re.sub(r"<br\s*/?>", " ", text)).split()), "traces": traces}


def _charts(at) -> list[dict]:
    """Every Plotly chart in page order, each with the title drawn as text above it, if any."""

    def in_order(node):
        children = getattr(node, "children", None)
        if children is None:
            yield node
            return
        for child in children.values():
            yield from in_order(child)

    out, shown = [], ""
    for node in in_order(at.main):
        if node.type == "html" and "data-chart-title" in node.proto.body:
            shown = re.sub(r"<[^>]+>", "", node.proto.body)
        elif node.type == "plotly_chart":
            out.append(plotly(node, shown))
            shown = ""
    return out


def deck(element) -> dict:
    spec = json.loads(element.proto.json)
    layers = [{k: v for k, v in layer.items() if k in ("@@type", "id", "data")} for layer in spec.get("layers", [])]
    return {"layers": layers, "tooltip": element.proto.tooltip}


def _content_html(body: str) -> str:
    """An st.html body as a figure: the page's style and script blocks are none, KPI tiles are read as tiles
    (metrics), and a chart's data table is compared as text (chart_tables), so only the words drawn above it in
    the same element stay."""
    if body.lstrip().startswith(("<style>", "<script>")) or "data-score-tiles" in body or "data-chart-title" in body:
        return ""
    return body.split('<div class="score-table"', 1)[0]


def _tables(at) -> list[list[list[str]]]:
    """Every table drawn with st.table or as HTML (components.text.table_markup), as rows of the text a reader sees
    (st.table's Markdown escapes and its hidden running index taken off), so the two ways of drawing the same table
    compare equal."""
    plain = lambda text: re.sub(r"\\(.)", r"\1", str(text)).replace("\u2060", "")  # noqa: E731
    out = []
    for element in at.table:
        frame = element.value
        if frame.index.name is None and list(frame.index) == list(range(len(frame))):  # hidden (hide_index)
            rows = [list(map(plain, frame.columns))] + [list(map(plain, values)) for values in frame.values]
        else:
            rows = [[plain(frame.index.name or ""), *map(plain, frame.columns)]]
            rows += [[plain(i), *map(plain, values)] for i, values in zip(frame.index, frame.values, strict=True)]
        out.append(rows)
    for element in at.get("html"):
        if "data-score-table" in element.proto.body:
            lines = re.findall(r"<tr>(.*?)</tr>", element.proto.body)
            out.append([[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)] for row in lines])
    return out


def _tiles(at) -> list[list[str]]:
    """Every KPI tile as [label, value, delta], in page order: drawn with st.metric, or as one HTML element a row
    (components.tiles.tiles_markup, read back by its read_tiles), so the two ways of drawing compare equal."""
    out = []
    for element in at.get("html"):
        if "data-score-tiles" in element.proto.body:
            from score.web.components.tiles import read_tiles  # only code that draws tiles as HTML has it

            out += [[tile.label, tile.value, tile.delta] for tile in read_tiles(element.proto.body)]
    return out + [[m.label, m.value, m.proto.delta] for m in at.metric]


def figures(at) -> dict:
    out: dict = {
        "metrics": _tiles(at),
        "tables": [json.loads(d.value.astype(str).to_json(orient="split")) for d in at.dataframe],
        "charts": _charts(at),
        "maps": [deck(d) for d in at.get("deck_gl_json_chart")],
        "notices": [[kind, e.value] for kind in ("info", "warning", "error", "success") for e in getattr(at, kind)],
        "captions": [c.value for c in at.caption],
        "markdown": [m.value for m in at.markdown],
        # the page's own style and script blocks are not figures; the charts' data tables are compared as text
        "html": [body for h in at.get("html") if (body := _content_html(h.proto.body))],
        "chart_tables": sorted(json.dumps(t, ensure_ascii=False) for t in _tables(at)),
        "exception": [str(e.value) for e in at.exception],
    }
    return out


def run_page(repo: Path, page: str, scope: object) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(repo / "app.py"), default_timeout=180)
    at.session_state[scope_key()] = scope
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    return figures(at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "score-page-figures" / "data")
    parser.add_argument("--pages", nargs="*", default=PAGES)
    parser.add_argument("--repo", type=Path, default=REPO)
    args = parser.parse_args()
    repo = args.repo.resolve()
    os.environ["SCORE_DATA_DIR"] = str(args.data.resolve())
    os.chdir(repo)
    sys.path.insert(0, str(repo))
    build(args.data, repo)
    result: dict = {}
    for page in args.pages:
        for who, scope in viewers().items():
            if who in ONLY.get(page, {who}):
                result[f"{page} as {who}"] = run_page(repo, page, scope)
                print(f"{page} as {who}", file=sys.stderr)
    args.out.write_text(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n")


if __name__ == "__main__":
    main()
