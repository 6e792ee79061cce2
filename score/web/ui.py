"""Streamlit glue shared by every page: session scope, global filters, cached named queries, notices.

Pages call `ui.page(title)` once, then `ui.query(name)` for data; nothing here computes a measure
(that is SQL in queries/) and nothing in a page opens a connection.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from score import contract, db, exports, filter_options, filters, narrative, report
from score.access import Scope
from score.filters import Filters
from score.i18n import _, current_language, fmt_moment
from score.labels import adjusted_figures_mark, adjusted_figures_notice, export_labels, name_or_code, reference_labels
from score.web import warm
from score.web.cache import cached_query, cached_together, filters_key
from score.web.language import LANGUAGE_KEY as LANGUAGE_KEY  # tests set the picker through ui
from score.web.language import apply_language, language_params

FILTERS_KEY = "score_filters"
SCOPE_KEY = "score_scope"
DB_PATH_KEY = "score_db_path"  # the database version this rerun reads (see pin_data_version)
PINNED_KEY = "score_db_pinned"  # app.py pinned it in this rerun (page() then does not check the file again)
PAGE_SHEETS_KEY = "score_page_sheets"  # query results this page run drew from: the page's Excel workbook
PAGE_DOWNLOADS_KEY = "score_page_downloads"  # where page() left room for that workbook's download button
PAGE_CHARTS_KEY = "score_page_charts"  # builders of the charts this page run drew, in order: the page's report
PAGE_REPORT_KEY = "score_page_report"  # (title, filters, place) of the page's report; then its ReportRecipe
# URL keys owned by one page (see page_param), kept when the filters rewrite the URL
PAGE_PARAMS = ("profile", "slide", "measure", "indicator", "date")


def moment_text(at: object) -> str:
    """A stored ISO 8601 time (UTC) as a date and time in the reader's language and the browser's time zone."""
    try:
        moment = dt.datetime.fromisoformat(str(at))
    except ValueError:
        return str(at or "–")
    return fmt_moment(moment, st.context.timezone)


def current_scope() -> Scope:
    """The signed-in viewer's scope; the public view when nobody is signed in.

    A session whose stored scope is not a Scope (tampered or broken) gets nothing, not everything.
    """
    scope = st.session_state.get(SCOPE_KEY)
    if scope is None:
        return Scope.public()
    return scope if isinstance(scope, Scope) else Scope.nothing()


def current_filters() -> Filters:
    value = st.session_state.get(FILTERS_KEY)
    return value if isinstance(value, Filters) else Filters()


def pin_data_version() -> Path:
    """Resolve and check the current database version for this rerun (app.py, and again in `page()`).

    Every query of the page then reads that one immutable version, so a page never mixes two versions
    when a publish lands mid-rerun; the next rerun picks up the new one. `page()` pins only when app.py did not
    in this rerun (the check opens the file and asks it a question: once per rerun is enough). Raises
    db.DatabaseUnavailable.
    """
    path = db.check_database()
    st.session_state[DB_PATH_KEY] = path
    st.session_state[PINNED_KEY] = True  # page() of this rerun need not check it again
    warm.start()  # once per process: warms each new version before the pointer moves to it
    return path


def pinned_path() -> Path | None:
    """The version pinned for this rerun, or None (then queries resolve the pointer themselves)."""
    path = st.session_state.get(DB_PATH_KEY)
    return path if isinstance(path, Path) and path.exists() else None


def data_version() -> str:
    return db.data_version(pinned_path())


def scope_key(scope: Scope) -> tuple:
    """What a cached result depends on of the viewer: role, user and countries (the cache is shared by all)."""
    return (scope.role, scope.user, tuple(sorted(scope.aggregate_countries)), tuple(sorted(scope.detail_countries)))


def _params_key(params: dict[str, object]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


def result_key(name: str, filters_override: Filters | None = None, **params: object) -> tuple:
    """What the result of the same `query(...)` call is determined by (query, viewer, filters, data version,
    parameters): a key for what is made from that result, without hashing the result itself."""
    chosen = filters_override if filters_override is not None else current_filters()
    shown = filters_key(replace(chosen, notices=()))
    return (name, scope_key(current_scope()), shown, db.data_version(pinned_path()), _params_key(params))


def query(name: str, filters_override: Filters | None = None, **params: object) -> pd.DataFrame:
    """Run a named query for the current viewer and filters (cached per scope, filters and data version)."""
    scope = current_scope()
    chosen = filters_override if filters_override is not None else current_filters()
    params_key = _params_key(params)
    path = pinned_path()
    version = db.data_version(path)
    key, shown = scope_key(scope), replace(chosen, notices=())
    warm.remember((name, key, shown, params_key), scope)
    frame = cached_query(name, key, shown, version, params_key, scope, path)
    sheets = st.session_state.get(PAGE_SHEETS_KEY)
    if isinstance(sheets, dict):  # every result the page draws from is a sheet of its workbook
        sheets.setdefault((name, params_key, chosen if filters_override is not None else None), frame)
    return frame.copy()


def query_together(*names: str, filters_override: Filters | None = None) -> None:
    """Run the page's `query(name)` of each of `names` (aggregate queries of the filters alone) in one statement
    now, where two or more are not cached yet; the page's `query` calls then read them from the cache. DuckDB
    plans a statement in a few ms whatever it computes (BENCHMARKS.md, "One statement for a page's queries")."""
    scope, path = current_scope(), pinned_path()
    chosen = filters_override if filters_override is not None else current_filters()
    cached_together(names, scope_key(scope), replace(chosen, notices=()), db.data_version(path), scope, path)


def sheet_on_click(name: str, make: Callable[[], pd.DataFrame], **params: object) -> None:
    """This page's workbook sheet of `query(name, **params)` made by `make()` when the workbook is downloaded
    (outside the session), e.g. the full enterprise list where the page shows its first rows."""
    sheets = st.session_state.get(PAGE_SHEETS_KEY)
    if isinstance(sheets, dict):
        sheets[(name, _params_key(params), None)] = make


def query_on_click(name: str, filters_override: Filters | None = None, **params: object) -> None:
    """`query(name, ...)` not run now but kept as this page's workbook sheet, run (for this viewer, filters and
    version) only when the workbook is downloaded: a result the page draws nothing from under these filters (the
    targets, when a filter makes progress against them meaningless), in the workbook as before."""
    scope, path = current_scope(), pinned_path()
    shown = replace(filters_override if filters_override is not None else current_filters(), notices=())
    sheets = st.session_state.get(PAGE_SHEETS_KEY)
    if isinstance(sheets, dict):
        sheets.setdefault(
            (name, _params_key(params), filters_override), lambda: db.run_query(name, scope, shown, path=path, **params)
        )


@st.cache_data(ttl=3600, show_spinner=False)
def _partners(version: str, _path: Path | None = None) -> list[str]:
    return db.run_query("partners", Scope.nothing(), path=_path)["partner"].tolist()


@st.cache_data(ttl=3600, show_spinner=False)
def _provinces(version: str, _path: Path | None = None) -> list[str]:
    return db.run_query("provinces", Scope.nothing(), path=_path)["province"].tolist()


@st.cache_data(ttl=3600, show_spinner=False)
def _year_bounds(version: str, _path: Path | None = None) -> tuple[int, int]:
    bounds = db.run_query("year_bounds", Scope.nothing(), path=_path)
    first, last = bounds.iloc[0]["first_year"], bounds.iloc[0]["last_year"]
    if pd.isna(first):
        return filters.YEAR_MIN, filters.YEAR_MAX
    return int(first), max(int(last), int(first) + 1)


# (filters, viewer, whether the sidebar's options show enterprises under all the filters): set by sidebar_filters
HAS_ENTERPRISES_KEY = "f_has_enterprises"


def _option_counts(chosen: Filters, params: Mapping[str, object]) -> pd.DataFrame:
    """queries/filter_options.sql (every filter's values) under `chosen` and its own parameters (score.filter_options),
    cached like any query (not a page's sheet)."""
    scope, path = current_scope(), pinned_path()
    shown = replace(chosen, notices=())
    version = db.data_version(path)
    return cached_query("filter_options", scope_key(scope), shown, version, _params_key(dict(params)), scope, path)


def enterprises_by_country() -> pd.DataFrame:
    """Enterprises per country under the current filters as this viewer sees them (country, enterprises: the
    country profile's first country): read from the sidebar's counts of the same filters (`_option_counts`, cached:
    no statement of its own) where one run answered them, else country_comparison. Either way country_comparison
    stays the page's workbook sheet (made on the click where it was not run now)."""
    scope, chosen = current_scope(), current_filters()
    if not filter_options.one_run(scope, chosen):
        return query("country_comparison")
    query_on_click("country_comparison")
    counts = _option_counts(*filter_options.query_arguments(chosen))
    return filter_options.enterprises_by_country(counts, chosen.countries_within(scope.aggregate_countries))


def _own_country_start(scope: Scope) -> None:
    """Country staff start on their own countries: when a country user signs in (or a new one) and no country or
    region is chosen, the country filter is set to theirs (they can clear it)."""
    if scope.role != "country" or st.session_state.get("f_scope_user") == scope.user:
        return
    st.session_state["f_scope_user"] = scope.user
    if not st.session_state.get("f_countries") and not st.session_state.get("f_regions"):
        st.session_state["f_countries"] = sorted(scope.detail_countries)


def _widget_filters(first: int, last: int) -> Filters:
    """The filters the sidebar's widgets hold now (session state), before they are drawn."""
    year_from, year_to = st.session_state.get("f_years", (first, last))
    # The full data range means "no year filter", so links stay short and new years are included.
    return Filters(
        **{name: tuple(st.session_state.get(f"f_{name}", ())) for name in filters.LIST_FIELDS},
        year_from=filters.YEAR_MIN if year_from <= first else int(year_from),
        year_to=filters.YEAR_MAX if year_to >= last else int(year_to),
    )


def changed_by_reader(group: str) -> None:
    """A widget's on_change (with `args=(group,)`) for `send_again`: the reader's change started this run."""
    st.session_state[f"{group}_edited"] = True


def send_again(group: str, keys: Iterable[str]) -> None:
    """Set the widgets' session-state values again (before they are drawn), so that this run sends them to the browser,
    not only the run that set them. A widget's code reaches the browser after the page (a part loaded when first
    needed): one that appeared only after a later run took that run's element without its value (the empty or first
    default) and sent it back with the next click, so a slow browser lost a link's countries=COL at sign-in or its
    ?measure=. Set again, a multiselect's values also come back with the labels of a language just picked ("Colombie").
    Not on a run the reader started by changing one of the group (their on_change is `changed_by_reader`): the browser
    holds that value, and a run cut short by the next pick would send the last one back over it."""
    if st.session_state.pop(f"{group}_edited", False):
        return
    for key in keys:
        if key in st.session_state:  # a widget not drawn last run has no value to keep
            st.session_state[key] = st.session_state[key]


def sidebar_filters() -> Filters:
    """Draw the global filters, mirrored in st.query_params so any view is a shareable link. Each filter offers the
    values with data under the others (score.filter_options), sorted by name in the reader's language."""
    version, path = data_version(), pinned_path()  # by keyword: Streamlit then hashes without a signature lookup
    partners = _partners(version=version, _path=path)
    provinces = _provinces(version=version, _path=path)
    first, last = _year_bounds(version=version, _path=path)
    if "f_initialised" not in st.session_state:
        from_url = filters.within_years(filters.from_query_params(_multi_params(), partners, provinces), first, last)
        for name in filters.LIST_FIELDS:
            st.session_state[f"f_{name}"] = list(getattr(from_url, name))
        st.session_state["f_years"] = (from_url.year_from, from_url.year_to)
        st.session_state["f_initialised"] = True
        st.session_state["f_notices"] = from_url.notices
    elif "f_years" not in st.session_state:  # st.switch_page dropped the widgets' state: keep the filters
        kept = filters.within_years(current_filters(), first, last)  # a publish may have moved the data's years
        for name in filters.LIST_FIELDS:
            st.session_state[f"f_{name}"] = list(getattr(kept, name))
        st.session_state["f_years"] = (kept.year_from, kept.year_to)
    send_again("f", [*(f"f_{name}" for name in filters.LIST_FIELDS), "f_years"])
    _own_country_start(current_scope())
    # Re-validate what the widgets hold (session state can be set from outside the widgets).
    now = filters.from_query_params(_widget_filters(first, last).to_query_params(), partners, provinces)
    offered = filter_options.options(_option_counts, now, current_scope())
    st.session_state[HAS_ENTERPRISES_KEY] = (now, scope_key(current_scope()), offered.has_enterprises)
    countries = reference_labels("country")
    sectors = reference_labels("sector")
    modules = reference_labels("module")
    years = filter_options.phase_years(sorted(now.countries_within(frozenset(countries))))
    many = len(set(offered.province_countries.values())) > 1

    def province_name(province: str) -> str:
        country = offered.province_countries.get(province)
        return f"{province} ({countries.get(country, country)})" if many and country else province

    by_name = filter_options.sorted_by_name
    values = offered.values
    side = st.sidebar
    side.subheader(_("Filters"))

    def choose(
        field: str,
        label: str,
        options: list[str],
        placeholder: str,
        format_func: Callable[[str], object] = str,
        help: str | None = None,
    ) -> None:
        """One filter's multiselect; "Select all" is off (an empty filter already means all)."""
        side.multiselect(
            label,
            options,
            format_func=format_func,
            key=f"f_{field}",
            placeholder=placeholder,
            select_all=False,
            help=help,
            on_change=changed_by_reader,
            args=("f",),
        )

    choose(
        "countries", _("Country"), by_name(values["countries"], countries), _("All countries"), name_or_code(countries)
    )
    choose(
        "regions",
        _("World region"),
        by_name(values["regions"], {region: _(region) for region in values["regions"]}),
        _("All regions"),
        _,
        help=_("Africa, Asia or Latin America: the part of the world a country is in."),
    )
    provinces_shown = by_name(values["provinces"], {p: province_name(p) for p in values["provinces"]})
    choose("provinces", _("Province"), provinces_shown, _("All provinces"), province_name)
    choose("sectors", _("Sector"), by_name(values["sectors"], sectors), _("All sectors"), name_or_code(sectors))
    phases = [p for p in contract.PHASE_CODES if p in values["phases"]]
    choose("phases", _("Phase"), phases, _("All phases"), lambda phase: filter_options.phase_label(phase, years))
    choose("partners", _("Partner"), by_name(values["partners"], {}), _("All partners"))
    choose(
        "modules", _("Module"), [m for m in modules if m in values["modules"]], _("All modules"), name_or_code(modules)
    )
    side.slider(_("Year joined"), first, last, key="f_years", on_change=changed_by_reader, args=("f",))
    chosen = replace(
        filters.from_query_params(_widget_filters(first, last).to_query_params(), partners, provinces),
        notices=tuple(st.session_state.get("f_notices", ())),
    )
    st.session_state[FILTERS_KEY] = chosen
    wanted = chosen.to_query_params()
    for key in PAGE_PARAMS:  # a page's own parameter survives the rewrite; that page validates it
        if key in st.query_params:
            wanted[key] = st.query_params[key]
    wanted.update(language_params())  # and so does the language
    if _current_params() != wanted:
        st.query_params.from_dict(wanted)
    if not chosen.is_default() and side.button(_("Clear filters")):
        for name in filters.LIST_FIELDS:
            st.session_state[f"f_{name}"] = []
        st.session_state["f_years"] = (first, last)
        st.rerun()
    return chosen


def page_param(key: str, known: list[str] | tuple[str, ...]) -> str | None:
    """A page's own URL parameter (e.g. `?profile=COL`), checked against the known codes (case-insensitive).

    An unknown or malformed value is removed from the URL and a notice says so; never an error.
    """
    raw = st.query_params.get(key)
    if raw is None:
        return None
    value = {code.casefold(): code for code in known}.get(str(raw).strip().casefold())
    if value is None:
        del st.query_params[key]
        shown = filters.echo(raw)
        st.info(_("The link parameter {key}={value} is not a known code and was ignored.", key=key, value=shown))
    return value


def page_choice(
    key: str,
    widget_key: str,
    known: list[str] | tuple[str, ...],
    value_of: Callable[[str], object] = str,
    default: object = None,
) -> None:
    """Let a link choose a page widget's value (`?measure=workers_reached` sets the widget `map_metric`;
    `value_of` turns the URL's code into the widget's value): a value from the URL applies when it is new, not
    when it is the one the page wrote back last time. Every run sends the widget's value (`send_again`; the
    widget's on_change is `changed_by_reader` with `args=(widget_key,)`).
    `default`: the widget's first value, set here, never as the widget's own default: a widget given a default
    whose value is also set through st.session_state (as every run does here) made Streamlit log a warning."""
    send_again(widget_key, [widget_key])
    from_url = page_param(key, known)
    if from_url is not None and from_url != st.session_state.get(f"{widget_key}_in_url"):
        st.session_state[widget_key] = value_of(from_url)
    elif default is not None and widget_key not in st.session_state:
        st.session_state[widget_key] = default


def keep_page_choice(key: str, widget_key: str, value: str) -> None:
    """Write the widget's value back to the URL (`page_choice` reads it), so the view is a shareable link."""
    set_page_param(key, value)
    st.session_state[f"{widget_key}_in_url"] = value


def set_page_param(key: str, value: str) -> None:
    """Mirror a page's own choice in the URL, so the view is a shareable link."""
    if key in PAGE_PARAMS and st.query_params.get(key) != value:
        st.query_params[key] = value


def _multi_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()}  # noqa: SIM118


def _current_params() -> dict[str, list[str] | str]:
    out: dict[str, list[str] | str] = {}
    for key in st.query_params.keys():  # noqa: SIM118
        values = st.query_params.get_all(key)
        out[key] = values if key in filters.LIST_FIELDS else values[0]
    return out


def notices() -> None:
    """Dropped URL values, how exact the figures are for this viewer and the demo-data notice, at the top of
    every page."""
    dropped = st.session_state.get("f_notices", ())
    if dropped:
        st.info(_("Some link parameters were not recognised and were ignored: {items}", items=", ".join(dropped)))
    empty = empty_filters_message(current_filters())
    if empty:
        st.warning(empty, icon=":material/filter_alt_off:")
    adjusted = adjusted_figures_notice(current_scope())
    if adjusted:
        st.caption(adjusted)
    status = data_status()
    if not status:
        return
    if bool(status["is_demo"]):
        st.warning(
            _("Demo data: these figures come from synthetic enterprises made for demonstration, not real results."),
            icon=":material/science:",
        )
    elif codes := exports.demo_countries_in_view(status, current_filters()):
        names = reference_labels("country")
        st.warning(
            _(
                "Demo data for {countries}: figures for these countries come from synthetic enterprises, "
                "not real results.",
                countries=", ".join(names.get(code, code) for code in codes),
            ),
            icon=":material/science:",
        )


def _enterprises_under(chosen: Filters) -> int | None:
    """Enterprises the viewer may count under `chosen` (None where the count is hidden: fewer than 5)."""
    scope, path = current_scope(), pinned_path()
    shown = replace(chosen, notices=())
    frame = cached_query("overview_kpis", scope_key(scope), shown, db.data_version(path), (), scope, path)
    value = frame.iloc[0]["enterprises"] if len(frame) else 0
    return None if pd.isna(value) else int(value)


def empty_filters_message(chosen: Filters) -> str | None:
    """When the filters leave no enterprises: which one emptied the view, in words (score.filter_options). The
    sidebar's options often know the view has some (Options.has_enterprises): then no statement is run for it (a
    new session on a page that shows no headline figures saved ~15 ms; BENCHMARKS.md, "Fewer statements ...")."""
    known = st.session_state.get(HAS_ENTERPRISES_KEY)
    if chosen.is_default() or known == (chosen, scope_key(current_scope()), True):
        return None
    if _enterprises_under(chosen):
        return None
    reason = filter_options.empty_reason(_enterprises_under, chosen)
    if reason is None:
        return None
    labels = {
        "countries": reference_labels("country"),
        "sectors": reference_labels("sector"),
        "modules": reference_labels("module"),
    }

    def names(field: str, values: Sequence[str]) -> str:
        if field == "regions":
            return ", ".join(_(value) for value in values)
        return ", ".join(labels.get(field, {}).get(value, value) for value in values)

    return filter_options.empty_message(reason, names)


def page(title: str, caption: str | None = None, workbook: bool = False) -> Filters:
    """Common page header; returns the current filters. With `workbook`, the queries the page runs are
    collected and app.py offers them as one Excel workbook under the header (components.page_workbook)."""
    apply_language()
    if not st.session_state.pop(PINNED_KEY, False):  # a rerun that did not go through app.py's pin
        pin_data_version()
        st.session_state.pop(PINNED_KEY, None)
    st.title(title)
    if caption:
        st.caption(caption)
    # The filters in words on the page itself (an embed or a folded sidebar hides them), in a slot that is there
    # with or without filters: an element that came and went would move every element after it, and the browser
    # would draw them all anew on the first filter change (React knows an element by its place).
    showing_slot = st.empty()
    if not current_filters().is_default():
        words = html.escape(export_context().filters)  # partner names came from uploads: text, never markup
        showing = html.escape(_("Showing:"))
        showing_slot.html(f'<p style="margin:0"><b>{showing}</b> {words}</p>')
    st.session_state[PAGE_SHEETS_KEY] = {} if workbook else None
    # a container, not st.empty: the buttons drawn into it at the end of the run stay in place on a rerun, where an
    # empty slot would first clear them and then draw them anew
    st.session_state[PAGE_DOWNLOADS_KEY] = st.container() if workbook else None
    st.session_state[PAGE_CHARTS_KEY] = [] if workbook else None
    st.session_state[PAGE_REPORT_KEY] = (title, None, None) if workbook else None
    notices()
    return current_filters()


def reset_page_workbook() -> None:
    """Forget the previous page's workbook (app.py, before each page runs): a page that does not call
    `page(workbook=True)` gets none, and nothing is drawn into a slot of an earlier run."""
    st.session_state[PAGE_SHEETS_KEY] = None
    st.session_state[PAGE_DOWNLOADS_KEY] = None
    st.session_state[PAGE_CHARTS_KEY] = None
    st.session_state[PAGE_REPORT_KEY] = None


def record_chart(build: Callable[[], object]) -> None:
    """A chart this page drew, for the page's report: `build()` gives its Plotly figure when the report is
    made (called outside the session, in the reader's language)."""
    charts = st.session_state.get(PAGE_CHARTS_KEY)
    if isinstance(charts, list):
        charts.append(build)


def report_about(filters: Filters, place: str) -> None:
    """This page shows one place under filters of its own (the country profile): its report says so."""
    subject = st.session_state.get(PAGE_REPORT_KEY)
    if isinstance(subject, tuple):
        st.session_state[PAGE_REPORT_KEY] = (subject[0], filters, place)


def page_report() -> report.ReportRecipe | None:
    """What this page run leaves for its report (app.py, once the page has run): None on a page without one.
    Kept in the session as a recipe, so the report is built only when asked for (and the command line
    `python -m score report` reads the same recipe)."""
    subject, charts = st.session_state.get(PAGE_REPORT_KEY), st.session_state.get(PAGE_CHARTS_KEY)
    if not isinstance(subject, tuple) or not isinstance(charts, list):
        return None
    title, chosen, place = subject
    chosen = chosen if chosen is not None else current_filters()
    place = place or narrative.place_of(chosen, reference_labels("country"))
    recipe = report.ReportRecipe(
        title=title,
        charts=tuple(charts),
        scope=current_scope(),
        filters=chosen,
        context=export_context(chosen),
        language=current_language(),
        path=pinned_path(),
        place=place,
        indicator_names=reference_labels("indicator"),
    )
    st.session_state[PAGE_REPORT_KEY] = recipe
    return recipe


@st.cache_resource(max_entries=20, show_spinner=False)
def _data_status(version: str, _path: Path | None = None) -> dict[str, object]:
    """The version's data status row (shared, read-only: callers get a copy from data_status())."""
    status = db.run_query("data_status", Scope.nothing(), path=_path)
    return status.iloc[0].to_dict() if len(status) else {}


def data_status() -> dict[str, object]:
    return dict(_data_status(version=data_version(), _path=pinned_path()))


def export_context(filters_override: Filters | None = None) -> exports.ExportContext:
    """Filters in words, data date, today, source and demo status, for captions, workbooks and decks."""
    chosen = filters_override if filters_override is not None else current_filters()
    scope, path = current_scope(), pinned_path()
    version, language, today = db.data_version(path), current_language(), dt.date.today()
    # One string, by keyword: hashing the Filters and tuples field by field cost ~1 ms a call, 7 calls a page.
    key = repr((filters_key(chosen), scope_key(scope), language, version, today.isoformat()))
    return _export_context(key=key, _chosen=chosen, _version=version, _today=today, _scope=scope, _path=path)


# Once per filters, viewer, language, version and day, not once per chart (every chart's PNG button has one).
@st.cache_resource(max_entries=500, show_spinner=False)
def _export_context(
    key: str,
    _chosen: Filters,
    _version: str,
    _today: dt.date,
    _scope: Scope,
    _path: Path | None,
) -> exports.ExportContext:
    adjusted = (adjusted_figures_notice(_scope) or "", adjusted_figures_mark(_scope) or "")
    status = dict(_data_status(version=_version, _path=_path))
    return exports.export_context(_chosen, export_labels(), status, today=_today, adjusted=adjusted)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")
