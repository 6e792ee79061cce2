"""The caches of what pages draw: a chart built once per arguments and language (`cached_figure`), elements drawn
once and replayed (`drawn_once`), frames keyed by their content (`content_key`)."""

from __future__ import annotations

import datetime
import functools
import hashlib
import pickle
from collections.abc import Callable, Mapping
from typing import TypeAlias

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from score import chart_text, charts
from score.i18n import current_language, plot_separators

Figure: TypeAlias = (
    go.Figure | charts.PlainFigure
)  # the builders here return PlainFigures; other modules' go.Figures show too


def content_key(frame: pd.DataFrame | pd.Series) -> bytes:
    """The bytes of a small frame's content (column names, dtypes, index, values): equal for equal frames.

    Not the frame's own pickle: a result fresh from DuckDB and the same result after a pickle round trip (as
    st.cache_data hands it out) pickle to different bytes, so the first rerun after every filter change missed
    every chart (BENCHMARKS.md)."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    content = (
        tuple(frame.columns),
        tuple(map(str, frame.dtypes)),
        frame.index.tolist(),
        frame.to_numpy(object).tolist(),
    )
    return pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL)


FRAME_KEYS = {pd.DataFrame: content_key, pd.Series: content_key}  # hash_funcs of the caches below

# Values that pickle to the same bytes only when equal and of the same type (int 1, float 1.0 and True differ).
_PLAIN = (str, bytes, int, float, bool, type(None), datetime.date, datetime.time, datetime.timedelta)


def _key_part(value: object) -> object:
    """`value` as plain data for `arguments_key`: frames by content (content_key), mappings by their items in order,
    sequences item by item, each with its type's name (a list and a tuple, a dict and another mapping differ)."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return ("frame", content_key(value))
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Mapping):
        return (type(value).__qualname__, tuple((_key_part(k), _key_part(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):  # a NamedTuple too (its type name is in the key)
        return (type(value).__qualname__, tuple(_key_part(item) for item in value))
    return (type(value).__qualname__, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))  # its whole state


def arguments_key(name: str, language: str, args: tuple, kwargs: dict) -> str:
    """One string for a builder's name, the language and its arguments, equal only for equal arguments: handed to
    Streamlit's cache by keyword, the arguments themselves unhashed. Streamlit's own hash walked every mapping (the
    country and indicator names) and sequence item by item, ~1-3 ms a call, ten or more calls a page (the
    logframe's tables; BENCHMARKS.md, "Cache keys made once ...")."""
    content = pickle.dumps((name, language, _key_part(args), _key_part(kwargs)), protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(content, digest_size=32).hexdigest()


CHART_TABLE = "_score_chart_table"  # where a cached figure keeps its data table (chart_text.chart_table), made once


def cached_figure(build: Callable[..., Figure | None]) -> Callable[..., Figure | None]:
    """Build a chart once per arguments and language, not on every rerun: Plotly's validators make building a
    figure cost more than the rest of a cached page run (BENCHMARKS.md). The figure is shared (st.cache_resource:
    no copy), so nothing may change it after it is built; it carries the language's separators already."""
    name = f"{build.__module__}.{build.__qualname__}"  # one cache serves every builder: the name is in the key

    @st.cache_resource(max_entries=1000, show_spinner=False)
    def cached(key: str, _args: tuple, _kwargs: dict) -> Figure | None:
        fig = build(*_args, **_kwargs)
        if fig is not None:
            # the table is made once, here: the description below and the data table (figures.chart_data) read it
            # (it reads no separators, meta or margin, so it is the same before and after them)
            table = chart_text.chart_table(fig)
            # the text alternative travels in the figure: the page names each chart with it (layout.CHART_NAMES_JS)
            description = chart_text.text_alternative(table) if table is not None else ""
            fig.update_layout(separators=plot_separators(), meta={"description": description})
            charts.fit_margins(fig)  # margins sized from its labels: the browser draws it once, not twice
            setattr(fig, CHART_TABLE, (current_language(), table))
        return fig

    @functools.wraps(build)
    def wrapper(*args: object, **kwargs: object) -> Figure | None:
        return cached(key=arguments_key(name, current_language(), args, kwargs), _args=args, _kwargs=kwargs)

    return wrapper


def drawn_once(draw: Callable[..., None]) -> Callable[..., None]:
    """Draw these elements once per arguments and language; a rerun replays what was drawn (a cached function's
    elements are recorded by st.cache_data), instead of styling and serialising them again: a coloured table
    (a pandas Styler) cost 5-10 ms to send, every rerun (BENCHMARKS.md). Elements only, never widgets, and only
    elements whose data travel in the message: a Styler is always sent whole, while a server may serve a plain
    st.dataframe lazily from a source registered for one session, which a replay in another would not find.
    Frames are keyed by content, and the language is in the key for the words drawn."""
    name = f"{draw.__module__}.{draw.__qualname__}"

    @st.cache_data(max_entries=1000, show_spinner=False)
    def drawn(key: str, _args: tuple, _kwargs: dict) -> None:
        draw(*_args, **_kwargs)

    @functools.wraps(draw)
    def wrapper(*args: object, **kwargs: object) -> None:
        drawn(key=arguments_key(name, current_language(), args, kwargs), _args=args, _kwargs=kwargs)

    return wrapper
