"""The meeting deck: one slide sequence, shown full screen in the app (views/present.py) and as a PPTX deck.

Both come from the same `Slide` specs built here from the viewer's own (scoped, suppressed) query results,
in the viewer's language, so what is downloaded is exactly what was on screen. No Streamlit here: the
command line (`python -m score deck`) builds the same deck with a plain query function.

Slides: title (filters in words, date, data version as a date), headline figures against targets with
women's shares, the map, enterprises by country against target, people trained by country and sex,
outcomes reported (with n), change from baseline to follow-up (with n), logframe status, sources and method.
Each slide carries speaker notes with the method behind its figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from score import access, charts, contract, logframe, maps
from score.deck import Kpi, Slide
from score.exports import ExportContext
from score.filters import Filters
from score.i18n import _, fmt_date, fmt_int, fmt_pct, percent_format, percent_suffix, plot_separators
from score.narrative import narrative, place_of
from score.tiles import headline_tiles
from score.values import format_value, missing, role_labels, targets_apply

Query = Callable[..., pd.DataFrame]
FONT_PX = 26  # chart text on a slide: at least 24 px on a 1920 px wide screen

# ------------------------------------------------------------------------------------------- method notes


def method_notes() -> dict[str, str]:
    """The method note of each figure (speaker notes and the sources slide), in the current language."""
    return {
        "enterprises": _("Enterprises engaged: participating SMEs that joined SCORE, counted once."),
        "workers": _("Workers reached: headcount of the participating enterprises when they joined, by sex."),
        "people": _(
            "People trained: a conservative distinct estimate. Per enterprise, role and sex, the largest "
            "classroom group across its modules, so someone in two modules counts once."
        ),
        "modules": _("Modules delivered: one per enterprise and module (classroom training plus consultations)."),
        "targets": _("Targets: the programme's targets per country and phase, summed over the countries in view."),
        "shares": _(
            "Outcomes reported: share of enterprises answering yes at follow-up among those that answered (n)."
        ),
        "change": _(
            "Change: summed follow-up against summed baseline over the enterprises with both values (n); "
            "enterprises without a follow-up are excluded. Lower is better for all five."
        ),
        "logframe": logframe.rule_caption(),
        "hidden": _(
            "Public figures: {method} Hidden cells show as – or are left out of charts.", method=access.method_text()
        ),
    }


def _value(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _numbers(frame: pd.DataFrame, column: str) -> list[float | None]:
    return [_value(v) for v in pd.to_numeric(frame[column], errors="coerce")]


# ------------------------------------------------------------------------------------------- the slides


def deck_slides(
    query: Query,
    labels: Mapping[str, Mapping[str, str]],
    filters: Filters,
    context: ExportContext,
    today: dt.date | None = None,
) -> list[Slide]:
    """The standard results deck for the current viewer and filters. `query(name, **params)` runs a named
    query under the viewer's scope and filters; `labels[kind][code]` gives names in the current language."""
    notes = method_notes()
    countries = labels.get("country", {})
    slides = [_title_slide(context, today)]
    # the speaker's summary in words: the narrative of the figures in view (one country's when one is chosen)
    summary = narrative(query, place_of(filters, countries), labels.get("indicator", {})).text
    slides[0].notes = "\n".join((summary, slides[0].notes))
    kpis = query("overview_kpis").iloc[0]
    if bool(kpis.get("suppressed", False)) or not kpis["enterprises"]:
        hidden = bool(kpis.get("suppressed", False))
        slides.append(
            Slide(
                _("Headline figures"),
                lines=[access.hidden_text() if hidden else _("No enterprises match the current filters.")],
                notes=notes["hidden"],
            )
        )
        slides.append(_sources_slide(context, notes))
        return slides
    slides.append(_headline_slide(query, kpis, filters, notes))
    by_country = query("country_comparison")
    slides.append(_map_slide(by_country, countries, notes))
    if charts.compares_countries(by_country):
        slides.append(_enterprises_slide(by_country, countries, targets_apply(filters), notes))
        slides.append(_people_slide(by_country, countries, notes))
    else:
        # One country in view: a chart "by country" would be one bar, its figure already on the headline slide
        # beside its target. What a presenter of one country shows instead: its enterprises by sector and its
        # people trained by role.
        slides.append(_sectors_slide(query("enterprises_by_sector"), labels.get("sector", {}), notes))
        slides.append(_roles_slide(query("people_trained_by_role_sex"), notes))
    shares = query("outcome_shares")
    if len(shares):
        slides.append(_shares_slide(shares, labels.get("indicator", {}), notes))
    changes = query("outcome_changes")
    if len(changes):
        slides.append(_change_slide(changes, labels.get("indicator", {}), notes))
    frame = logframe.with_status(query("logframe", period_end=None), dict(countries))
    if charts.compares_countries(frame):
        slides.append(_logframe_slide(frame, countries, notes))
    elif len(frame):  # one country: its indicators one by one, not one stacked bar of status counts
        slides.append(_logframe_lines_slide(frame, countries, labels.get("indicator", {}), notes))
    slides.append(_sources_slide(context, notes))
    return slides


def _title_slide(context: ExportContext, today: dt.date | None) -> Slide:
    return Slide(
        _("SCORE results"),
        kind="title",
        subtitle=context.filters,
        lines=[
            _("Sustaining Competitive and Responsible Enterprises (ILO)"),
            _("{date} · data of {data_date}", date=fmt_date(today or dt.date.today()), data_date=context.data_date),
        ],
        notes=_(
            "Figures for: {filters}. Data version of {date}. Source: {source}.",
            filters=context.filters,
            date=context.data_date,
            source=context.source,
        ),
    )


def headline_kpis(query: Query, kpis: pd.Series, filters: Filters) -> list[Kpi]:
    """The headline figures against targets, with women's shares (the headline slide and the embeddable
    headline strip): the pages' headline tiles, as text. `kpis`: the row of overview_kpis."""
    with_targets = targets_apply(filters)
    targets = query("overview_targets").set_index("metric") if with_targets else pd.DataFrame()
    tiles = headline_tiles(kpis, targets, with_targets=with_targets, participations=True)
    return [
        Kpi(
            tile.printed_label or tile.label,
            format_value(tile.value, tile.kind),
            tile.detail or "",
            "" if missing(tile.women_pct) else _("{pct} women", pct=fmt_pct(tile.women_pct)),
            share=_value(tile.women_pct),
            progress=_value(tile.progress_pct) if tile.has_target else None,
        )
        for tile in tiles
    ]


def _headline_slide(query: Query, kpis: pd.Series, filters: Filters, notes: dict[str, str]) -> Slide:
    tiles = headline_kpis(query, kpis, filters)
    method = [notes["enterprises"], notes["workers"], notes["people"], notes["modules"]]
    if any(kpi.progress is not None for kpi in tiles):
        method.append(notes["targets"])
    else:
        method.append(
            _(
                "Targets are set per country and phase: progress is shown only without sector, partner, module "
                "or year filters."
            )
        )
    return Slide(_("Headline figures"), kind="kpis", kpis=tiles, notes="\n".join(method))


def _by_name(frame: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    return frame.assign(_name=[names.get(c, c) for c in frame["country"]]).sort_values("_name", kind="stable")


def _by_value(frame: pd.DataFrame, column: str, names: Mapping[str, str]) -> pd.DataFrame:
    """Largest first; hidden (suppressed) values last, then by name."""
    ranked = _by_name(frame, names).assign(_value=pd.to_numeric(frame[column], errors="coerce"))
    return ranked.sort_values("_value", ascending=False, na_position="last", kind="stable")


def _map_slide(by_country: pd.DataFrame, names: Mapping[str, str], notes: dict[str, str]) -> Slide:
    values = maps.metric_values(by_country, "enterprises")
    ranked = _by_value(by_country, "enterprises", names)
    counts = pd.to_numeric(ranked["enterprises"], errors="coerce")
    hidden = _("hidden (fewer than 5)")
    listed = [  # what the deck shows where the map cannot be drawn as a picture (no browser on the host)
        f"{name}: {hidden if pd.isna(count) else fmt_int(count)}"
        for name, count in zip(ranked["_name"], counts, strict=True)
    ]
    return Slide(
        _("Where SCORE works: enterprises engaged by country"),
        kind="map",
        figure=map_figure(values, maps.metric_label("enterprises"), names),
        lines=listed,
        notes="\n".join(
            (
                notes["enterprises"],
                _("Countries coloured by the number of enterprises engaged; grey: hidden (fewer than 5)."),
                _("Map: Natural Earth country shapes bundled with the dashboard (drawn offline, no basemap)."),
            )
        ),
    )


def _enterprises_slide(
    by_country: pd.DataFrame, names: Mapping[str, str], with_targets: bool, notes: dict[str, str]
) -> Slide:
    rows = _by_value(by_country, "enterprises", names)
    series = {_("Enterprises"): _numbers(rows, "enterprises")}
    colours = {_("Enterprises"): charts.ACCENT}
    if with_targets and pd.to_numeric(rows["target_enterprises"], errors="coerce").notna().any():
        series[_("Target")] = _numbers(rows, "target_enterprises")
        colours[_("Target")] = charts.MUTED
    return Slide(
        _("Enterprises engaged by country") + (" " + _("against target") if len(series) > 1 else ""),
        categories=rows["_name"].tolist(),
        series=series,
        colours=colours,
        chart="column",
        notes="\n".join((notes["enterprises"], notes["targets"] if len(series) > 1 else "", notes["hidden"])).strip(),
    )


def _people_slide(by_country: pd.DataFrame, names: Mapping[str, str], notes: dict[str, str]) -> Slide:
    rows = _by_value(by_country, "people_trained", names)
    return Slide(
        _("People trained by country, women and men (distinct estimate)"),
        categories=rows["_name"].tolist(),
        series={
            _("Women"): _numbers(rows, "people_trained_female"),
            _("Men"): _numbers(rows, "people_trained_male"),
        },
        colours={_("Women"): charts.SEX_COLOURS["female"], _("Men"): charts.SEX_COLOURS["male"]},
        chart="stacked",
        notes="\n".join((notes["people"], notes["hidden"])),
    )


def _sectors_slide(by_sector: pd.DataFrame, names: Mapping[str, str], notes: dict[str, str]) -> Slide:
    rows = _by_value(by_sector.rename(columns={"sector": "country"}), "enterprises", names)
    return Slide(
        _("Enterprises engaged by sector"),
        categories=rows["_name"].tolist(),
        series={_("Enterprises"): _numbers(rows, "enterprises")},
        colours={_("Enterprises"): charts.ACCENT},
        chart="bar",
        notes="\n".join((notes["enterprises"], notes["hidden"])),
    )


def _roles_slide(roles: pd.DataFrame, notes: dict[str, str]) -> Slide:
    names = role_labels()
    people = roles.pivot_table(index="role", columns="sex", values="people_trained", aggfunc="first", dropna=False)
    people = people.reindex(index=list(names), columns=["female", "male"])
    return Slide(
        _("People trained by role, women and men (distinct estimate)"),
        categories=list(names.values()),
        series={_("Women"): _numbers(people, "female"), _("Men"): _numbers(people, "male")},
        colours={_("Women"): charts.SEX_COLOURS["female"], _("Men"): charts.SEX_COLOURS["male"]},
        chart="stacked",
        notes="\n".join((notes["people"], notes["hidden"])),
    )


def _with_n(names: Mapping[str, str], code: str, n: object) -> str:
    return _("{name} (n = {n})", name=names.get(code, code), n=fmt_int(n))


def _shares_slide(shares: pd.DataFrame, names: Mapping[str, str], notes: dict[str, str]) -> Slide:
    title = _("Outcomes reported at follow-up (% of enterprises)")
    share = _("% of enterprises")
    return _indicator_slide(title, shares, "share_pct", share, percent_format(), names, notes["shares"], notes)


def _change_slide(changes: pd.DataFrame, names: Mapping[str, str], notes: dict[str, str]) -> Slide:
    title = _("Change from baseline to follow-up (%)")
    change = _("Change %")
    return _indicator_slide(title, changes, "change_pct", change, percent_format(1), names, notes["change"], notes)


def _indicator_slide(
    title: str,
    frame: pd.DataFrame,
    column: str,
    series: str,
    number_format: str,
    names: Mapping[str, str],
    method: str,
    notes: dict[str, str],
) -> Slide:
    """One bar per outcome indicator, named with its n, in one series."""
    return Slide(
        title,
        categories=[_with_n(names, r.indicator, r.n_enterprises) for r in frame.itertuples()],
        series={series: _numbers(frame, column)},
        colours={series: charts.ACCENT},
        chart="bar",
        number_format=number_format,
        notes="\n".join((method, notes["hidden"])),
    )


def _logframe_slide(frame: pd.DataFrame, names: Mapping[str, str], notes: dict[str, str]) -> Slide:
    countries = sorted(dict.fromkeys(frame["country"]), key=lambda code: names.get(code, code))
    series: dict[str, list[float | None]] = {}
    colours: dict[str, str] = {}
    for code in logframe.STATUSES:
        label = logframe.status_label(code)
        series[label] = [float(((frame["country"] == c) & (frame["status"] == code)).sum()) for c in countries]
        colours[label] = charts.STATUS_COLOURS[code]
    reported = fmt_date(pd.to_datetime(frame["period_end"]).max().date())
    return Slide(
        _("Logframe status by country (indicators, latest report)"),
        categories=[names.get(c, c) for c in countries],
        series=series,
        colours=colours,
        chart="stacked",
        notes="\n".join((notes["logframe"], _("Latest report in view: {date}.", date=reported))),
    )


def _logframe_lines_slide(
    frame: pd.DataFrame, countries: Mapping[str, str], names: Mapping[str, str], notes: dict[str, str]
) -> Slide:
    """One country's logframe: a line per indicator reported, actual against target and its status."""
    code = frame["country"].iloc[0]
    reported = pd.to_datetime(frame["period_end"]).max().date()
    lines = [
        _(
            "{indicator}: {actual} (target {target}) – {status}",
            indicator=names.get(row.indicator, row.indicator),
            actual=logframe.format_value(row.actual, row.unit),
            target=logframe.format_value(row.target, row.unit),
            status=logframe.status_label(row.status),
        )
        for row in frame.itertuples()
        if row.status != "no_data"
    ]
    return Slide(
        _("Logframe status, {country} (report of {date})", country=countries.get(code, code), date=fmt_date(reported)),
        kind="text",
        lines=lines or [logframe.status_label("no_data")],
        notes=notes["logframe"],
    )


def _sources_slide(context: ExportContext, notes: dict[str, str]) -> Slide:
    lines = [
        _("Source: {source}", source=context.source),
        _("Data of {date}; exported {today}.", date=context.data_date, today=context.exported_on),
        _("Figures for: {filters}.", filters=context.filters),
        notes["people"],
        notes["change"],
        context.adjusted or notes["hidden"],
    ]
    if context.demo:
        lines.insert(0, context.demo)
    return Slide(_("Sources and method"), kind="text", lines=lines, notes="\n".join(notes.values()))


# ------------------------------------------------------------------------------------------- command line


def link_filters(query_string: str) -> Filters:
    """The filters of a dashboard link's query (`countries=COL&phases=I`), validated like the URL; ValueError
    names the values that are not known codes (the command line refuses them rather than guess)."""
    from urllib.parse import parse_qs

    from score import db, filters
    from score.access import Scope

    partners = db.run_query("partners", Scope.nothing())["partner"].tolist()
    provinces = db.run_query("provinces", Scope.nothing())["province"].tolist()
    chosen = filters.from_query_params(parse_qs(query_string.lstrip("?")), partners, provinces)
    if chosen.notices:
        raise ValueError("unknown filter values: " + ", ".join(chosen.notices))
    return chosen


def deck_from_link(
    query_string: str = "",
    language: str = "en",
    role: str = "public",
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """`python -m score deck`: the deck the Presentation page builds for the filters of a dashboard link
    (`countries=COL&phases=I`, validated like the URL), in `language`, as the public (or HQ) sees it."""
    from score import db, i18n, labels
    from score.access import Scope
    from score.deck import build_deck
    from score.exports import export_context

    i18n.set_language(language)
    scope = Scope.hq("cli") if role == "hq" else Scope.public()
    chosen = link_filters(query_string)
    path = db.current_path()

    def query(name: str, **params: object) -> pd.DataFrame:
        return db.run_query(name, scope, chosen, path=path, **params)

    names = labels.export_labels()
    status = db.run_query("data_status", Scope.nothing(), path=path)
    adjusted = (labels.adjusted_figures_notice(scope) or "", labels.adjusted_figures_mark(scope) or "")
    context = export_context(chosen, names, status.iloc[0].to_dict() if len(status) else {}, adjusted=adjusted)
    slides = deck_slides(query, names, chosen, context)
    return build_deck(slides, context=context, progress=progress)


# ------------------------------------------------------------------------------------------- figures


def titled_map_figure(
    values: pd.DataFrame,
    metric: str,
    metric_name: str,
    names: Mapping[str, str],
    focus: Sequence[str] = (),
) -> go.Figure:
    """The map of a page (components.map_chart's arguments) for its report: `map_figure` with the measure's name
    as its title, document-sized text, fitted to the `focus` countries (default: those in `values`)."""
    fig = map_figure(values, metric_name, names, metric)
    fig.update_layout(
        title={"text": charts.plain(metric_name)}, legend={"font": {"size": 13}, "title": {"font": {"size": 13}}}
    )
    fig.update_annotations(font={"size": 13})
    xs: list[float] = []
    ys: list[float] = []
    wanted = set(focus or values["country"])
    for feature in maps.world_features():
        if feature["properties"].get("iso3") in wanted:
            ring_x, ring_y = _rings(feature["geometry"])
            xs += [x for x in ring_x if x is not None]
            ys += [y for y in ring_y if y is not None]
    if xs:  # the countries with a margin around them (the y axis follows x: scaleanchor keeps the shapes true)
        pad = max(max(xs) - min(xs), max(ys) - min(ys)) * 0.15 + 2
        fig.update_xaxes(range=[min(xs) - pad, max(xs) + pad])
        fig.update_yaxes(range=[min(ys) - pad, max(ys) + pad])
    return fig


def _shapes(
    xs: list[float | None], ys: list[float | None], fill: str, line: str, width: float, name: str | None = None
) -> go.Scatter:
    """Filled outlines (rings separated by None) in one colour, with `name` in the legend when it has one."""
    return go.Scatter(
        x=xs,
        y=ys,
        fill="toself",
        mode="lines",
        line={"width": width, "color": line},
        fillcolor=fill,
        name=name,
        hoverinfo="skip",
        showlegend=bool(name),
    )


def map_figure(
    values: pd.DataFrame, metric_name: str, names: Mapping[str, str], metric: str = "enterprises"
) -> go.Figure:
    """Project countries coloured by `values` (maps.metric_values of `metric`) on the bundled world shapes, as
    a plain Plotly figure (Web Mercator x/y, no geo layer and no basemap): it draws offline on screen and
    renders offline to PNG for the deck."""
    scale = maps.scale_for(values, metric) if len(values) else None
    by_code = {row.country: row for row in values.itertuples(index=False)}
    fig = go.Figure()
    context_x: list[float | None] = []
    context_y: list[float | None] = []
    classes: dict[str, tuple[list[float | None], list[float | None]]] = {}
    for feature in maps.world_features():
        code = feature["properties"].get("iso3")
        xs, ys = _rings(feature["geometry"])
        row = by_code.get(code)
        if row is None:
            context_x += xs
            context_y += ys
            continue
        if row.suppressed:
            key = _("hidden (fewer than 5)")
            colour = maps.SUPPRESSED_FILL
        elif scale is None or pd.isna(row.value) or not row.n:
            key, colour = _("none"), maps.NO_DATA_FILL
        else:
            index = scale.class_of(float(row.value))
            colour, key = scale.legend()[index]
            key = f"{index:02d}|{key}"
        entry = classes.setdefault(f"{colour}|{key}", ([], []))
        entry[0].extend(xs)
        entry[1].extend(ys)
    fig.add_trace(_shapes(context_x, context_y, maps.CONTEXT_FILL, maps.CONTEXT_LINE, 0.5))
    # One country coloured: its label on the map gives its number; a legend of one class ("0 – 250") adds nothing
    one_class = len(values) == 1 and len(classes) == 1 and next(iter(classes)).split("|")[1].isdigit()
    for key, (xs, ys) in sorted(classes.items(), key=lambda item: item[0].split("|", 1)[1]):
        colour, label = key.split("|", 1)
        label = label.split("|", 1)[-1]
        fig.add_trace(_shapes(xs, ys, colour, maps.PROJECT_LINE, 1, name=label))
    centres = _centres()
    for row in values.itertuples(index=False):
        if row.country not in centres or (not row.suppressed and (pd.isna(row.value) or not row.n)):
            continue
        x, y = centres[row.country]
        shown = "–" if row.suppressed else fmt_int(row.value)
        across, down = MAP_LABEL_PLACES.get(row.country, (0, 0))
        fig.add_annotation(
            x=x,
            y=y,
            text=f"{charts.plain(names.get(row.country, row.country))} <b>{shown}</b>",
            # beside the country, in the sea, a thin line to it: centred on it, "Pérou 106" covered Colombia
            showarrow=bool(across or down),
            ax=across,
            ay=down,
            xanchor="right" if across < 0 else "left" if across > 0 else "center",
            arrowhead=0,
            arrowwidth=1,
            arrowcolor=charts.INK,
            font={"size": FONT_PX - 2, "color": charts.INK},
            bgcolor="rgba(255,255,255,0.85)",
            borderpad=2,
        )
    charts.style(fig, "", height=620, value_format="")
    # Framed on the drawn shapes of the countries in view (a fixed frame cut eastern Indonesia at 135 degrees)
    in_view = list(values["country"]) if len(values) else contract.code_list("country")
    bounds = maps.country_bounds(in_view) or maps.country_bounds(contract.code_list("country"))
    assert bounds is not None  # every project country has a shape in the committed polygons
    south, west, north, east = bounds
    fig.update_xaxes(visible=False, range=[west - MAP_MARGIN - LABEL_ROOM, east + MAP_MARGIN + LABEL_ROOM])
    fig.update_yaxes(
        visible=False,
        range=[_mercator(south - MAP_MARGIN), _mercator(north + MAP_MARGIN)],
        scaleanchor="x",
        scaleratio=1,
    )
    fig.update_layout(
        # The legend on one line under the map, never on it: in a corner it covered "Indonésie 203" at 1280 px
        legend={
            "orientation": "h",
            "x": 0.5,
            "xanchor": "center",
            "y": 0,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.85)",
            "title": {"text": metric_name, "side": "left"},
            "font": {"size": FONT_PX - 2},
        },
        title=None,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=not one_class,
    )
    return fig


MAP_MARGIN = 10.0  # degrees around the countries in view on the deck's map
LABEL_ROOM = 20.0  # degrees more west and east: the labels placed in the sea beside Peru and China
# Where each project country's label sits, in screen pixels from the country's centre (right, down): in the sea
# beside it, so no label covers a neighbour (Colombia, Peru and Bolivia touch; China and Viet Nam). A country
# not listed is labelled on its centre.
MAP_LABEL_PLACES: dict[str, tuple[int, int]] = {
    "COL": (-45, -20),
    "PER": (-45, 12),
    "BOL": (40, 28),
    "GHA": (-40, 30),
    "ZAF": (45, 25),
    "IND": (-40, 30),
    "CHN": (70, -40),
    "VNM": (40, 10),
    "IDN": (-20, 45),
}


def _mercator(lat: float) -> float:
    """Latitude to a Web Mercator y in degrees-like units, so that x (longitude) and y share one scale."""
    import math

    lat = max(min(lat, 85.0), -85.0)
    return math.degrees(maps.mercator(lat))


def _rings(geometry: dict) -> tuple[list[float | None], list[float | None]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in polygons:
        for ring in polygon[:1]:  # outer ring only: holes do not show at this scale
            xs += [float(x) for x, _y in ring] + [None]
            ys += [_mercator(float(y)) for _x, y in ring] + [None]
    return xs, ys


def _centres() -> dict[str, tuple[float, float]]:
    from score import contract

    out = {}
    for row in contract.reference_rows("countries.csv"):
        try:
            out[row["iso3"]] = (float(row["centroid_lon"]), _mercator(float(row["centroid_lat"])))
        except (KeyError, ValueError):
            continue
    return out


def slide_figure(slide: Slide) -> go.Figure | None:
    """The on-screen version of a chart slide (same numbers as the PPTX chart), text at least 24 px on a
    1920 px screen; None for slides without a chart. The map slide has its own figure."""
    if slide.figure is not None:
        return slide.figure
    if not slide.categories or not slide.series:
        return None
    fig = go.Figure()
    horizontal = slide.chart == "bar"
    percent = "%" in slide.number_format
    shown_values = [v for values in slide.series.values() for v in values if v is not None]
    for name, values in slide.series.items():
        text = [("–" if v is None else (fmt_pct(v, 1) if percent else fmt_int(v))) for v in values]
        fig.add_trace(
            go.Bar(
                name=name,
                x=[0 if v is None else v for v in values] if horizontal else slide.categories,
                y=slide.categories if horizontal else [0 if v is None else v for v in values],
                orientation="h" if horizontal else "v",
                marker_color=slide.colours.get(name),
                text=text,
                textposition="inside" if slide.chart == "stacked" else "outside",
                cliponaxis=False,
                textfont={"size": FONT_PX - 2},
                hovertemplate="%{" + ("y" if horizontal else "x") + "}: %{text}<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(
        barmode="stack" if slide.chart == "stacked" else "group",
        showlegend=len(slide.series) > 1,
        uniformtext={"minsize": FONT_PX - 4, "mode": "hide"},
    )
    charts.style(fig, "", height=600, value_format="" if horizontal else ",d")
    fig.update_layout(
        font={"size": FONT_PX},
        separators=plot_separators(),  # axis ticks as the printed values: "2.000" in Spanish, "2 000" in French
        title=None,
        margin={"l": 10, "r": 40, "t": 10, "b": 10},
        legend={
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": FONT_PX},
            "traceorder": "normal",
        },
        bargap=0.35,
    )
    if slide.chart == "column" and len(slide.series) > 1:
        # bars side by side (enterprises and target) as wide as they can be: at 0.35 their labels ran into each
        # other at 1280 px ("190185")
        fig.update_layout(bargap=0.12, bargroupgap=0.04)
    if horizontal:
        fig.update_yaxes(autorange="reversed", tickfont={"size": FONT_PX}, type="category")
        if shown_values and max(shown_values) <= 0:  # bars grow leftwards: names on the right, clear of the values
            fig.update_yaxes(side="right")
            fig.update_layout(margin={"l": 90, "r": 10})
        fig.update_xaxes(tickformat=".0f" if percent else ",d", ticksuffix=percent_suffix() if percent else "")
        if percent and shown_values and min(shown_values) >= 0 and max(shown_values) <= 100:
            fig.update_xaxes(range=[0, 112])  # a share on its full scale, room for the printed value
    else:
        # names side by side when they fit, turned when they would run into each other (a narrow screen)
        fig.update_xaxes(tickfont={"size": FONT_PX}, type="category")
    return fig
