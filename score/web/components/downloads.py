"""Download buttons: a file made only when asked, a query result as CSV (codes beside names), the page's
workbook (every query the page ran, one sheet each)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Literal

import pandas as pd
import streamlit as st

from score import settings, throttling
from score.i18n import _, fmt_int
from score.web import media_guard


def csv_download(
    frame: pd.DataFrame,
    file_name: str,
    *,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    columns: Sequence[str] | None = None,
    label: str | None = None,
    key: str | None = None,
) -> None:
    """A button that downloads `frame` (a query result, not display strings) as CSV data: see
    exports.data_table (codes beside `labels`, plain numbers, hidden cells empty with the reason) and
    exports.to_csv (formulas neutralised, UTF-8 with BOM). The page workbook holds the same query's sheet.
    The table is made when the button is clicked, not on every rerun (the words are translated here)."""
    from score import exports

    reason, people = exports.hidden_reason_text(), exports.hidden_people_reason_text()
    download(
        label or _("Download CSV"),
        lambda: exports.to_csv(exports.data_table(frame, labels, columns, hidden_reason=reason, people_reason=people)),
        file_name,
        "text/csv",
        key=key,
    )


def download(
    label: str,
    make: Callable[[], bytes] | bytes | str,
    file_name: str,
    mime: str,
    *,
    icon: str = ":material/download:",
    key: str | None = None,
    kind: Literal["secondary", "tertiary"] = "secondary",
    where: object = st,
    help: str | None = None,
    cost: str | None = None,
    explain: bool = True,
    unavailable: str = "",
) -> str:
    """The app's one download button. Its file is served only to this viewer's sign-in (or to anyone when the
    viewer is the public): media_guard answers 404 to any other file at /media, so a button made any other way
    would be broken, not open (tests/test_auth.py finds no other `download_button` call). A function `make` runs
    only when the button is clicked, outside the session, so it must not translate anything: translate before, as
    exports.ExportContext does, or wrap it in i18n's language.

    A costly file (`cost`: a kind of throttling.MAKE_COSTS) spends its maker's budget when made, and the heaviest
    take one of the process' few slots (throttling.slots) while made; once the budget is spent, or every slot is
    taken, the button is off and says when it can be used again (`explain`; else the caller says it once for
    several): that sentence is returned ("" when the button is on). Such a button reruns the page when clicked, so
    the click that spends the last of the budget shows that at once. `unavailable`: why the file cannot be made on
    this host at all (the PDF without a browser); the button is then off and says so, as above."""
    note = unavailable or ("" if cost is None else refusal_text(cost))
    where.download_button(  # type: ignore[attr-defined]
        label,
        data=media_guard.bound(make if cost is None or not callable(make) else _budgeted(make, maker(), cost)),
        file_name=file_name,
        mime=mime,
        icon=icon,
        type=kind,
        on_click="ignore" if cost is None else "rerun",
        key=key,
        help=help,
        disabled=bool(note),
    )
    if note and explain:
        where.caption(note)  # type: ignore[attr-defined]
    return note


def refusal_text(cost: str) -> str:
    """Why a costly file cannot be made now, in the reader's language ("" when it can)."""
    wait = throttling.makes.retry_after(maker(), cost)
    if wait > 0:
        return budget_spent_text(wait)
    return busy_text() if throttling.slots.full(cost) else ""


def maker() -> str:
    """Whose budget a costly file spends: the signed-in user's, else the browser's address (score.throttling)."""
    from score.web import browser, ui

    scope = ui.current_scope()
    if scope.role != "public" and scope.user:
        return "user:" + scope.user
    return "address:" + browser.address()


def budget_spent_text(wait: float) -> str:
    return _(
        "You have made many large files in the last few minutes. Please try again in {minutes} min.",
        minutes=fmt_int(max(1, math.ceil(wait / 60))),
    )


def no_browser_text() -> str:
    return _(
        "The PDF report cannot be made on this server: it has no browser to print it. The HTML report opens in any "
        "browser, which can print it to PDF."
    )


def no_image_text() -> str:
    return _("The chart image cannot be made on this server: it has no browser to draw it.")


def busy_text() -> str:
    return _("The server is making other large files right now. Please try again in a moment.")


def _budgeted(make: Callable[[], bytes], who: str, cost: str) -> Callable[[], bytes]:
    """`make`, run only in a free slot and while `who` has budget left: otherwise (a script sending clicks faster
    than the page could show them, or several viewers at once) the file is empty, and nothing was made or spent."""

    def made() -> bytes:
        with throttling.slots.take(cost) as free:
            return make() if free and throttling.makes.spend(who, cost) == 0 else b""

    return made


@contextmanager
def make_allowed(cost: str) -> Iterator[bool]:
    """While a costly file is made in the script (the deck): a slot held and the viewer's budget spent, or False
    and the reason said (every slot taken, or the budget spent)."""
    with throttling.slots.take(cost) as free:
        wait = 0.0 if not free else throttling.makes.spend(maker(), cost)
        if not free or wait > 0:
            st.info(budget_spent_text(wait) if wait > 0 else busy_text(), icon=":material/hourglass_top:")
        yield free and wait == 0


def page_workbook(file_name: str) -> None:
    """Fill the room ui.page() left under the header: the whole page as one workbook (a sheet per query the
    page ran, as data, plus an About sheet). Called by app.py once the page has run. The sheets are typed
    (exports.page_tables) only when the button is clicked, not on every filter change: everything in words is
    translated here, in the viewer's session."""
    from score import exports
    from score.web import ui

    slot = st.session_state.get(ui.PAGE_DOWNLOADS_KEY)
    sheets = st.session_state.get(ui.PAGE_SHEETS_KEY)
    if slot is None or not sheets:
        return
    labels, reason, context = ui.export_labels(), exports.hidden_reason_text(), ui.export_context()
    people = exports.hidden_people_reason_text()
    block = slot.container()
    row = block.container(horizontal=True)  # the costly buttons' one note goes under the row
    note = download(
        _("Download this page's data (Excel)"),
        lambda: exports.to_excel(exports.page_tables(sheets, labels, reason, people), context),
        f"{file_name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        key="page_workbook",
        where=row,
        cost="xlsx",
        explain=False,
    )
    recipe = ui.page_report()
    if recipe is not None:
        # The page as a document that travels: one HTML file (interactive, works offline) and the same as a PDF,
        # built only when clicked (a PDF takes Chromium a few seconds).
        download(
            _("Report (HTML)"),
            recipe.html,
            f"{file_name}.html",
            "text/html",
            icon=":material/article:",
            key="page_report_html",
            where=row,
        )
        pdf_note = download(
            _("Report (PDF)"),
            recipe.pdf,
            f"{file_name}.pdf",
            "application/pdf",
            icon=":material/picture_as_pdf:",
            key="page_report_pdf",
            where=row,
            cost="pdf",
            explain=False,
            unavailable="" if settings.can_render() else no_browser_text(),
        )
        note = pdf_note or note  # a PDF waits longer than a workbook for budget; only a PDF waits for a slot
    if note:
        block.caption(note)
