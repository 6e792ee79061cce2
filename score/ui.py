"""Streamlit glue shared by every page: session scope, global filters, cached named queries, notices.

Pages call `ui.page(title)` once, then `ui.query(name)` for data; nothing here computes a measure
(that is SQL in queries/) and nothing in a page opens a connection.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from score import contract, db, filters
from score.access import Scope
from score.filters import Filters
from score.i18n import LANGUAGES, _, label, set_language

FILTERS_KEY = "score_filters"
SCOPE_KEY = "score_scope"
LANGUAGE_KEY = "score_language"


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


def data_version() -> str:
    return db.data_version()


@st.cache_data(ttl=3600, max_entries=2000, show_spinner=False)
def _cached_query(
    name: str,
    scope_key: tuple,
    filters_key: Filters,
    version: str,
    params_key: tuple,
    _scope: Scope,
) -> pd.DataFrame:
    # scope_key, filters_key, version and params_key make up the cache key: the cache is shared by
    # all sessions, so a result computed for one scope is never served to another.
    return db.run_query(name, _scope, filters_key, **dict(params_key))


def query(name: str, filters_override: Filters | None = None, **params: object) -> pd.DataFrame:
    """Run a named query for the current viewer and filters (cached per scope, filters and data version)."""
    scope = current_scope()
    chosen = filters_override if filters_override is not None else current_filters()
    scope_key = (
        scope.role,
        scope.user,
        tuple(sorted(scope.aggregate_countries)),
        tuple(sorted(scope.detail_countries)),
    )
    params_key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    frame = _cached_query(name, scope_key, replace(chosen, notices=()), data_version(), params_key, scope)
    return frame.copy()


@st.cache_data(ttl=3600, show_spinner=False)
def _partners(version: str) -> list[str]:
    return db.run_query("partners", Scope.nothing())["partner"].tolist()


@st.cache_data(ttl=3600, show_spinner=False)
def _year_bounds(version: str) -> tuple[int, int]:
    bounds = db.run_query("year_bounds", Scope.nothing())
    first, last = bounds.iloc[0]["first_year"], bounds.iloc[0]["last_year"]
    if pd.isna(first):
        return filters.YEAR_MIN, filters.YEAR_MAX
    return int(first), max(int(last), int(first) + 1)


def reference_labels(kind: str) -> dict[str, str]:
    """Code -> label in the current language for sectors, modules, indicators, countries."""
    files = {
        "sector": "sectors.csv",
        "module": "modules.csv",
        "indicator": "indicators.csv",
        "logframe_indicator": "logframe_indicators.csv",
        "country": "countries.csv",
    }
    key = "iso3" if kind == "country" else "code"
    return {row[key]: label(row) for row in contract.reference_rows(files[kind])}


def sidebar_language() -> None:
    choice = st.sidebar.selectbox(
        _("Language"),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANGUAGE_KEY,
    )
    set_language(choice)


def sidebar_filters() -> Filters:
    """Draw the global filters, mirrored in st.query_params so any view is a shareable link."""
    partners = _partners(data_version())
    first, last = _year_bounds(data_version())
    if "f_initialised" not in st.session_state:
        from_url = filters.from_query_params(_multi_params(), partners)
        for name in filters.LIST_FIELDS:
            st.session_state[f"f_{name}"] = list(getattr(from_url, name))
        st.session_state["f_years"] = (max(from_url.year_from, first), min(from_url.year_to, last))
        st.session_state["f_initialised"] = True
        st.session_state["f_notices"] = from_url.notices
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
    if _current_params() != wanted:
        st.query_params.from_dict(wanted)
    if not chosen.is_default() and side.button(_("Clear filters")):
        for name in filters.LIST_FIELDS:
            st.session_state[f"f_{name}"] = []
        st.session_state["f_years"] = (first, last)
        st.rerun()
    return chosen


def _multi_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()}  # noqa: SIM118


def _current_params() -> dict[str, list[str] | str]:
    out: dict[str, list[str] | str] = {}
    for key in st.query_params.keys():  # noqa: SIM118
        values = st.query_params.get_all(key)
        out[key] = values if key in filters.LIST_FIELDS else values[0]
    return out


def notices() -> None:
    """Dropped URL values and the demo-data notice, shown at the top of every page."""
    dropped = st.session_state.get("f_notices", ())
    if dropped:
        st.info(_("Some link parameters were not recognised and were ignored: {items}", items=", ".join(dropped)))
    status = db.run_query("data_status", Scope.nothing())
    if len(status) and bool(status.iloc[0]["is_demo"]):
        st.warning(
            _(
                "Demo data: these figures come from synthetic enterprises made for demonstration, not real results."
            ),
            icon="🧪",
        )


def page(title: str, caption: str | None = None) -> Filters:
    """Common page header; returns the current filters."""
    st.title(title)
    if caption:
        st.caption(caption)
    notices()
    return current_filters()


def empty_state(message: str) -> None:
    st.info(message, icon="ℹ️")
