"""What drawing a page's charts costs in the browser, chart by chart, two sets of figures side by side (issue 25).

    .venv/bin/python bench/chart_draw.py dump OUT.json [--repo CHECKOUT] [--pages overview] [--languages en,fr,es]
    .venv/bin/python bench/chart_draw.py dump OUT.json --floor
    .venv/bin/python bench/chart_draw.py time A.json B.json [--rounds 8] [--width 560]
    .venv/bin/python bench/chart_draw.py margins A.json [--widths 330,560,1000]

`dump` runs the pages with AppTest (public viewer, each language through `?lang=`) and keeps every Plotly chart as
the page sends it to the browser (the spec's data, layout and config); `--repo` runs another checkout's code, so a
change can be compared with main's figures; `--floor` dumps bench/floor_app.py's five charts instead.

`time` draws both sets in the system Chromium (/usr/bin/chromium, offline) with the plotly.js that Plotly's Python
package ships, one chart at a time into a div `--width` px wide, from `Plotly.newPlot` to the chart drawn (its
promise resolved and the layout flushed); A and B alternate set by set, the order swapped each round. Per chart
also how many times Plotly drew it (`plotly_afterplot`): a second time is what `automargin` costs when tick labels or
a legend push a margin. Prints per chart and per set the medians, and the ratio B/A of each round's totals.

`margins` checks the fixed margins (score.charts.fitted_margins) against Plotly's own: each chart is drawn with
Plotly's margin pushing on (`automargin`, `margin.autoexpand`) at each width, and the margins Plotly arrives at
are compared with the fitted ones, side by side: a fitted margin smaller than Plotly's is a label or legend cut
off (SHORT); one more than 25 px larger is room given for nothing at that width (roomy).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Draws one figure into a fresh div of the given width as react-plotly.js (Streamlit's PlotlyChart) does, with
# Plotly.react; resolves with (ms, how many times Plotly drew it: `plotly_afterplot` events; a second one is what
# `automargin` costs when tick labels or a legend push a margin: Plotly draws the chart again with the new margins).
DRAW = """
async ([spec, width]) => {
  const div = document.createElement('div');
  div.style.width = width + 'px';
  document.body.appendChild(div);
  await Plotly.newPlot(div, [], {});
  let plots = 0;
  div.on('plotly_afterplot', () => plots++);
  const start = performance.now();
  await Plotly.react(div, spec.data, spec.layout, spec.config || {});
  void document.body.offsetHeight;  // the layout the drawing caused, as a page would pay it
  const ms = performance.now() - start;
  Plotly.purge(div);
  div.remove();
  return [ms, plots];
}
"""


def dump(out: Path, repo: Path, pages: list[str], languages: list[str], floor: bool) -> None:
    os.chdir(repo)
    sys.path.insert(0, str(repo))
    from streamlit.testing.v1 import AppTest

    specs: list[dict] = []
    runs = [("floor", "en")] if floor else [(p, lang) for p in pages for lang in languages]
    for page, language in runs:
        app = AppTest.from_file(str(repo / ("bench/floor_app.py" if floor else "app.py")), default_timeout=180)
        if not floor:
            from score.access import Scope
            from score.web import ui

            app.session_state[ui.SCOPE_KEY] = Scope.public()
            app.query_params["lang"] = language
        app.run()
        if page not in ("overview", "floor"):
            app.switch_page(f"views/{page}.py").run()
        for n, element in enumerate(app.get("plotly_chart")):
            spec = json.loads(element.proto.spec)
            config = json.loads(element.proto.config) if element.proto.config else {}
            layout = spec.get("layout", {})
            title = layout.get("title", {})
            title = title.get("text") if isinstance(title, dict) else title
            specs.append(
                {
                    "name": f"{page}/{language}/{n} {str(title or '')[:40]}",
                    "data": spec.get("data", []),
                    "layout": layout,
                    "config": config,
                }
            )
        print(f"{page} {language}: {len(app.get('plotly_chart'))} charts", file=sys.stderr)
    out.write_text(json.dumps(specs))


def time_sets(a: Path, b: Path, rounds: int, width: int) -> None:
    import plotly
    from playwright.sync_api import sync_playwright

    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    sets = {"A": json.loads(a.read_text()), "B": json.loads(b.read_text())}
    times: dict[str, dict[str, list[float]]] = {k: {s["name"]: [] for s in v} for k, v in sets.items()}
    draws: dict[str, dict[str, int]] = {k: {} for k in sets}
    totals: dict[str, list[float]] = {"A": [], "B": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.route("**/*", lambda route: route.abort())
        page.set_content("<html><body style='margin:0'></body></html>")
        page.add_script_tag(path=str(plotly_js))
        for name in ("A", "B"):  # warm-up: plotly.js compiled, fonts measured
            for spec in sets[name]:
                page.evaluate(DRAW, [spec, width])
        for r in range(rounds):
            for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
                total = 0.0
                for spec in sets[name]:
                    ms, plots = page.evaluate(DRAW, [spec, width])
                    times[name][spec["name"]].append(ms)
                    draws[name][spec["name"]] = plots
                    total += ms
                totals[name].append(total)
        browser.close()
    for name in ("A", "B"):
        print(f"\n{name}: {a if name == 'A' else b} ({len(sets[name])} charts, width {width} px)")
        for chart, values in times[name].items():
            print(f"  {statistics.median(values):7.1f} ms  drawn {draws[name][chart]}x  {chart}")
        rounds_ms = [round(t) for t in totals[name]]
        print(f"  total per round: median {statistics.median(totals[name]):.0f} ms, all {rounds_ms}")
    ratios = [b_ / a_ for a_, b_ in zip(totals["A"], totals["B"], strict=True)]
    print(f"\nB/A per round: {[round(x, 2) for x in ratios]}; median {statistics.median(ratios):.2f}")
    print(f"load average: {os.getloadavg()[0]:.1f}")


# Draws one figure with Plotly's margin pushing on; resolves with the margins Plotly arrived at.
PUSHED = """
async ([spec, width]) => {
  const div = document.createElement('div');
  div.style.width = width + 'px';
  document.body.appendChild(div);
  const gd = await Plotly.newPlot(div, spec.data, spec.layout, spec.config || {});
  const size = gd._fullLayout._size;
  const out = {l: size.l, r: size.r, t: size.t, b: size.b};
  Plotly.purge(div);
  div.remove();
  return out;
}
"""


def check_margins(path: Path, widths: list[int]) -> int:
    import copy

    import plotly
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO))
    from score import charts

    specs = json.loads(path.read_text())
    short = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-background-networking"])
        page = browser.new_page()
        page.route("**/*", lambda route: route.abort())
        page.set_content("<html><body style='margin:0'></body></html>")
        page.add_script_tag(path=str(Path(plotly.__file__).parent / "package_data" / "plotly.min.js"))
        for spec in specs:
            pushing = copy.deepcopy(spec)
            layout = pushing["layout"]
            margin = layout.get("margin") or {}
            fitted = {side: margin[side] for side in "lrtb" if side in margin} if "autoexpand" in margin else None
            layout["margin"] = {"t": margin.get("t", 56)}  # the template's l, r, b; the title's room kept
            for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
                layout[name].pop("automargin", None)
            if fitted is None:  # a figure from before the fit: fit it here
                fitted = charts.fitted_margins(pushing)
            plotly_margins = {side: 0.0 for side in "lrtb"}
            for width in widths:
                found = page.evaluate(PUSHED, [pushing, width])
                plotly_margins = {side: max(plotly_margins[side], found[side]) for side in "lrtb"}
            low = {s: (fitted[s], round(plotly_margins[s])) for s in "lrtb" if fitted[s] < plotly_margins[s] - 1}
            roomy = {s: (fitted[s], round(plotly_margins[s])) for s in "lrtb" if fitted[s] > plotly_margins[s] + 25}
            short += bool(low)
            verdict = "SHORT" if low else "roomy" if roomy else "ok"
            print(f"{verdict:5}  {spec['name'][:48]:48}  fitted / Plotly: {low or roomy or fitted}")
        browser.close()
    print(f"{len(specs)} charts at {widths} px: {short} with a margin smaller than Plotly's")
    return short


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--repo", type=Path, default=REPO)
    d.add_argument("--pages", default="overview")
    d.add_argument("--languages", default="en,fr,es")
    d.add_argument("--floor", action="store_true")
    t = sub.add_parser("time")
    t.add_argument("a", type=Path)
    t.add_argument("b", type=Path)
    t.add_argument("--rounds", type=int, default=8)
    t.add_argument("--width", type=int, default=560)
    m = sub.add_parser("margins")
    m.add_argument("a", type=Path)
    m.add_argument("--widths", default="330,560,1000")
    args = parser.parse_args()
    if args.command == "margins":
        sys.exit(1 if check_margins(args.a, [int(w) for w in args.widths.split(",")]) else 0)
    if args.command == "dump":
        os.environ.setdefault("SCORE_DATA_DIR", str(Path(tempfile.gettempdir()) / "score-chart-draw"))
        dump(args.out.resolve(), args.repo.resolve(), args.pages.split(","), args.languages.split(","), args.floor)
    else:
        time_sets(args.a, args.b, args.rounds, args.width)


if __name__ == "__main__":
    main()
