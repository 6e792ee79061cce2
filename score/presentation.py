"""The meeting deck: one slide sequence, shown full-screen in the app and downloadable as PPTX.

Both come from the same `Slide` specs built here from the viewer's own (scoped, suppressed) query
results, so what is downloaded is exactly what was on screen.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from score import charts
from score.exports import Slide
from score.i18n import _, fmt_int, fmt_pct

Query = Callable[..., pd.DataFrame]


def _numbers(frame: pd.DataFrame, column: str) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in frame[column]]


def deck_slides(query: Query, labels: dict[str, dict[str, str]], scope_note: str) -> list[Slide]:
    """The standard results deck for the current filters. `labels[kind][code]` gives display names."""
    kpis = query("overview_kpis").iloc[0]
    slides = [
        Slide(
            _("SCORE results"),
            subtitle=scope_note,
            kpis=[
                (_("Enterprises engaged"), fmt_int(kpis["enterprises"])),
                (_("Workers reached"), fmt_int(kpis["workers_reached"])),
                (_("People trained (distinct estimate)"), fmt_int(kpis["people_trained"])),
                (_("Modules delivered"), fmt_int(kpis["module_completions"])),
                (_("Women among workers reached"), fmt_int(kpis["workers_female"])),
                (_("Women trained"), fmt_int(kpis["people_trained_female"])),
                (_("Training participations"), fmt_int(kpis["participations"])),
                (_("Consultation visits"), fmt_int(kpis["consultation_visits"])),
            ],
        )
    ]
    countries = query("country_comparison")
    if len(countries):
        countries = countries.sort_values("country")
        slides.append(
            Slide(
                _("Enterprises engaged by country"),
                categories=[labels["country"].get(c, c) for c in countries["country"]],
                series={
                    _("Enterprises"): _numbers(countries, "enterprises"),
                    _("Target"): _numbers(countries, "target_enterprises"),
                },
                colours={_("Enterprises"): charts.ACCENT, _("Target"): charts.MUTED},
                note=_("Targets from data/reference/targets.csv for the phases in view."),
            )
        )
        slides.append(
            Slide(
                _("Workers reached by country and sex (headcount when joining)"),
                categories=[labels["country"].get(c, c) for c in countries["country"]],
                series={
                    _("Women"): _numbers(countries, "workers_female"),
                    _("Men"): _numbers(countries, "workers_male"),
                },
                colours={_("Women"): charts.SEX_COLOURS["female"], _("Men"): charts.SEX_COLOURS["male"]},
                chart="stacked",
            )
        )
    modules = query("training_by_module")
    if len(modules) and modules["deliveries"].notna().any():
        slides.append(
            Slide(
                _("Modules delivered"),
                categories=[labels["module"].get(m, m) for m in modules["module"]],
                series={_("Enterprises trained"): _numbers(modules, "deliveries")},
                colours={_("Enterprises trained"): charts.ACCENT},
                chart="bar",
                note=_("One delivery = one enterprise completing the module's classroom training."),
            )
        )
    shares = query("outcome_shares")
    if len(shares):
        slides.append(
            Slide(
                _("Outcomes reported at follow-up (% of enterprises)"),
                categories=[labels["indicator"].get(c, c) for c in shares["indicator"]],
                series={_("% of enterprises"): _numbers(shares, "share_pct")},
                colours={_("% of enterprises"): charts.ACCENT},
                chart="bar",
                number_format='0"%"',
                note=_(
                    "n = enterprises with a follow-up answer: {n}",
                    n=", ".join(
                        f"{labels['indicator'].get(r.indicator, r.indicator)} {fmt_int(r.n_enterprises)}"
                        for r in shares.itertuples()
                    ),
                ),
            )
        )
    changes = query("outcome_changes")
    if len(changes):
        slides.append(
            Slide(
                _("Change from baseline to follow-up (%)"),
                categories=[labels["indicator"].get(c, c) for c in changes["indicator"]],
                series={_("Change %"): _numbers(changes, "change_pct")},
                colours={_("Change %"): charts.ACCENT},
                chart="bar",
                number_format='0.0"%"',
                note=_(
                    "Summed follow-up against summed baseline over enterprises with both; "
                    "lower is better for all five. Enterprises without a follow-up are excluded."
                ),
            )
        )
    return slides


def slide_figure(slide: Slide) -> go.Figure | None:
    """The on-screen version of a chart slide (same numbers as the PPTX chart)."""
    if not slide.categories or not slide.series:
        return None
    fig = go.Figure()
    horizontal = slide.chart == "bar"
    percent = "%" in slide.number_format
    for name, values in slide.series.items():
        text = [("–" if v is None else (fmt_pct(v, 1) if percent else fmt_int(v))) for v in values]
        bar = go.Bar(
            name=name,
            x=values if horizontal else slide.categories,
            y=slide.categories if horizontal else values,
            orientation="h" if horizontal else "v",
            marker_color=slide.colours.get(name),
            text=text,
            textposition="auto",
        )
        fig.add_trace(bar)
    fig.update_layout(barmode="stack" if slide.chart == "stacked" else "group", showlegend=len(slide.series) > 1)
    charts.style(fig, slide.title, height=560, value_format="" if horizontal else ",d")
    if horizontal:
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(tickformat=".0f" if percent else ",d")
    return fig
