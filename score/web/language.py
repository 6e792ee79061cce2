"""The reader's language on screen: from the URL, the session or the browser; the sidebar picker; `lang` kept
in links; and the few words Streamlit writes itself, put in the reader's language."""

from __future__ import annotations

import json

import streamlit as st

from score.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, current_language, language_code, set_language

LANGUAGE_KEY = "score_language"  # the sidebar picker
LANGUAGE_CHOICE_KEY = "score_language_choice"  # the language this session uses (kept when no page draws the picker)
LANGUAGE_PARAM = "lang"  # ?lang=fr|es|en in the URL
LANGUAGE_NAMED_KEY = "score_language_named"  # a link or the picker named the language: it stays in the URL


def browser_language() -> str:
    """The browser's language when it is one of ours (st.context.locale, e.g. "es-CO"), else English."""
    try:
        locale = st.context.locale
    except Exception:  # no browser behind this run (AppTest, bare mode)
        locale = None
    return language_code(locale) or DEFAULT_LANGUAGE


def chosen_language() -> str:
    """This rerun's language: `?lang=` in the URL (a shared link, a reload), else what this session chose
    before (the URL loses `lang` for a moment when st.navigation switches page), else the browser's."""
    if language_code(st.query_params.get(LANGUAGE_PARAM)):
        st.session_state[LANGUAGE_NAMED_KEY] = True
    for candidate in (
        st.query_params.get(LANGUAGE_PARAM),
        st.session_state.get(LANGUAGE_CHOICE_KEY),
        st.session_state.get(LANGUAGE_KEY),
    ):
        language = language_code(candidate)
        if language:
            return language
    return browser_language()


def language_params() -> dict[str, str]:
    """`lang` for the URL, so a link or a reload keeps the language. Once a link or the picker named the
    language it stays in every link, even when this browser would pick it anyway: a French colleague's link
    (`/present?lang=fr`) must open in French in an English browser. Left out only when nobody named it and
    the browser's language is used (links stay short)."""
    language = current_language()
    named = st.session_state.get(LANGUAGE_NAMED_KEY, False)
    return {LANGUAGE_PARAM: language} if named or language != browser_language() else {}


def _language_picked() -> None:
    """The sidebar picker wrote a new language: put it in the URL before the rerun reads it."""
    picked = language_code(st.session_state.get(LANGUAGE_KEY)) or DEFAULT_LANGUAGE
    st.session_state[LANGUAGE_CHOICE_KEY] = picked
    st.session_state[LANGUAGE_NAMED_KEY] = True
    st.query_params[LANGUAGE_PARAM] = picked


def apply_language() -> str:
    """Set the language for this rerun (app.py, and again in `page()`: AppTest reruns a page on its own)."""
    language = chosen_language()
    st.session_state[LANGUAGE_CHOICE_KEY] = language
    set_language(language)
    return language


def sidebar_language() -> None:
    """The language picker; the language itself comes from the URL, the session or the browser."""
    language = apply_language()
    st.session_state[LANGUAGE_KEY] = language
    st.sidebar.selectbox(
        _("Language"),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANGUAGE_KEY,
        on_change=_language_picked,
    )
    wanted = language_params().get(LANGUAGE_PARAM)
    if st.query_params.get(LANGUAGE_PARAM) != wanted:
        if wanted is None:
            del st.query_params[LANGUAGE_PARAM]
        else:
            st.query_params[LANGUAGE_PARAM] = wanted


# Streamlit's own words in its file uploader (the "Upload" button, "200MB per file", "Drag and drop files here")
# and an open select box with nothing left to offer ("No results") are English in every language and Streamlit
# has no setting for them. A style sheet could only paint other words
# over them (a screen reader still read "Upload / 200MB per file"), so this script puts the reader's words into
# the page itself, again whenever Streamlit draws the uploader anew: what is seen and what is read aloud agree.
STREAMLIT_WORDS_JS = """
<script>
(() => {
  const words = %s;  // [where (CSS selector), what (pattern), the reader's words]
  // [what an aria-label says (pattern), the reader's words ($1: what the pattern caught)]
  const labels = %s.map(([pattern, replacement]) => [new RegExp(pattern), replacement]);
  const doc = window.parent.document;
  const translate = () => {
    for (const [where, pattern, replacement] of words) {
      doc.querySelectorAll(where).forEach((place) => {
        const walker = doc.createTreeWalker(place, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (new RegExp(pattern).test(node.nodeValue.trim()) && node.nodeValue !== replacement) {
            node.nodeValue = replacement;
          }
        }
      });
    }
    if (!labels.length) return;
    doc.querySelectorAll("[aria-label], [data-title]").forEach((element) => {
      for (const name of ["aria-label", "data-title"]) {  // data-title: the tooltip of a chart's modebar button
        const said = element.getAttribute(name);
        if (said === null) continue;
        for (const [found, replacement] of labels) {
          if (!found.test(said)) continue;
          const words = said.replace(found, replacement);  // set only a change: setting wakes the observer
          if (words !== said) element.setAttribute(name, words);
          break;
        }
      }
    });
  };
  translate();
  if (!window.parent.scoreWordsObserver) {
    window.parent.scoreWordsObserver = new MutationObserver(() => window.parent.scoreTranslate());
    window.parent.scoreWordsObserver.observe(doc.body, { childList: true, subtree: true, characterData: true,
      attributes: true, attributeFilter: ["aria-label", "data-title"] });
  }
  window.parent.scoreTranslate = translate;  // the observer calls this rerun's words (the language may change)
})();
</script>
"""


def streamlit_words_script() -> str:
    """Streamlit writes a few words of its own in English (the file uploader's button, size limit and drop hint);
    in French and Spanish they are replaced by the reader's words: this script (STREAMLIT_WORDS_JS), drawn with
    the page's other scripts (layout.responsive_layout: one element). The multiselects' "Select all" is switched
    off where it is drawn (select_all=False: an empty filter already means all)."""
    if current_language() == DEFAULT_LANGUAGE:  # no words to replace (after French, the script forgets them)
        return STREAMLIT_WORDS_JS % ("[]", "[]")
    limit = st.get_option("server.maxUploadSize")
    uploader, dropdown = '[data-testid="stFileUploaderDropzone"]', '[role="listbox"]'
    words = [
        (uploader, "^Upload$", _("Upload files")),  # the button (the page title "Upload" is a noun)
        (uploader, "^Upload directories$", _("Upload folders")),
        (uploader, "^[0-9.]+ ?[KMG]?B per file$", _("{limit} MB per file", limit=limit)),
        (uploader, "^Drag and drop (files|a file|directories) here$", _("Drag and drop here")),
        (dropdown, "^No results$", _("No matching values")),  # an open filter with every value chosen
    ]
    # What a screen reader (or the Tab key) announces: Streamlit's names for its heading links, its menu, a
    # widget's "?" and a range slider's two thumbs, and Plotly's modebar buttons, English on a French page.
    labels = [
        ("^Link to heading$", _("Link to this heading")),
        ("^Main menu$", _("Main menu")),
        ("^Help for (.+)$", _("Help for {label}", label="$1")),
        ("^(.+) — start$", _("{label} — start", label="$1")),
        ("^(.+) — end$", _("{label} — end", label="$1")),
        # a chart's modebar (Plotly), named and shown as a tooltip in English
        ("^Zoom$", _("Zoom")),
        ("^Pan$", _("Pan")),
        ("^Zoom in$", _("Zoom in")),
        ("^Zoom out$", _("Zoom out")),
        ("^Reset axes$", _("Reset axes")),
        ("^Fullscreen$", _("Full screen")),
    ]
    # The words are ours (the catalogues), written as JSON string lists; "</" cannot close the script.
    payloads = (json.dumps(w, ensure_ascii=False).replace("</", "<\\/") for w in (words, labels))
    return STREAMLIT_WORDS_JS % tuple(payloads)
