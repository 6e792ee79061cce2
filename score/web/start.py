"""Start the dashboard warm: `python -m score.web.start [streamlit run options]` runs `streamlit run webapp.py`
(`make run`, `score serve`, the browser tests) after warming the process.

A plain `streamlit run webapp.py` answers on its port at once, and its first visitor then pays for everything the
process has not done yet: importing the pages' modules (pandas, Plotly, DuckDB, pydeck, the chart builders),
opening the database, the opening page's queries and charts, the translations: ~3 s on a quiet machine at the
demo size, against ~0.3 s for the visitors after (BENCHMARKS.md, "What a visitor waits for"). Here the opening
pages run once in this process (Streamlit's AppTest: the same script, the same cached functions, the shared
st.cache_resource and st.cache_data of the process) before Streamlit starts listening, so the first visitor
finds them as every later visitor does. A publish warms a new version the same way (score.web.warm).

Warming never stops a start: a page that fails here is left to fail (and report) in front of its visitor.
SCORE_WARM_PAGES lists the pages warmed (default: the overview, where a visitor lands; "" for none).

After warming, what the process holds (modules, the warmed caches) is set aside from Python's garbage collector
(`settle`): a full collection walked all of it, 110-140 ms of the visit it fell on (BENCHMARKS.md, "A new
session: where the time goes now, and the garbage collector").
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from pathlib import Path

from score import settings

APP = Path(__file__).resolve().parents[2] / "app.py"
LOG = logging.getLogger(__name__)


def warm_pages(pages: list[str]) -> dict[str, float]:
    """Run each page once as a new public visitor (default filters, the default language); seconds per page."""
    from streamlit.testing.v1 import AppTest

    spent: dict[str, float] = {}
    for page in pages:
        started = time.perf_counter()
        try:
            at = AppTest.from_file(str(APP), default_timeout=600)
            if page != "overview":
                at.switch_page(f"views/{page}.py")
            at.run()
        except Exception:  # the page will run again for its visitor, and show what is wrong there
            LOG.warning("warming the %s page failed", page, exc_info=True)
        spent[page] = time.perf_counter() - started
    return spent


def settle() -> None:
    """Move every object alive now out of the garbage collector's reach (`gc.freeze`): the imported modules and
    warmed caches live as long as the process, and a full collection during a visit otherwise walks them all.
    The garbage of warming is collected first, so that it is not kept."""
    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    spent = warm_pages(list(settings.get().warm_pages))
    settle()
    if spent:
        print("warmed " + ", ".join(f"{page} {seconds:.1f} s" for page, seconds in spent.items()), flush=True)
    from streamlit.web import cli

    from score.serve import ENTRY

    sys.argv = ["streamlit", "run", str(APP.with_name(ENTRY)), *args]
    cli.main()


if __name__ == "__main__":
    main()
