"""Present mode: the results as full-screen slides for a meeting room projector, and the same slides as a deck.

No sidebar, header or page chrome; every slide fits the screen. Keys (what presenter clickers send):
ArrowRight, PageDown or Space for the next slide, ArrowLeft or PageUp for the previous one, Escape leaves.
`?slide=N` is in the URL, so a reload stays on the slide. Filters, role and language are the ones chosen on
the other pages (they stay in the URL).
"""

from __future__ import annotations

import streamlit as st

from score import audit, charts, exports, presentation
from score.deck import build_deck
from score.i18n import _, current_language
from score.web import components, ui
from score.web import present_mode as pm
from score.web.language import language_params

ui.pin_data_version()
filters = ui.current_filters()
scope = ui.current_scope()
labels = ui.export_labels()
context = ui.export_context()
slides = presentation.deck_slides(ui.query, labels, filters, context)
total = len(slides)

# ---- which slide: ?slide=N when the link is new, else where the presenter is
from_url = ui.page_param("slide", [str(n) for n in range(1, total + 1)])
if from_url is not None and from_url != st.session_state.get("slide_in_url"):
    st.session_state["slide_index"] = int(from_url) - 1
position = min(max(int(st.session_state.get("slide_index", 0)), 0), total - 1)
st.session_state["slide_index"] = position
ui.set_page_param("slide", str(position + 1))
st.session_state["slide_in_url"] = str(position + 1)


def _move(step: int) -> None:
    st.session_state["slide_index"] = min(max(int(st.session_state.get("slide_index", 0)) + step, 0), total - 1)


slide = slides[position]
st.html(pm.page_top(slide, _("Demo data") if context.demo else ""))
with st.container(key=pm.HEAD_KEY):
    st.title(slide.title, anchor=False)  # an h1 like every page's title (our own strings, no upload text)
    if slide.subtitle and slide.kind != "title":
        st.html(pm.subtitle(slide))
with st.container(key=pm.BODY_KEY):
    figure = presentation.slide_figure(slide)
    if slide.kind in ("title", "kpis", "text"):
        st.html(pm.body(slide))
    elif figure is not None:
        # the browser's copy drawn once (charts.drawn_once), as every page's charts
        shown = charts.drawn_once(figure)
        st.plotly_chart(shown, height="stretch", theme=None, config=pm.PLOTLY_CONFIG, key=f"slide_{position}")

with st.container(horizontal=True, key=pm.BAR_KEY, vertical_alignment="center"):
    st.button(
        _("Previous"),
        icon=":material/chevron_left:",
        on_click=_move,
        args=(-1,),
        disabled=position == 0,
        shortcut="ArrowLeft",
        key="slide_previous",
    )
    st.html(pm.counter(position + 1, total))
    st.button(
        _("Next"),
        icon=":material/chevron_right:",
        on_click=_move,
        args=(1,),
        disabled=position >= total - 1,
        shortcut="ArrowRight",
        key="slide_next",
    )
    deck_key = (filters, current_language(), ui.data_version(), scope.role, scope.user)
    with st.popover(_("Deck (PowerPoint)"), icon=":material/slideshow:"):
        st.caption(_("The same slides with editable charts, speaker notes and the map as a picture."))
        if st.button(_("Build the deck"), key="deck_build"):
            with components.make_allowed("pptx") as allowed:
                if allowed:
                    bar = st.progress(0.0, text=_("Building the deck…"))

                    def _progress(done: int, count: int) -> None:
                        bar.progress(done / count, text=_("Slide {done} of {count}", done=done, count=count))

                    st.session_state["deck"] = (deck_key, build_deck(slides, context=context, progress=_progress))
                    audit.record("export", scope.user, kind="pptx", filters=filters.to_query_params())
        built = st.session_state.get("deck")
        if built and built[0] == deck_key:  # the deck of these filters, language, viewer and data version
            components.download(
                _("Download the deck"),
                built[1],
                exports.download_stem(_("results")) + ".pptx",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                key="deck_download",
            )
    # Escape leaves for the dashboard (the button shows its key, "Esc")
    leave = st.button(_("Overview"), icon=":material/close:", shortcut="Escape", key="slide_leave")
    if context.adjusted_mark:  # said once on every other page; here discreetly, on every slide
        st.html(pm.note(context.adjusted_mark))

# Clickers send PageDown/PageUp, and Space is the usual "next": one shortcut per button, so these are
# further buttons for the same moves, kept off screen (pm.css) but live.
with st.container(key=pm.KEYS_KEY):
    st.button(_("Next"), on_click=_move, args=(1,), shortcut="PageDown", key="slide_pagedown")
    st.button(_("Next"), on_click=_move, args=(1,), shortcut="Space", key="slide_space")
    st.button(_("Previous"), on_click=_move, args=(-1,), shortcut="PageUp", key="slide_pageup")

if leave:
    st.switch_page("views/overview.py", query_params={**filters.to_query_params(), **language_params()})
