"""Uploaded text where Streamlit renders Markdown: every st.table and every sentence built from data goes through
here, so a partner or file name holding [link](url), ![image](url) or a bare https://address stays text."""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from score.values import as_plain_text, markdown_text, number_column, number_columns

# A number's cell: right-aligned, so digits line up down the column, and never broken inside the number
# ("1 406" in French wrapped after its narrow space in a narrow column). Important: st.table writes each cell's
# alignment by its type in the cell's own style attribute, and a number shown as text is a string to it.
NUMBER_CELL = {"text-align": "right !important", "white-space": "nowrap"}


def text_table(frame: pd.DataFrame, *, hide_index: bool = False) -> None:
    """st.table (a plain table whose headings wrap) with every text cell and the index read as typed (the
    headings are the app's own words: see as_plain_text), its number columns right-aligned."""
    numbers = number_columns(frame)
    shown = as_plain_text(frame)
    floats = any(pd.api.types.is_float_dtype(shown[column]) for column in shown.columns)
    if not numbers or floats:  # a Styler writes floats with six decimals: such a table stays as it was
        st.table(shown, hide_index=hide_index)
        return
    headings = {column: [{"selector": "th", "props": "text-align: right !important"}] for column in numbers}
    styled = shown.style.set_properties(subset=numbers, **NUMBER_CELL).set_table_styles(headings, overwrite=False)
    st.table(styled, hide_index=hide_index)


def table_markup(
    header: Sequence[str], rows: Sequence[Sequence[str]], styles: Sequence[Sequence[str]] | None = None
) -> str:
    """A small static table as HTML for st.html (a chart's data table, the logframe's tables; styled in
    score.web.layout), the first column heading its row; every text escaped, so a name or comment from an upload
    stays text. `styles`: a CSS declaration per cell of `rows` ("" for none), the app's own (the status colours).
    Not st.table: that renders each cell with Streamlit's Markdown renderer (~40 per chart table, 5-6 tables a
    page), a large part of what the browser did when a page opened (BENCHMARKS.md, issue 25).
    `data-score-table` marks it for scripts/page_figures.py, which compares tables as text."""

    # a column of numbers right-aligned, as in text_table (class score-number, styled in score.web.layout)
    numbers = [False] + [number_column([row[j] for row in rows]) for j in range(1, len(header))]

    def cell(tag: str, text: object, scope: str | None = None, style: str = "", number: bool = False) -> str:
        where = f' scope="{scope}"' if scope else ""
        styled = f' style="{html.escape(style)}"' if style else ""
        kind = ' class="score-number"' if number else ""
        return f"<{tag}{where}{kind}{styled}>{html.escape(str(text))}</{tag}>"

    head = "".join(cell("th", text, "col", number=number) for text, number in zip(header, numbers, strict=True))
    looks = styles if styles is not None else [[""] * len(row) for row in rows]
    body = "".join(
        "<tr>"
        + cell("th", row[0], "row", look[0])
        + "".join(
            cell("td", text, None, style, number)
            for text, style, number in zip(row[1:], look[1:], numbers[1:], strict=True)
        )
        + "</tr>"
        for row, look in zip(rows, looks, strict=True)
    )
    return (
        f'<div class="score-table" data-score-table="1"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def plain_paragraph(text: str) -> None:
    """A paragraph of text built from data (the narrative), never read as Markdown."""
    st.markdown(markdown_text(text))
