"""Streamlit glue shared by every page: session scope, global filters, cached named queries, notices.

Pages call `ui.page(title)` once, then `ui.query(name)` for data; nothing here computes a measure
(that is SQL in queries/) and nothing in a page opens a connection.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from score import access, contract, db, exports, filters, warm
from score.access import Scope
from score.filters import Filters
from score.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, current_language, label, language_code, set_language

FILTERS_KEY = "score_filters"
SCOPE_KEY = "score_scope"
LANGUAGE_KEY = "score_language"  # the sidebar picker
LANGUAGE_CHOICE_KEY = "score_language_choice"  # the language this session uses (kept when no page draws the picker)
LANGUAGE_PARAM = "lang"  # ?lang=fr|es|en in the URL
DB_PATH_KEY = "score_db_path"  # the database version this rerun reads (see pin_data_version)
PINNED_KEY = "score_db_pinned"  # app.py pinned it in this rerun (page() then does not check the file again)
PAGE_SHEETS_KEY = "score_page_sheets"  # query results this page run drew from: the page's Excel workbook
PAGE_DOWNLOADS_KEY = "score_page_downloads"  # where page() left room for that workbook's download button
# URL keys owned by one page (see page_param), kept when the filters rewrite the URL
PAGE_PARAMS = ("profile", "slide", "measure", "indicator", "date")


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


def _filters_key(filters: Filters) -> str:
    """A frozen dataclass of tuples and numbers: its repr is its value. Streamlit's own hash walks every field
    (most of a cached query's cost, BENCHMARKS.md); hashing this string is one step."""
    return repr(filters)


# A shared, read-only result (st.cache_resource: no unpickled copy per rerun; `query` hands out a copy).
@st.cache_resource(ttl=3600, max_entries=2000, show_spinner=False, hash_funcs={Filters: _filters_key})
def _cached_query(
    name: str,
    scope_key: tuple,
    filters_key: Filters,
    version: str,
    params_key: tuple,
    _scope: Scope,
    _path: Path | None = None,
) -> pd.DataFrame:
    # scope_key, filters_key, version and params_key make up the cache key: the cache is shared by
    # all sessions, so a result computed for one scope is never served to another.
    return db.run_query(name, _scope, filters_key, path=_path, **dict(params_key))


def scope_key(scope: Scope) -> tuple:
    """What a cached result depends on of the viewer: role, user and countries (the cache is shared by all)."""
    return (scope.role, scope.user, tuple(sorted(scope.aggregate_countries)), tuple(sorted(scope.detail_countries)))


def _params_key(params: dict[str, object]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


def result_key(name: str, filters_override: Filters | None = None, **params: object) -> tuple:
    """What the result of the same `query(...)` call is determined by (query, viewer, filters, data version,
    parameters): a key for what is made from that result, without hashing the result itself."""
    chosen = filters_override if filters_override is not None else current_filters()
    shown = _filters_key(replace(chosen, notices=()))
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
    frame = _cached_query(name, key, shown, version, params_key, scope, path)
    sheets = st.session_state.get(PAGE_SHEETS_KEY)
    if isinstance(sheets, dict):  # every result the page draws from is a sheet of its workbook
        sheets.setdefault((name, params_key, chosen if filters_override is not None else None), frame)
    return frame.copy()


def sheet_on_click(name: str, make: Callable[[], pd.DataFrame], **params: object) -> None:
    """This page's workbook sheet of `query(name, **params)` made by `make()` when the workbook is downloaded
    (outside the session), e.g. the full enterprise list where the page shows its first rows."""
    sheets = st.session_state.get(PAGE_SHEETS_KEY)
    if isinstance(sheets, dict):
        sheets[(name, _params_key(params), None)] = make


@st.cache_data(ttl=3600, show_spinner=False)
def _partners(version: str, _path: Path | None = None) -> list[str]:
    return db.run_query("partners", Scope.nothing(), path=_path)["partner"].tolist()


@st.cache_data(ttl=3600, show_spinner=False)
def _year_bounds(version: str, _path: Path | None = None) -> tuple[int, int]:
    bounds = db.run_query("year_bounds", Scope.nothing(), path=_path)
    first, last = bounds.iloc[0]["first_year"], bounds.iloc[0]["last_year"]
    if pd.isna(first):
        return filters.YEAR_MIN, filters.YEAR_MAX
    return int(first), max(int(last), int(first) + 1)


def reference_labels(kind: str) -> dict[str, str]:
    """Code -> label in the current language for sectors, modules, indicators, countries."""
    return dict(_reference_labels(kind, current_language()))


@functools.cache
def _reference_labels(kind: str, language: str) -> dict[str, str]:
    """Per kind and language (the reference files are part of the release): pages ask for them dozens of times
    per rerun. Shared: reference_labels hands out copies."""
    files = {
        "sector": "sectors.csv",
        "module": "modules.csv",
        "indicator": "indicators.csv",
        "logframe_indicator": "logframe_indicators.csv",
        "country": "countries.csv",
    }
    key = "iso3" if kind == "country" else "code"
    return {row[key]: label(row, language) for row in contract.reference_rows(files[kind])}


def browser_language() -> str:
    """The browser's language when it is one of ours (st.context.locale, e.g. "es-CO"), else English."""
    try:
        locale = st.context.locale
    except Exception:  # no browser behind this run (AppTest, bare mode)
        locale = None
    return language_code(locale) or DEFAULT_LANGUAGE


def chosen_language() -> str:
    """This rerun's language: `?lang=` in the URL (a shared link, a reload), else what this session chose
    before (the URL loses `lang` for a moment when st.navigation switches page), else the browser's."""
    for candidate in (
        st.query_params.get(LANGUAGE_PARAM),
        st.session_state.get(LANGUAGE_CHOICE_KEY),
        st.session_state.get(LANGUAGE_KEY),
    ):
        language = language_code(candidate)
        if language:
            return language
    return browser_language()


def language_params() -> dict[str, str]:
    """`lang` for the URL, so a link or a reload keeps the language; left out when the browser would pick
    the same language anyway (links stay short)."""
    language = current_language()
    return {} if language == browser_language() else {LANGUAGE_PARAM: language}


def _language_picked() -> None:
    """The sidebar picker wrote a new language: put it in the URL before the rerun reads it."""
    picked = language_code(st.session_state.get(LANGUAGE_KEY)) or DEFAULT_LANGUAGE
    st.session_state[LANGUAGE_CHOICE_KEY] = picked
    if picked == browser_language():
        st.query_params.pop(LANGUAGE_PARAM, None)
    else:
        st.query_params[LANGUAGE_PARAM] = picked


def apply_language() -> str:
    """Set the language for this rerun (app.py, and again in `page()`: AppTest reruns a page on its own)."""
    language = chosen_language()
    st.session_state[LANGUAGE_CHOICE_KEY] = language
    set_language(language)
    return language


def sidebar_language() -> None:
    """The language picker; the language itself comes from the URL, the session or the browser."""
    language = apply_language()
    st.session_state[LANGUAGE_KEY] = language
    st.sidebar.selectbox(
        _("Language"),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANGUAGE_KEY,
        on_change=_language_picked,
    )
    wanted = language_params().get(LANGUAGE_PARAM)
    if st.query_params.get(LANGUAGE_PARAM) != wanted:
        if wanted is None:
            del st.query_params[LANGUAGE_PARAM]
        else:
            st.query_params[LANGUAGE_PARAM] = wanted


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


# Streamlit's "Press Enter to submit form · 14/1024" under a form's text box, always in English, lies over
# the password in the narrow sidebar; the sign-in form has its own button, so it is not shown.
HIDDEN_INSTRUCTIONS = "[data-testid='stSidebar'] [data-testid='stForm'] [data-testid='InputInstructions']{display:none}"


def streamlit_texts() -> None:
    """Streamlit writes a few words of its own in English (the file uploader's button and size limit);
    in French and Spanish a style sheet shows them in the viewer's language instead. (Streamlit has no
    setting for the language of its own words.)"""
    if current_language() == DEFAULT_LANGUAGE:
        st.html(f"<style>{HIDDEN_INSTRUCTIONS}</style>")
        return
    uploader = "[data-testid='stFileUploaderDropzone']"
    words = {
        f"{uploader} button [data-testid='stMarkdownContainer'] p": _("Browse files"),
        f"{uploader} [data-testid='stFileUploaderDropzoneInstructions'] span": _(
            "{limit} MB per file", limit=st.get_option("server.maxUploadSize")
        ),
    }
    rules = "".join(
        f"{selector}{{font-size:0}}{selector}::after{{content:{_css_string(text)};font-size:0.875rem}}"
        for selector, text in words.items()
    )
    st.html(f"<style>{HIDDEN_INSTRUCTIONS}{rules}</style>")


def sidebar_filters() -> Filters:
    """Draw the global filters, mirrored in st.query_params so any view is a shareable link."""
    partners = _partners(data_version(), pinned_path())
    first, last = _year_bounds(data_version(), pinned_path())
    if "f_initialised" not in st.session_state:
        from_url = filters.from_query_params(_multi_params(), partners)
        for name in filters.LIST_FIELDS:
            st.session_state[f"f_{name}"] = list(getattr(from_url, name))
        st.session_state["f_years"] = (max(from_url.year_from, first), min(from_url.year_to, last))
        st.session_state["f_initialised"] = True
        st.session_state["f_notices"] = from_url.notices
    elif "f_years" not in st.session_state:  # st.switch_page dropped the widgets' state: keep the filters
        kept = current_filters()
        for name in filters.LIST_FIELDS:
            st.session_state[f"f_{name}"] = list(getattr(kept, name))
        st.session_state["f_years"] = (max(kept.year_from, first), min(kept.year_to, last))
    countries = reference_labels("country")
    sectors = reference_labels("sector")
    modules = reference_labels("module")
    side = st.sidebar
    side.subheader(_("Filters"))
    side.multiselect(
        _("Country"), list(countries), format_func=countries.get, key="f_countries", placeholder=_("All countries")
    )
    side.multiselect(_("Region"), list(filters.REGIONS), format_func=_, key="f_regions", placeholder=_("All regions"))
    side.multiselect(_("Sector"), list(sectors), format_func=sectors.get, key="f_sectors", placeholder=_("All sectors"))
    side.multiselect(_("Phase"), list(contract.PHASE_CODES), key="f_phases", placeholder=_("All phases"))
    side.multiselect(_("Partner"), partners, key="f_partners", placeholder=_("All partners"))
    side.multiselect(_("Module"), list(modules), format_func=modules.get, key="f_modules", placeholder=_("All modules"))
    side.slider(_("Year joined"), first, last, key="f_years")
    year_from, year_to = st.session_state["f_years"]
    # The full data range means "no year filter", so links stay short and new years are included.
    year_from = filters.YEAR_MIN if year_from <= first else year_from
    year_to = filters.YEAR_MAX if year_to >= last else year_to
    chosen = Filters(
        **{name: tuple(st.session_state[f"f_{name}"]) for name in filters.LIST_FIELDS},
        year_from=int(year_from),
        year_to=int(year_to),
        notices=tuple(st.session_state.get("f_notices", ())),
    )
    # Re-validate what the widgets hold (session state can be set from outside the widgets).
    chosen = filters.from_query_params(chosen.to_query_params(), partners)
    st.session_state[FILTERS_KEY] = replace(chosen, notices=tuple(st.session_state.get("f_notices", ())))
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
        shown = "".join(ch if ch.isalnum() or ch in " -_" else "?" for ch in str(raw)[:40])
        st.info(_("The link parameter {key}={value} is not a known code and was ignored.", key=key, value=shown))
    return value


def page_choice(key: str, widget_key: str, known: list[str] | tuple[str, ...]) -> None:
    """Let a link choose a page widget's value (`?measure=workers_reached` sets the widget `map_metric`): a
    value from the URL applies when it is new, not when it is the one the page wrote back last time."""
    from_url = page_param(key, known)
    if from_url is not None and from_url != st.session_state.get(f"{widget_key}_in_url"):
        st.session_state[widget_key] = from_url


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
    elif status["demo_countries"]:
        names = reference_labels("country")
        codes = str(status["demo_country_codes"]).split(",")
        st.warning(
            _(
                "Demo data for {countries}: figures for these countries come from synthetic enterprises, "
                "not real results.",
                countries=", ".join(names.get(code, code) for code in codes),
            ),
            icon=":material/science:",
        )


def adjusted_figures_notice(scope: Scope) -> str | None:
    """The one sentence telling a viewer that the figures they see are slightly adjusted (score.disclosure);
    None for HQ, who see exact figures everywhere."""
    if scope.is_hq:
        return None
    if scope.role == "country":
        names = reference_labels("country")
        return _(
            "Figures that include other countries are adjusted to protect their enterprises: {method} Figures for "
            "{countries} alone are exact.",
            method=access.method_text(),
            countries=", ".join(names.get(code, code) for code in sorted(scope.detail_countries)),
        )
    return _("Figures are adjusted to protect individual enterprises: {method}", method=access.method_text())


def adjusted_figures_mark(scope: Scope) -> str | None:
    """`adjusted_figures_notice` in a few words, for a slide's footer and present mode's control bar."""
    if scope.is_hq:
        return None
    if scope.role == "country":
        names = reference_labels("country")
        return _(
            "Figures including other countries slightly adjusted; {countries} exact.",
            countries=", ".join(names.get(code, code) for code in sorted(scope.detail_countries)),
        )
    return _("Figures adjusted to protect enterprises; fewer than 5 enterprises, possibly none, hidden.")


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
    st.session_state[PAGE_SHEETS_KEY] = {} if workbook else None
    st.session_state[PAGE_DOWNLOADS_KEY] = st.empty() if workbook else None
    notices()
    return current_filters()


# Narrow screens (a laptop at 800 px, a tablet, an iframe): KPI tiles and columns wrap instead of squeezing,
# a number is never cut with "…", labels wrap. Streamlit collapses the sidebar only below 768 px; between
# that and 1000 px it would take a third of the screen, so the first visit collapses it once (the person
# opens it again with the arrow; sessionStorage remembers not to collapse it a second time).
RESPONSIVE_CSS = """
<style>
[data-testid="stMetricValue"], [data-testid="stMetricValue"] > div {
  overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricValue"] { font-size: clamp(1.6rem, 2.4vw + 0.6rem, 2.25rem) !important; }
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricDelta"] * { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; }
@media (max-width: 1100px) {
  [data-testid="stMain"] [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; row-gap: 0.75rem; }
  [data-testid="stMain"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    min-width: min(100%, 10.5rem) !important; flex: 1 1 10.5rem !important; }
  /* two charts side by side would be too narrow for their titles (wrapped for a half-width chart on a
     laptop) and a map beside a chart would show a sliver of the country: one under the other, full width */
  [data-testid="stMain"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:has(
    [data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]) {
    min-width: min(100%, 28rem) !important; flex: 1 1 28rem !important; }
}
</style>
"""
COLLAPSE_SIDEBAR_JS = """
<script>
(() => {
  if (window.parent.innerWidth > 1000 || window.sessionStorage.getItem("score-sidebar-collapsed")) return;
  const tries = { n: 0 };
  const collapse = () => {
    const doc = window.parent.document;
    const side = doc.querySelector('[data-testid="stSidebar"]');
    const button = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
    const open = side && side.getBoundingClientRect().right > 40;
    if (open && button) {
      window.sessionStorage.setItem("score-sidebar-collapsed", "1");
      button.click();
    } else if (tries.n++ < 20) {
      setTimeout(collapse, 100);
    }
  };
  collapse();
})();
</script>
"""


def responsive_layout() -> None:
    """The narrow-screen layout for every page (app.py): wrapping tiles, whole numbers, sidebar folded."""
    st.html(RESPONSIVE_CSS)
    st.html(COLLAPSE_SIDEBAR_JS, unsafe_allow_javascript=True)


def reset_page_workbook() -> None:
    """Forget the previous page's workbook (app.py, before each page runs): a page that does not call
    `page(workbook=True)` gets none, and nothing is drawn into a slot of an earlier run."""
    st.session_state[PAGE_SHEETS_KEY] = None
    st.session_state[PAGE_DOWNLOADS_KEY] = None


def export_labels() -> dict[str, dict[str, str]]:
    """Code -> name in the viewer's language for every code column an export may hold."""
    return {
        "country": reference_labels("country"),
        "sector": reference_labels("sector"),
        "module": reference_labels("module"),
        "indicator": {**reference_labels("logframe_indicator"), **reference_labels("indicator")},
    }


@st.cache_resource(max_entries=20, show_spinner=False)
def _data_status(version: str, _path: Path | None = None) -> dict[str, object]:
    """The version's data status row (shared, read-only: callers get a copy from data_status())."""
    status = db.run_query("data_status", Scope.nothing(), path=_path)
    return status.iloc[0].to_dict() if len(status) else {}


def data_status() -> dict[str, object]:
    return dict(_data_status(data_version(), pinned_path()))


def export_context(filters_override: Filters | None = None) -> exports.ExportContext:
    """Filters in words, data date, today, source and demo status, for captions, workbooks and decks."""
    chosen = filters_override if filters_override is not None else current_filters()
    scope, path = current_scope(), pinned_path()
    version = db.data_version(path)
    return _export_context(chosen, scope_key(scope), current_language(), version, dt.date.today(), scope, path)


# Once per filters, viewer, language, version and day, not once per chart (every chart's PNG button has one).
@st.cache_resource(max_entries=500, show_spinner=False, hash_funcs={Filters: _filters_key})
def _export_context(
    chosen: Filters,
    scope_key: tuple,
    language: str,
    version: str,
    today: dt.date,
    _scope: Scope,
    _path: Path | None,
) -> exports.ExportContext:
    adjusted = (adjusted_figures_notice(_scope) or "", adjusted_figures_mark(_scope) or "")
    status = dict(_data_status(version, _path))
    return exports.export_context(chosen, export_labels(), status, today=today, adjusted=adjusted)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")
