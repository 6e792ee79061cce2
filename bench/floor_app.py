"""The floor for the browser benchmark (bench/browser.py): the least a Streamlit page with filters and charts costs.

A sidebar multiselect of countries and five Plotly bar charts of a small frame, with the same Streamlit and Plotly
as the dashboard and nothing else (no database, no custom CSS or components). Whatever the dashboard takes beyond
this app, measured in the same run, is the dashboard's own cost (DESIGN.md, "Performance").

    .venv/bin/streamlit run bench/floor_app.py --server.port 8765 --server.headless true
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

COUNTRIES = {
    "CHN": "China",
    "COL": "Colombia",
    "GHA": "Ghana",
    "IND": "India",
    "IDN": "Indonesia",
    "PER": "Peru",
    "ZAF": "South Africa",
    "TUN": "Tunisia",
    "VNM": "Viet Nam",
}
MEASURES = ("Enterprises", "Workers reached", "People trained", "Women trained", "Modules delivered")

st.set_page_config(page_title="Floor", layout="wide")
chosen = st.sidebar.multiselect("Country", list(COUNTRIES), format_func=COUNTRIES.get, placeholder="All countries")
values = {name: [(k + 3) * (m + 7) * 11 % 97 + 5 for k in range(len(COUNTRIES))] for m, name in enumerate(MEASURES)}
frame = pd.DataFrame({"country": list(COUNTRIES), **values})
if chosen:
    frame = frame[frame["country"].isin(chosen)]
st.title("Floor: five bar charts")
for measure in MEASURES:
    figure = go.Figure(go.Bar(x=[COUNTRIES[c] for c in frame["country"]], y=frame[measure]))
    figure.update_layout(title=measure, height=320)
    st.plotly_chart(figure)
