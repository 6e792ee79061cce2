"""Uploaded text where Streamlit renders Markdown: every st.table and every sentence built from data goes through
here, so a partner or file name holding [link](url), ![image](url) or a bare https://address stays text."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from score.values import as_plain_text, markdown_text


def text_table(frame: pd.DataFrame, *, hide_index: bool = False) -> None:
    """st.table (a plain table whose headings wrap) with every text cell and the index read as typed (the
    headings are the app's own words: see as_plain_text)."""
    st.table(as_plain_text(frame), hide_index=hide_index)


def plain_paragraph(text: str) -> None:
    """A paragraph of text built from data (the narrative), never read as Markdown."""
    st.markdown(markdown_text(text))
