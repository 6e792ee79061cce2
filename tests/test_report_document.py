"""The report as a document (score.report, no browser): plotly.js inline exactly once and nothing fetched from
anywhere; text that came from an upload (partner names) is shown as text in headings, tables and the chart's data,
never as markup; the document says its filters, data date, demo status and the adjusted-figures note."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go

from score import report
from score.deck import Kpi
from score.exports import ExportContext

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def hostile_report() -> report.Report:
    context = ExportContext(
        filters=f"Colombia · Partners: {HOSTILE}",
        data_date="5 Dec 2026",
        exported_on="5 Dec 2026",
        source="ILO SCORE",
        demo="Demo data: synthetic enterprises, not real results",
        adjusted="Figures slightly adjusted to protect enterprises.",
    )
    fig = go.Figure(go.Bar(x=[12, 7], y=[HOSTILE, "SENA"], orientation="h", text=["12", "7"]))
    fig.update_layout(title={"text": "Enterprises by implementing partner (enterprises)"})

    def query(name: str, **params: object) -> pd.DataFrame:
        return pd.DataFrame({"enterprises": [0]})  # the narrative then says there is nothing to describe

    return report.build_report("SCORE results", [fig], query, context, [Kpi("Enterprises engaged", "12")])


def test_plotly_is_inline_once_and_nothing_is_fetched() -> None:
    document = report.to_html(hostile_report())
    assert document.count('id="plotly-gz"') == 1
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", document, re.IGNORECASE)
    assert "default-src 'none'" in document  # a content security policy that forbids any request
    assert len(document.encode()) < 5 * 1024 * 1024


def test_upload_text_is_text_in_the_report() -> None:
    document = report.to_html(hostile_report())
    assert HOSTILE not in document
    assert "<img src=x" not in document
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in document  # the filters and the table, as text
    data = re.findall(r'<script type="application/json" data-chart="c1">(.*?)</script>', document, re.DOTALL)
    assert len(data) == 1 and "<" not in data[0]  # a name cannot close the chart's data early or open a comment
    assert "\\u003cscript\\u003e" in data[0]  # still there, as JSON reads it


def test_the_document_says_what_it_holds() -> None:
    document = report.to_html(hostile_report())
    for text in ("5 Dec 2026", "Demo data: synthetic enterprises", "Figures slightly adjusted", "Enterprises engaged"):
        assert text in document
    assert '<h2 id="t1">Enterprises by implementing partner (enterprises)</h2>' in document
