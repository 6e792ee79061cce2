"""Presentation: the results as a slide sequence for meetings, and the same slides as a PowerPoint deck."""

from __future__ import annotations

import streamlit as st

from score import audit, exports, presentation, ui
from score import components as c
from score.exports import build_deck
from score.i18n import _

filters = ui.page(
    _("Presentation"),
    _("A slide sequence for meetings (press F11 for full screen). The deck download holds the same slides."),
)
scope = ui.current_scope()
labels = {kind: ui.reference_labels(kind) for kind in ("country", "sector", "module", "indicator")}
scope_note = exports.filters_in_words(filters, labels)  # names in the viewer's language, not URL codes
slides = presentation.deck_slides(ui.query, labels, scope_note)
footer = _("SCORE results dashboard · data version {version}", version=ui.data_version().split(":")[0])


def _deck() -> bytes:
    audit.record("export", scope.user, kind="pptx", filters=filters.to_query_params())
    return build_deck(slides, footer=footer)


total = len(slides)
position = min(int(st.session_state.get("slide_index", 0)), total - 1)
left, middle, right, download = st.columns([1, 2, 1, 2])
if left.button(_("Previous"), disabled=position == 0, use_container_width=True):
    position -= 1
if right.button(_("Next"), disabled=position >= total - 1, use_container_width=True):
    position += 1
st.session_state["slide_index"] = position
middle.markdown(f"<div style='text-align:center'>{position + 1} / {total}</div>", unsafe_allow_html=True)
download.download_button(
    _("Download deck (PowerPoint)"),
    data=_deck,
    file_name="score-results.pptx",
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    on_click="ignore",
    use_container_width=True,
)

slide = slides[position]
st.header(slide.title)
if slide.subtitle:
    ui.text_caption(slide.subtitle)  # holds filter values such as partner names: data, shown as text
if slide.kpis:
    columns = st.columns(4)
    for index, (label, value) in enumerate(slide.kpis):
        columns[index % 4].metric(label, value)
figure = presentation.slide_figure(slide)
if figure is not None:
    c.show(figure, file_name=f"score-slide-{position + 1}")
if slide.note:
    st.caption(slide.note)
