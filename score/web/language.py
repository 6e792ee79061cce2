"""The reader's language on screen: from the URL, the session or the browser; the sidebar picker; `lang` kept
in links; and the few words Streamlit writes itself, put in the reader's language."""

from __future__ import annotations

import json

import streamlit as st

from score.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, current_language, language_code, plot_separators, set_language
from score.labels import name_or_code

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
        format_func=name_or_code(LANGUAGES),
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
  const words = %s;  // [where (CSS selector), what (pattern), the reader's words ($1: what the pattern caught)]
  // [what an aria-label says (pattern), the reader's words ($1: what the pattern caught)]
  const labels = %s.map(([pattern, replacement]) => [new RegExp(pattern), replacement]);
  // A size as Streamlit writes it ("21.1KB", "200MB") in the reader's way ("21,1 Ko"): [decimal mark, units]
  const [decimal, units] = %s;
  const size = (text) => {
    const found = /^([0-9]+(?:[.][0-9]+)?) ?(B|KB|MB|GB)$/.exec(text || "");
    return found && units[found[2]] ? units[found[2]].replace("#", found[1].replace(".", decimal)) : text;
  };
  // The reader's words with what the pattern caught put in ($1 ...), a caught size written the reader's way.
  const said = (text, pattern, replacement) => {
    const found = pattern.exec(text);
    return found ? replacement.replace(/[$]([1-9])/g, (_all, k) => size(found[Number(k)] || "")) : null;
  };
  const doc = window.parent.document;
  const translate = () => {
    for (const [where, pattern, replacement] of words) {
      const found = new RegExp(pattern);
      doc.querySelectorAll(where).forEach((place) => {
        const walker = doc.createTreeWalker(place, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = said(node.nodeValue.trim(), found, replacement);
          if (text !== null && node.nodeValue !== text) node.nodeValue = text;  // a change only: no echo
        }
      });
    }
    if (!labels.length) return;
    doc.querySelectorAll("[aria-label], [data-title]").forEach((element) => {
      for (const name of ["aria-label", "data-title"]) {  // data-title: the tooltip of a chart's modebar button
        const before = element.getAttribute(name);
        if (before === null) continue;
        for (const [found, replacement] of labels) {
          const text = said(before, found, replacement);
          if (text === null) continue;
          if (text !== before) element.setAttribute(name, text);  // set only a change: setting wakes the observer
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
    """Streamlit writes a few words of its own in English (the file uploader's button, size limit and drop hint,
    an added file's size, "21.1KB"; the header's "Stop" while a page runs; the "Page not found" box a link to no
    page opens; the names a screen reader hears, "Show password", "Remove ghana.csv"); in French and Spanish they
    are replaced by the reader's words: this script (STREAMLIT_WORDS_JS), drawn with the page's other scripts
    (layout.responsive_layout: one element).
    The multiselects' "Select all" is switched off where it is drawn (select_all=False: an empty filter already
    means all)."""
    if current_language() == DEFAULT_LANGUAGE:  # no words to replace (after French, the script forgets them)
        return STREAMLIT_WORDS_JS % ("[]", "[]", '[".", {}]')
    uploader, dropdown = '[data-testid="stFileUploaderDropzone"]', '[role="listbox"]'
    columns_menu = '[data-testid="stDataFrameColumnVisibilityMenu"]'
    chip = '[data-testid="stFileChip"]'  # an added file: its name, its size and, past the limit, Streamlit's refusal
    size_pattern = "([0-9.]+ ?[KMG]?B)"
    words = [
        (uploader, "^Upload$", _("Upload files")),  # the button (the page title "Upload" is a noun)
        (uploader, "^Upload directories$", _("Upload folders")),
        # the widget's own limit, as Streamlit wrote it ("50MB per file" -> "50 Mo par fichier")
        (uploader, f"^{size_pattern} per file$", _("{size} per file", size="$1")),
        (uploader, "^Drag and drop (files|a file|directories) here$", _("Drag and drop here")),
        (chip, f"^{size_pattern}$", "$1"),  # "21.1KB" -> "21,1 Ko"
        (chip, f"^File must be {size_pattern} or smaller\\.$", _("The file must be {size} or smaller.", size="$1")),
        (dropdown, "^No results$", _("No matching values")),  # an open filter with every value chosen
        # a grid's "Show/hide columns" menu (the enterprise list keeps some columns there)
        (columns_menu, "^Select all$", _("Select all")),
        (columns_menu, "^\\(index\\)$", _("(row number)")),
        # the header's status while a page runs (a publish, a deck): its button to stop it
        ('[data-testid="stStatusWidget"]', "^Stop$", _("Stop")),
        # a link to an address that is no page (a typo, "/overview"): Streamlit's box before the overview opens
        ('[role="dialog"]', "^Page not found$", _("Page not found")),
        (
            '[role="dialog"]',
            "^The page that you have requested does not seem to exist\\. Running the app's main page\\.$",
            _("There is no page at this address. The overview opens instead."),
        ),
    ]
    units = {
        "B": _("{number} B", number="#"),
        "KB": _("{number} KB", number="#"),
        "MB": _("{number} MB", number="#"),
        "GB": _("{number} GB", number="#"),
    }
    # What a screen reader (or the Tab key) announces: Streamlit's names for its heading links, its menu, a
    # widget's "?" and a range slider's two thumbs, and Plotly's modebar buttons, English on a French page.
    labels = [
        ("^Link to heading$", _("Link to this heading")),
        ("^Main menu$", _("Main menu")),
        ("^Close$", _("Close")),  # a box's close button (the "Page not found" box)
        ("^Running\\.\\.\\.$", _("Running…")),  # the header's running figure while a page runs
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
        # the password box's eye, an added file (its name and size) and its remove button, the uploader's "+"
        ("^Show password$", _("Show password")),
        ("^Hide password$", _("Hide password")),
        (f"^(.+), {size_pattern}$", "$1, $2"),
        ("^Remove (.+)$", _("Remove {name}", name="$1")),  # an added file; a value chosen in a filter
        ("^Add files$", _("Add files")),
        ("^file upload$", _("Choose files")),
        # a select box's and a multiselect's buttons, the sidebar's, the data editor's toolbar
        ("^Open$", _("Open the list")),
        ("^Clear all$", _("Clear all")),
        ("^Clear value$", _("Clear")),
        ("^Selected values$", _("Selected values")),
        ("^Expand sidebar$", _("Show the sidebar")),
        ("^Collapse sidebar$", _("Hide the sidebar")),
        ("^App pages$", _("Pages")),
        ("^Sidebar$", _("Sidebar")),
        ("^Add row$", _("Add a row")),
        ("^Show/hide columns$", _("Show or hide columns")),
        ("^Search$", _("Search")),
    ]
    # The words are ours (the catalogues), written as JSON string lists; "</" cannot close the script.
    sizes = [plot_separators()[0], units]  # the language's decimal mark
    payloads = (json.dumps(w, ensure_ascii=False).replace("</", "<\\/") for w in (words, labels, sizes))
    return STREAMLIT_WORDS_JS % tuple(payloads)
