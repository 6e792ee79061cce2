"""`python -m score report`: the report of a dashboard view, made from the command line.

The view is the page itself: the page runs (Streamlit's AppTest runs app.py without a browser or a server),
draws its charts with the page's own builders, and leaves its report recipe in the session, exactly as when a
visitor clicks the page's Report button; the command line then builds the same document. A second list of
"what a page shows" for the command line would drift from the page; this one cannot.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from score.config import REPO_ROOT
from score.report import ReportRecipe

PAGES = ("overview", "enterprises", "training", "outcomes", "map", "logframe", "country")


def page_report(
    query_string: str = "",
    language: str = "en",
    role: str = "public",
    page: str = "overview",
) -> ReportRecipe:
    """The page's report recipe (`.html()`, `.pdf()`) for the filters of a dashboard link (`countries=COL`,
    validated as the URL is; ValueError for unknown values), in `language`, as the public (or HQ) sees it."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime" notes: this is not a server
    from streamlit.testing.v1 import AppTest

    from score.access import Scope
    from score.presentation import link_filters
    from score.web import ui
    from score.web.language import LANGUAGE_PARAM

    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; one of {', '.join(PAGES)}")
    link_filters(query_string)  # refuse unknown values before running anything
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
    if role == "hq":
        app.session_state[ui.SCOPE_KEY] = Scope.hq("cli")
    for key, values in parse_qs(query_string.lstrip("?")).items():
        app.query_params[key] = values
    app.query_params[LANGUAGE_PARAM] = language
    app.run()
    if page != "overview":
        app.switch_page(f"views/{page}.py").run()
    if app.exception:
        raise RuntimeError("the page failed: " + "; ".join(str(e.value)[:300] for e in app.exception))
    state = app.session_state  # AppTest's session state has no .get
    recipe = state[ui.PAGE_REPORT_KEY] if ui.PAGE_REPORT_KEY in state else None  # noqa: SIM401
    if recipe is None or isinstance(recipe, tuple):
        raise RuntimeError(f"the page {page!r} left no report")
    return recipe
