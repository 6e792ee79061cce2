"""Tables: display tables (names for codes, kinds, headings), the enterprise list, and the table sections of
the pages (an aggregate with its CSV, the logframe, modules, enterprises by access)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler
from streamlit.elements.lib.column_config_utils import ColumnConfigMappingInput

from score import access, measures
from score.filters import Filters
from score.i18n import _, current_language, fmt_int, grid_date_format, ngettext
from score.labels import name_or_code
from score.values import Kind, format_value, number_column, size_class_name, suppressed_rows
from score.web.components.downloads import csv_download, download
from score.web.components.figure_cache import FRAME_KEYS, drawn_once
from score.web.components.sections import suppression_note
from score.web.components.text import table_markup, text_table

LIST_ROWS = 1_000  # enterprise rows on the page (the downloads hold the full list: queries/enterprise_list.sql)
SEARCH_CHARS = 80  # a name or id searched in the enterprise list is at most this long
# The enterprise list at 1280 px with the sidebar open, where its grid is LIST_PX wide (Chromium, 2026-12-07). The
# columns beside the name size themselves to their widest text: at most OTHERS_PX together in the widest language
# (French and Spanish: "Afrique du Sud", "Materiales de construcción", "Incorporación"; each text's width measured
# in the grid's font, plus 16 px of padding a column, plus the borders), COUNTRY_PX of it the country's. The name
# takes what they leave: at 420 px (the old bound) the list scrolled sideways by 113 px in French.
LIST_PX, OTHERS_PX, COUNTRY_PX = 818, 606, 102
# A name's width at CHAR_PX a character plus padding: the grid's 14 px Source Sans drew the 41 characters of
# "Metalmecánica Automotriz El Dorado S.A.S." in 252 px and 53 in 332 px (6.15-6.3 a character; 7.5 made its
# column 370 px), with 16 px of padding.
NAME_MIN_PX, CHAR_PX, NAME_PADDING_PX = 160, 6.3, 20
# Text longer than its cell wraps onto more lines, whole: the grid wraps a cell only in rows taller than 64 px.
LINE_PX, WRAPPED_ROW_MIN_PX, WRAPPED_LINES_MAX = 20, 68, 6
SHORT_TABLE_ROWS = 20  # a table of at most this many rows wraps to the screen (`table`)


def display_table(frame: pd.DataFrame, columns: Mapping[str, tuple[str, Kind]]) -> pd.DataFrame:
    """A frame of display strings: `columns` maps a frame column to (heading, kind); values are formatted for
    the viewer's language and hidden or missing cells show as "–". For aggregate tables with suppression."""
    # one frame from its columns: setting a column at a time cost ~0.3 ms each (BENCHMARKS.md, "server, session 16")
    shown = {heading: [format_value(v, kind) for v in frame[column]] for column, (heading, kind) in columns.items()}
    return pd.DataFrame(shown, index=pd.RangeIndex(len(frame)))


def typed_grid(frame: pd.DataFrame, kinds: Mapping[str, Kind]) -> Styler:
    """`frame` for st.dataframe, its columns named in `kinds` (heading -> kind) kept typed so that a click on a
    heading sorts them as numbers (as text, "10" came before "9"), and shown in the reader's format by the Styler
    ("1 234" in French; a hidden or missing cell "–"): the grid's own number formats follow the browser's locale,
    not the page's language."""
    typed = frame.assign(**{column: pd.to_numeric(frame[column], errors="coerce") for column in kinds})
    return typed.style.format({column: functools.partial(format_value, kind=kind) for column, kind in kinds.items()})


def merge_tables(left: pd.DataFrame, right: pd.DataFrame, on: str) -> pd.DataFrame:
    """`left` with `right`'s columns beside (left join on `on`); a row is hidden when it is in either."""
    merged = left.merge(right, on=on, how="left", suffixes=("", "_right"))
    if "suppressed_right" in merged.columns:
        hidden = suppressed_rows(left).to_numpy() | merged["suppressed_right"].fillna(False).astype(bool).to_numpy()
        merged = merged.drop(columns="suppressed_right").assign(suppressed=hidden)
    return merged


def renamed(values: pd.Series, names: Mapping[str, str] | Callable[[str], str]) -> pd.Series:
    """`values` with each code replaced by its name (a code without one stays as it is, missing stays missing),
    looked up once per distinct code: a full enterprise list has 300,000 rows and a dozen codes."""
    lookup = names if callable(names) else (lambda code: names.get(code, code))
    return values.map({code: lookup(code) for code in values.dropna().unique()})


def with_labels(frame: pd.DataFrame, **labels: Mapping[str, str]) -> pd.DataFrame:
    """A copy with code columns replaced by their names, e.g. `with_labels(frame, country=countries)`."""
    return frame.assign(**{column: renamed(frame[column], m) for column, m in labels.items()})


def enterprise_list_table(
    rows: pd.DataFrame, *, countries: Mapping[str, str], sectors: Mapping[str, str]
) -> pd.DataFrame:
    """The enterprise list (query enterprise_list, detail viewers only) with headings and names, for the
    table and its CSV; numbers and dates stay typed so the table sorts correctly."""
    named = with_labels(rows, country=countries, sector=sectors)
    named["size_class"] = renamed(named["size_class"], size_class_name)
    # Dates as dates (a datetime column shows "2011-03-15 00:00:00"); still typed, so the column sorts.
    named["joined_on"] = pd.to_datetime(named["joined_on"]).dt.date
    headings = {
        "enterprise_id": _("Id"),
        "name": _("Name"),
        "country": _("Country"),
        "sector": _("Sector"),
        "province": _("Province"),
        "city": _("City"),
        "workers": _("Workers"),
        "workers_female": _("Women workers"),
        "workers_male": _("Men workers"),
        "size_class": _("Size"),
        "joined_on": _("Joined"),
        "phase": _("Phase"),
        "partner": _("Partner"),
    }
    return named[list(headings)].rename(columns=headings)


def enterprise_list_columns(one_country: bool = False) -> list[str]:
    """The enterprise list's columns on screen: who it is and its key figures, what fits beside the sidebar at
    1280 px (all 13 scrolled sideways, 1,499 px in 818). The others (id, province, city, men, phase, partner)
    are in the downloads and come back with the grid's "Show/hide columns"; so does the country when every
    listed enterprise is in one (a country's staff list their own): its room goes to the names."""
    country = [] if one_country else [_("Country")]
    return [_("Name"), *country, _("Sector"), _("Size"), _("Workers"), _("Women workers"), _("Joined")]


def name_layout(names: pd.Series, one_country: bool = False) -> tuple[int, int | None]:
    """The name column's width and the rows' height (None: the grid's own) for the enterprise list: as wide as the
    longest name, within the room the other columns leave at 1280 px with the sidebar open, so the list never
    scrolls sideways; when a name is longer than that room, rows tall enough for it to wrap, so it is read whole."""
    room = LIST_PX - OTHERS_PX + (COUNTRY_PX if one_country else 0)
    longest = int(names.dropna().astype(str).str.len().max()) if names.notna().any() else 0
    wanted = NAME_PADDING_PX + CHAR_PX * longest
    if wanted <= room:
        return int(max(NAME_MIN_PX, wanted)), None
    return room, wrapped_row_height(wanted - NAME_PADDING_PX, room - NAME_PADDING_PX)


def wrapped_row_height(text_px: float, line_px: float) -> int | None:
    """The rows' height in a grid for text `text_px` wide to wrap whole in a cell whose lines are `line_px` wide
    (at most WRAPPED_LINES_MAX lines), or None when it fits on one line (the grid's own height)."""
    # words break where they can, not where the room ends: a line holds a little less than its width
    lines = min(WRAPPED_LINES_MAX, math.ceil(1.2 * text_px / line_px))
    return max(WRAPPED_ROW_MIN_PX, lines * LINE_PX + 8) if lines > 1 else None


def table(
    frame: pd.DataFrame,
    *,
    height: int | Literal["auto", "content"] = "auto",
    key: str | None = None,
    column_order: Sequence[str] | None = None,
    column_config: ColumnConfigMappingInput | None = None,
    row_height: int | None = None,
) -> None:
    """A table without the index, full width. A short one (at most SHORT_TABLE_ROWS rows) is a plain table whose
    headings and cells wrap to the screen: the grid sizes each column to its heading and scrolled sideways at
    800 px, and beside the sidebar at 1280 px ("Entregas que informan satisfacción"). A longer one (the enterprise
    list) stays the grid, scrolled and sorted in place, showing `column_order` (every column when None) as
    `column_config` says."""
    if len(frame) <= SHORT_TABLE_ROWS:
        with st.container(key=key):  # st.table takes no key: its box names it (tests/pages.py table)
            if all(_is_text(frame[column]) for column in frame.columns):
                # a display table (display_table, maps.values_table): escaped HTML, as the charts' data tables and
                # the logframe's; st.table with the pandas Styler that right-aligns its numbers cost ~11 ms of a
                # new session's CPU (the training page's modules table; BENCHMARKS.md, "server, session 16")
                st.html(table_markup(list(frame.columns), frame.to_numpy(dtype=str).tolist()))
            else:
                text_table(frame, hide_index=True)
        return
    # numbers written as text in the reader's language (a display table) read right-aligned, as in a short table
    aligned: dict = {
        column: st.column_config.TextColumn(alignment="right")
        for column in frame.columns
        if _is_text(frame[column]) and number_column(list(frame[column]))
    }
    config = {**aligned, **(column_config or {})}
    st.dataframe(
        frame,
        hide_index=True,
        height=height,
        key=key,
        column_order=column_order,
        column_config=config,
        row_height=row_height,
    )


def _is_text(values: pd.Series) -> bool:
    """Every cell is text, as in a display table: shown as it reads."""
    return all(isinstance(value, str) for value in values)


@st.cache_data(max_entries=200, show_spinner=False, hash_funcs=FRAME_KEYS)
def logframe_with_status(frame: pd.DataFrame, country_names: dict[str, str]) -> pd.DataFrame:
    """`logframe.with_status(frame, country_names)` once per result content and names: the profile page asked
    for it on every rerun, though its logframe result changes only with the country (BENCHMARKS.md)."""
    from score import logframe

    return logframe.with_status(frame, country_names)


@drawn_once
def logframe_table(
    rows: pd.DataFrame,
    indicator_names: Mapping[str, str],
    country_names: Mapping[str, str],
    *,
    key: str,
    show_country: bool = True,
    show_date: bool = False,
    show_indicator: bool = True,
) -> None:
    """Rows of `logframe.with_status` as a table (logframe.display_table) with its status column coloured, its
    headings and comments wrapped to the screen (the grid cut the comments and scrolled sideways at 800 px)."""
    from score import logframe

    frame = logframe.display_table(
        rows,
        dict(indicator_names),
        dict(country_names),
        show_country=show_country,
        show_date=show_date,
        show_indicator=show_indicator,
    )
    _coloured_table(frame, logframe.status_column_styles(frame), key=key)


@drawn_once
def logframe_matrix(frame: pd.DataFrame, indicator_names: Mapping[str, str], country_names: Mapping[str, str]) -> None:
    """The traffic-light overview of `logframe.with_status` rows (logframe.matrix), each cell coloured."""
    from score import logframe

    texts, statuses = logframe.matrix(frame, dict(indicator_names), dict(country_names))
    _coloured_table(texts, logframe.matrix_styles(statuses), key="logframe_matrix")


def _coloured_table(frame: pd.DataFrame, styles: list[list[str]], *, key: str) -> None:
    """A table of the app's words and figures with a colour per cell, as escaped HTML (components.text.table_markup:
    a comment from an upload stays text): it wraps its headings and cells to the screen as st.table did, without
    Streamlit's Markdown renderer for every cell (the logframe page sent 67 KB of st.table; BENCHMARKS.md)."""
    with st.container(key=key):  # its box names it (tests/pages.py table)
        st.html(table_markup(list(frame.columns), frame.to_numpy(dtype=str).tolist(), styles))


def table_section(
    frame: pd.DataFrame,
    columns: Mapping[str, tuple[str, Kind]],
    *,
    labels: Mapping[str, Mapping[str, str]],
    file_name: str,
    key: str,
    csv_columns: Sequence[str] | None = None,
) -> None:
    """An aggregate table (codes named through `labels`, headings and kinds from `columns`) with its CSV
    (the query's data: codes beside names, `csv_columns` or all of them)."""
    named = with_labels(frame, **labels)
    if len(frame) <= SHORT_TABLE_ROWS:
        table(display_table(named, columns), key=f"{key}_table")
    else:  # a grid the reader sorts (the summary by country and sector): its numbers stay numbers
        shown = named[list(columns)].rename(columns={column: heading for column, (heading, _kind) in columns.items()})
        kinds = {heading: kind for heading, kind in columns.values() if kind not in ("text", "date")}
        st.dataframe(typed_grid(shown, kinds), hide_index=True, key=f"{key}_table")
    csv_download(frame, file_name, labels=labels, columns=csv_columns, key=f"{key}_csv")


def modules_table_section(by_module: pd.DataFrame, satisfaction: pd.DataFrame, *, labels: Mapping[str, str]) -> None:
    """The Training page's table: one row per module (training_by_module beside satisfaction_by_module)."""
    from score import exports

    columns: dict[str, tuple[str, Kind]] = {
        "module": (_("Module"), "text"),
        "deliveries": (_("Deliveries"), "int"),
        "participations": (_("Participations"), "int"),
        "consultation_visits": (measures.label("consultation_visits"), "int"),
        "satisfaction_mean": (_("Satisfied (%)"), "pct"),
        "n_satisfaction": (_("Deliveries reporting satisfaction"), "int"),
        "median_days_to_classroom": (_("Median days from joining"), "int"),
    }
    table_section(
        merge_tables(by_module, satisfaction, "module"),
        columns,
        labels={"module": labels},
        file_name=exports.csv_name(_("Training by module")),
        key="modules",
        csv_columns=list(columns),
    )
    suppression_note(by_module, satisfaction)


SUMMARY_QUERY = "enterprises_country_sector"  # the summary by country and sector


def enterprises_table_queries(filters: Filters, scope: access.Scope) -> tuple[str, ...]:
    """The query enterprises_table_section draws at once, for the page's `ui.query_together`: the summary where
    `scope` sees none of the filtered countries in detail (else the enterprise list comes first and the summary on a
    click); one statement fewer for a new public session (BENCHMARKS.md, "(server, session 18)")."""
    return () if filters.countries_within(scope.detail_countries) else (SUMMARY_QUERY,)


def enterprises_table_section(filters: Filters, *, countries: Mapping[str, str], sectors: Mapping[str, str]) -> None:
    """The Enterprises page's table: the enterprise list for the countries the viewer may see in detail
    (a choice beside the summary), else the summary by country and sector that everyone may see."""
    from score import exports
    from score.web import ui

    detail_countries = filters.countries_within(ui.current_scope().detail_countries)
    views = {"detail": _("Enterprise list"), "aggregate": _("Summary by country and sector")}
    view = "aggregate"
    if detail_countries:
        view = (
            st.segmented_control(
                _("Table"), list(views), format_func=name_or_code(views), default="detail", key="enterprises_view"
            )
            or "detail"
        )
    if view == "detail":
        _enterprise_list(sorted(detail_countries), countries=countries, sectors=sectors)
        return
    cells = ui.query(SUMMARY_QUERY)
    if cells.empty or suppressed_rows(cells).all():
        protected = "suppressed" in cells.columns  # 0 and 1-4 enterprises look alike to them
        ui.empty_state(access.hidden_text() if protected else _("No enterprises match the current filters."))
        return
    table_section(
        cells,
        {
            "country": (_("Country"), "text"),
            "sector": (_("Sector"), "text"),
            "enterprises": (_("Enterprises"), "int"),
            "workers_female": (_("Women workers"), "int"),
            "workers_male": (_("Men workers"), "int"),
            "workers_reached": (measures.label("workers_reached"), "int"),
        },
        labels={"country": countries, "sector": sectors},
        file_name=exports.csv_name(_("Enterprises by country and sector")),
        key="enterprise_summary",
    )
    suppression_note(cells)


@st.cache_data(max_entries=10, show_spinner=False)
def _enterprise_table(
    result: tuple, language: str, _rows: pd.DataFrame, _countries: Mapping[str, str], _sectors: Mapping[str, str]
) -> None:
    """The page of the list as a table, drawn once per result (`result`: ui.result_key) and language and
    replayed on later reruns, as drawn_once does."""
    one_country = _rows["country"].nunique() <= 1
    width, row_height = name_layout(_rows["name"], one_country)
    table(
        enterprise_list_table(_rows, countries=_countries, sectors=_sectors),
        key="enterprise_list_table",
        column_order=enterprise_list_columns(one_country),
        row_height=row_height,
        # the name whole and read as data: pinned (kept in view while the rest scrolled sideways), the grid drew
        # it grey like an index
        column_config={
            _("Name"): st.column_config.Column(width=width),
            _("Joined"): st.column_config.DateColumn(format=grid_date_format()),  # 19/05/2009 on a Spanish page
        },
    )


def search_text(typed: object) -> str | None:
    """What the enterprise list searches for: the typed text trimmed and at most SEARCH_CHARS long, None for
    nothing (the query treats it as plain text: see queries/enterprise_list.sql)."""
    text = " ".join(str(typed or "").split())[:SEARCH_CHARS]
    return text or None


def _enterprise_list(
    detail_countries: Sequence[str], *, countries: Mapping[str, str], sectors: Mapping[str, str]
) -> None:
    """enterprise_list (scoped to the viewer's detail countries by the query runner): its first LIST_ROWS on the
    page, the full list in the downloads, made when clicked."""
    from score import db
    from score.web import ui

    st.caption(
        _(
            "Enterprise detail for {countries} (your access). Other countries appear in the charts only.",
            countries=", ".join(countries.get(code, code) for code in detail_countries),
        )
    )
    search = search_text(
        st.text_input(
            _("Find an enterprise"),
            max_chars=SEARCH_CHARS,
            placeholder=_("Name, id, city or province"),
            key="enterprise_search",
        )
    )
    rows = ui.query("enterprise_list", search=search, limit=LIST_ROWS)
    scope, chosen, path = ui.current_scope(), ui.current_filters(), ui.pinned_path()

    def full_list() -> pd.DataFrame:  # runs outside the session when a download is clicked
        full = db.run_query("enterprise_list", scope, chosen, path=path, search=search, limit=None)
        return full.drop(columns="listed")

    ui.sheet_on_click("enterprise_list", full_list, search=search, limit=LIST_ROWS)
    if rows.empty:
        ui.empty_state(
            _("No enterprise of your countries matches this search.")
            if search
            else _("No enterprises of your countries match the current filters.")
        )
        return
    listed = int(rows["listed"].iloc[0])
    if listed > len(rows):
        st.caption(
            ngettext(
                "Showing {shown} of {n} enterprise; download the full list (CSV or Excel) for all.",
                "Showing {shown} of {n} enterprises; download the full list (CSV or Excel) for all.",
                listed,
                shown=fmt_int(len(rows)),
                n=fmt_int(listed),
            )
        )
    else:
        st.caption(ngettext("{n} enterprise.", "{n} enterprises.", listed, n=fmt_int(listed)))
    _enterprise_table(
        ui.result_key("enterprise_list", search=search, limit=LIST_ROWS), current_language(), rows, countries, sectors
    )
    from score import exports

    reason, labels = exports.hidden_reason_text(), {"country": countries, "sector": sectors}
    download(
        _("Download the full list (CSV)"),
        lambda: exports.to_csv(exports.data_table(full_list(), labels, hidden_reason=reason)),
        exports.csv_name(_("Enterprises")),
        "text/csv",
        key="enterprise_list_csv",
    )
