"""The sections of the Upload page (views/upload.py): current data and templates, check, report, preview,
publish, confirmation (the history and restore section: upload_history.py).

The logic lives in score.upload and score.publish (which checks the viewer's scope again where it writes);
these functions only draw. Nothing is checked (nor audited) until the person presses "Check the files":
adding or removing files in the uploader only changes the list.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from score import drafts, exports, marked, measures, publish, settings, templates, upload
from score.contract import TABLES
from score.i18n import _, current_language, fmt_bound, fmt_int, ngettext, set_language
from score.labels import code_named, value_names
from score.values import markdown_text
from score.web import components, session_routes, signin, ui

CHECK_KEY = "upload_check"
PUBLISHED_KEY = upload.PUBLISHED_KEY
RESTORE_KEY = "upload_restore_pending"
RESTORED_KEY = "upload_restored"
UPLOADER_KEY = "upload_files_round"  # bumped by "Clear all": a new uploader widget starts empty
COUNTRY_KEY = "upload_country"
# The draft (score.drafts) this session knows of: {"country", "digest" (None: that country has none), "at", "version"
# (when and against which version it was checked), "restored" (drawn from the server: say so), "done" (submitted or
# published from this page: its confirmation, no notice)}.
DRAFT_KEY = "upload_draft"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headline_labels() -> dict[str, str]:
    return {code: measures.label(code) for code in measures.HEADLINE}


def in_language(language: str, make: Callable[[], bytes]) -> Callable[[], bytes]:
    """A deferred download, written in the reader's language (it runs outside this script run)."""

    def run() -> bytes:
        set_language(language)
        return make()

    return run


def show_totals(before: dict, after: dict) -> None:
    """The headline figures after, with the change against before."""
    for column, (key, label) in zip(st.columns(len(upload.HEADLINE)), headline_labels().items(), strict=True):
        old, new = before.get(key), after.get(key)
        delta = None if old is None or new is None else new - old
        column.metric(
            label,
            fmt_int(new),
            # an ASCII "-": Streamlit reads the direction (arrow down, red) from it; a "−" read as a rise
            delta=None if delta is None else f"{'+' if delta > 0 else '-' if delta < 0 else ''}{fmt_int(abs(delta))}",
            delta_color="off" if not delta else "normal",
            delta_arrow="off" if not delta else "auto",  # no change: "0", no arrow up
            help=_("Before: {value}", value=fmt_int(old)),
        )


def run_with_status(title: str, action):
    """Run a publish/restore with step-by-step feedback; returns its result, or None after an error message."""
    labels = {step: _(words) for step, words in publish.STEPS.items()}
    steps = list(publish.STEPS)
    with st.status(title, expanded=True) as status:
        bar = st.progress(0.0)

        def progress(step: str) -> None:
            status.write(labels.get(step, step))
            bar.progress((steps.index(step) + 1) / len(steps))
            status.update(label=labels.get(step, step) + "…")

        try:
            result = action(progress)
        except publish.NotAllowed as error:
            status.update(label=_("Not allowed"), state="error")
            st.error(str(error))
            return None
        except publish.RejectedUpload as rejected:
            status.update(label=_("Rejected"), state="error")
            st.error(_("The files have {n} errors; nothing was changed.", n=len(rejected.report.errors)))
            return None
        except publish.PublishError as error:
            status.update(label=_("Publishing failed"), state="error")
            st.error(_("Nothing was changed: the previous version stays current. {detail}", detail=str(error)))
            return None
        status.update(label=_("Published version {version}", version=result.version), state="complete")
    return result


# ---------------------------------------------------------------------------------------------- demo accounts


def demo_notice(country: str, scope) -> None:
    """Before publishing: say what publishing real data does to demo accounts (where it matters)."""
    if upload.demo_ends_on_publish(country):
        demo_ending_notice(country, scope)


def demo_ending_notice(country: str, scope) -> None:
    """What publishing `country`'s real data does: it ends the demo accounts (this one too, if it is one)."""
    if upload.is_demo_account(scope):
        st.warning(
            _(
                "You are signed in with a demo account. Publishing {country} replaces its demo data with real "
                "data, which ends the demo accounts, this one included: you will see the confirmation and the "
                "history, then the public view.",
                country=ui.reference_labels("country").get(country, country),
            )
            + " "
            + signin.demo_accounts_explanation(scope.role, scope.detail_countries),
            icon=":material/info:",
        )
    else:
        st.info(
            _(
                "Publishing {country} replaces demo data with real data.",
                country=ui.reference_labels("country").get(country, country),
            )
            + " "
            + signin.demo_accounts_explanation(scope.role, scope.detail_countries),
            icon=":material/info:",
        )


# ---------------------------------------------------------------------------------------------- downloads


def downloads_section(country: str, scope) -> None:
    language = current_language()
    path = ui.pinned_path()
    names = upload.current_file_names(country)
    with st.expander(_("Download current data"), icon=":material/download:", expanded=False):
        st.caption(
            _(
                "The data published now for {country}, in upload format: correct or add rows, then upload the "
                "files again. The preview shows exactly what changes before anything is published.",
                country=ui.reference_labels("country").get(country, country),
            )
        )
        columns = st.columns(len(TABLES) + 1)

        def current(kind: str, name: str, table: str | None = None) -> Callable[[], bytes]:
            only = None if table is None else (table,)  # a CSV button makes its own file, not the set
            return in_language(language, lambda: upload.current_files(country, scope, kind, path, only)[name])

        components.download(
            _("Excel workbook"),
            current("xlsx", names["xlsx"]),
            names["xlsx"],
            XLSX_MIME,
            icon=":material/table_view:",
            key="upload_current_xlsx",
            where=columns[0],
            cost="xlsx",
        )
        # An optional table's button only when the country has its rows (a count; the files are made on a click).
        optional = {"logframe": upload.published_logframe_rows(country, scope, path) > 0}
        for column, table in zip(columns[1:], TABLES, strict=True):
            if optional.get(table, True):
                components.download(
                    f"{table}.csv",  # the button says the table; the file's name also has country and date
                    current("csv", names[table], table),
                    names[table],
                    "text/csv",
                    key=f"upload_current_{table}",
                    where=column,
                )
    with st.expander(_("Empty templates"), icon=":material/description:"):
        st.caption(
            _(
                "Fill in one Excel workbook (a sheet per table, drop-down lists for codes, a notes sheet) or one "
                "CSV file per table. enterprises, training and indicators are required; logframe is optional."
            )
        )
        columns = st.columns(len(TABLES) + 1)
        components.download(
            _("Excel workbook"),
            in_language(language, lambda: templates.xlsx_template(country)),
            templates.template_name(country),
            XLSX_MIME,
            icon=":material/table_view:",
            key="upload_template_xlsx",
            where=columns[0],
        )
        for column, table in zip(columns[1:], TABLES, strict=True):
            components.download(
                f"{table}.csv",
                templates.csv_template(table, country),
                f"{table}.csv",
                "text/csv",
                key=f"upload_template_{table}",
                where=column,
            )


# ---------------------------------------------------------------------------------------------- report


ISSUE_COLUMNS = (100, 130, 70, 190, 250)  # px: severity, where, value, problem, fix (740 together)
# The grid's 14 px text: a character is at most ~7.5 px wide (digits, lower case), and a cell has 8 px of padding
# a side. The grid breaks a word that does not fit inside it ("31/02/201|5"), so the Value column is as wide as
# the longest word it shows, up to what the Problem column can give (it wraps at spaces, to 120 px at least).
VALUE_CHAR_PX = 7.5
CELL_PADDING_PX = 18
NARROWEST_PROBLEM_PX = 120


def issue_column_widths(values: Iterable[object]) -> tuple[int, ...]:
    """ISSUE_COLUMNS with the Value column widened to its longest word (what the grid would break mid-word:
    a date, a number, a code), taken from the Problem column, so the five stay within 740 px."""
    severity, where, value, problem, fix = ISSUE_COLUMNS
    longest = max((len(word) for v in values for word in str(v).split()), default=0)
    wanted = math.ceil(longest * VALUE_CHAR_PX) + CELL_PADDING_PX
    wider = min(max(wanted - value, 0), problem - NARROWEST_PROBLEM_PX)
    return severity, where, value + wider, problem - wider, fix


def issues_table(frame: pd.DataFrame, key: str) -> None:
    """The report's lines, Problem and Fix wide and wrapped (see ingest.for_people): the columns together are
    740 px (issue_column_widths), within the 768 px a page has at 800 px, so no fix is cut off at the right."""
    # About 34 characters a line in the 250 px Fix column (fewer than 45: French and Spanish words are long
    # and lists of codes break at commas); up to 12 lines, so a fix with the list of allowed codes is whole.
    # The Where column, 14 a line in its 130 px, as tall as it needs: the column is named there ("training.csv ·
    # ligne 2 · Travailleuses formées en classe (workers_female)", 5 lines) beside a one-line fix.
    longest = max((len(str(v)) for v in frame[_("Fix")]), default=0)
    where = max((len(str(v)) for v in frame[_("Where")]), default=0)
    lines = min(12, max(2, math.ceil(longest / 34), math.ceil(where / 14)))
    row = lines * 20 + 12
    widths = issue_column_widths(frame[_("Value")])
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        row_height=row,
        height=min(len(frame), 10) * row + 38,
        column_config={
            _("Severity"): st.column_config.TextColumn(_("Severity"), width=widths[0]),  # "Avertissement"
            _("Where"): st.column_config.TextColumn(_("Where"), width=widths[1]),
            _("Value"): st.column_config.TextColumn(_("Value"), width=widths[2]),
            _("Problem"): st.column_config.TextColumn(_("Problem"), width=widths[3]),
            _("Fix"): st.column_config.TextColumn(_("Fix"), width=widths[4]),
        },
        key=key,
    )


def counts_sortable(frame: pd.DataFrame) -> Styler:
    """The counts of a small grid (the file summary) in the reader's format (1 234 / 1.234; Streamlit writes whole
    numbers without separators) and still numbers, so that a click on a heading sorts 9 before 10."""
    counts = [column for column in frame.columns if pd.api.types.is_numeric_dtype(frame[column])]
    return components.typed_grid(frame, dict.fromkeys(counts, "int"))


def report_section(check: upload.UploadCheck, prefix: str = "upload", publishes: bool = True) -> None:
    """The validation report; `publishes`: the reader publishes (HQ), else submits for HQ's review (country staff)."""
    report = check.report
    st.subheader(_("Validation report"))
    left, right = st.columns(2)
    left.metric(_("Errors"), fmt_int(len(report.errors)))
    right.metric(_("Warnings"), fmt_int(len(report.warnings)))
    if report.errors:
        st.error(
            _(
                "The upload was rejected: fix the errors below and upload the files again. "
                "Nothing was changed, submitted or published."
            )
        )
    elif report.warnings and publishes:
        st.warning(_("The files can be published. Warnings do not block publishing, but please check them."))
    elif report.warnings:
        st.warning(_("The files can be submitted for review. Warnings do not block it, but please check them."))
    elif publishes:
        st.success(_("No problems found: the files can be published."))
    else:  # country staff submit; only HQ publishes
        st.success(_("No problems found: the files can be submitted for review."))
    st.caption(_("What was read, per file:"))
    st.dataframe(counts_sortable(report.file_summary()), hide_index=True, key=f"{prefix}_file_summary")
    if not report.issues:
        return
    people = report.for_people()
    st.caption(_("Every problem, with where it is and how to fix it (↳: a knock-on of the line above it):"))
    issues_table(report.for_people(compact=True), f"{prefix}_issues")
    buttons = st.columns(2)
    components.download(
        _("Download the report (CSV)"),
        exports.to_csv(people),  # values from the upload: formulas neutralised
        f"SCORE_{check.country}_" + _("validation") + ".csv",
        "text/csv",
        key=f"{prefix}_report_csv",
        where=buttons[0],
    )
    if marked.can_mark(check.files, report):
        components.download(
            _("Download your file with the problems marked (Excel)"),
            in_language(current_language(), lambda: marked.marked_workbook(check.files, report) or b""),
            marked.marked_name(check.files, check.country),
            XLSX_MIME,
            key=f"{prefix}_report_marked",
            icon=":material/format_color_fill:",
            where=buttons[1],
            help=_(
                "A copy of your upload: each cell with a problem is coloured and has a comment saying how to fix it."
            ),
        )


# The changed enterprises in the preview's expander, 784 px wide at 1280 px with the sidebar open: the id and name,
# then what changed ("Travailleuses (workers_female): 14 → 21; ..."), wrapped onto as many lines as it needs (the
# grid wraps a cell only in rows taller than 64 px). A Columns column beside it scrolled the grid sideways by 166 px
# in French once the columns were named; the changes name them.
CHANGES_COLUMNS_PX = (110, 200, 470)  # id, name, changes
CHANGES_CHAR_PX = 6.5


def changes_grid(frame: pd.DataFrame, key: str) -> None:
    """The preview's changed enterprises (id, name, changes), fitted to the expander with the changes wrapped."""
    id_px, name_px, changes_px = CHANGES_COLUMNS_PX
    longest = max((len(str(text)) for text in frame[_("Changes")]), default=0)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        row_height=components.wrapped_row_height(longest * CHANGES_CHAR_PX, changes_px - CELL_PADDING_PX),
        column_config={
            _("Id"): st.column_config.TextColumn(_("Id"), width=id_px),
            _("Name"): st.column_config.TextColumn(_("Name"), width=name_px),
            _("Changes"): st.column_config.TextColumn(_("Changes"), width=changes_px),
        },
        key=key,
    )


def preview_section(check: upload.UploadCheck, prefix: str = "upload") -> None:
    preview = check.preview
    assert preview is not None  # a check that passed has its preview (upload.check_upload)
    st.subheader(_("What publishing will change"))
    counts = st.columns(3)
    parts = (
        ("added", _("Enterprises added"), preview.added),
        ("changed", _("Enterprises changed"), preview.changed),
        ("removed", _("Enterprises removed"), preview.removed),
    )
    for column, (_key, label, frame) in zip(counts, parts, strict=True):
        column.metric(label, fmt_int(len(frame)))
    headings = {
        "enterprise_id": _("Id"),
        "name": _("Name"),
        "sector": _("Sector"),
        "province": _("Province"),
        "changes": _("Changes"),
    }
    sectors = value_names("enterprises", "sector")
    for key, label, frame in parts:
        if len(frame):
            with st.expander(_("{label}: {value}", label=label, value=fmt_int(len(frame))), expanded=key == "changed"):
                if "sector" in frame.columns:  # "Confection (garments)": the name, and the code the file holds
                    frame = frame.assign(sector=[code_named(sectors, code) for code in frame["sector"]])
                if key == "changed":
                    changes_grid(frame.drop(columns="columns").rename(columns=headings), f"{prefix}_preview_{key}")
                else:
                    st.dataframe(
                        frame.rename(columns=headings), hide_index=True, width="stretch", key=f"{prefix}_preview_{key}"
                    )
    if not (len(preview.added) or len(preview.changed) or len(preview.removed)):
        st.info(_("These files hold the data published now: publishing them changes no enterprise."))
    if preview.logframe_kept:
        st.info(
            ngettext(
                "The files have no logframe: the {n} logframe row published now is kept. To remove it, upload a "
                "logframe file (or sheet) with its header row alone.",
                "The files have no logframe: the {n} logframe rows published now are kept. To remove them, upload a "
                "logframe file (or sheet) with its header row alone.",
                preview.logframe_kept,
            )
        )
    if preview.logframe_removed:
        st.warning(
            ngettext(
                "The logframe in the files has no rows: publishing them removes the {n} logframe row published now.",
                "The logframe in the files has no rows: publishing them removes the {n} logframe rows published now.",
                preview.logframe_removed,
            ),
            icon=":material/warning:",
        )
    name = ui.reference_labels("country").get(check.country, check.country)
    st.caption(_("Headline figures for {country} after publishing (change against now):", country=name))
    show_totals(preview.before, preview.after)


# After "Publish" the page is shorter than before (no report, no preview) and the browser keeps the scroll
# position, which leaves the confirmation above the screen: bring it into view, once per publish.
CONFIRMATION_KEY = "upload_confirmation"  # the script below names its class
SCROLL_TO_CONFIRMATION_JS = """
<style>.st-key-upload_confirmation { scroll-margin-top: 4.5rem; }</style>
<script>
(() => {
  let tries = 0;
  const show = () => {
    const box = window.parent.document.querySelector(".st-key-upload_confirmation");
    if (box) box.scrollIntoView({block: "start"});
    else if (tries++ < 20) setTimeout(show, 100);
  };
  show();
})();
</script>
"""


def confirmation(done: dict) -> None:
    in_view_once(done, lambda: _confirmation(done))


def in_view_once(done: dict, draw: Callable[[], None]) -> None:
    """A confirmation (`draw`) in its box, scrolled into view below Streamlit's header on its first run (`done`, the
    session's record of it, remembers). Left where the page happened to be, a submission's message sat half under
    the header."""
    with st.container(key=CONFIRMATION_KEY):
        draw()
    if not done.get("scrolled"):
        done["scrolled"] = True
        st.html(SCROLL_TO_CONFIRMATION_JS, unsafe_allow_javascript=True)


def _confirmation(done: dict) -> None:
    st.success(
        _(
            "Published: {country} is version {version} now. Everyone sees the new figures at their next click.",
            country=done["country_name"],
            version=done["version"],
        )
    )
    st.caption(
        _("Headline figures for {country} in version {version}:", country=done["country_name"], version=done["version"])
    )
    show_totals(done["before"], done["after"])


def published(check: upload.UploadCheck) -> dict | None:
    """What the publish of these very files left for its confirmation, if they have just been published."""
    done = st.session_state.get(PUBLISHED_KEY)
    return done if isinstance(done, dict) and done.get("digest") == check.digest else None


def publish_section(check: upload.UploadCheck, scope, prefix: str = "upload") -> None:
    """HQ's direct publish. When it ends the demo accounts (a demo account publishing over demo data), the first
    click asks for confirmation, and the warning is said once, beside the confirm button."""
    name = ui.reference_labels("country").get(check.country, check.country)
    ending = upload.is_demo_account(scope) and upload.demo_ends_on_publish(check.country)
    asking = f"{prefix}_publish_asking"
    if not ending:
        demo_notice(check.country, scope)
        if not st.button(_("Publish {country}", country=name), type="primary", key=f"{prefix}_publish"):
            return
    elif st.session_state.get(asking) != check.digest:
        if st.button(_("Publish {country}…", country=name), type="primary", key=f"{prefix}_publish"):
            st.session_state[asking] = check.digest
            st.rerun()
        return
    else:
        demo_notice(check.country, scope)
        confirm, cancel = st.columns(2)
        if cancel.button(_("Cancel"), key=f"{prefix}_publish_cancel"):
            st.session_state.pop(asking, None)
            st.rerun()
        if not confirm.button(_("Publish and end the demo accounts"), type="primary", key=f"{prefix}_publish_confirm"):
            return
        st.session_state.pop(asking, None)
    result = run_with_status(_("Publishing…"), lambda progress: upload.publish_upload(check, scope, progress))
    if result is None:
        return
    forget_draft(check)
    st.session_state[PUBLISHED_KEY] = {
        "digest": check.digest,
        "country": check.country,
        "country_name": ui.reference_labels("country").get(check.country, check.country),
        "version": result.version,
        "before": check.preview.before if check.preview is not None else None,
        "after": upload.headline(scope, check.country, result.path),
        # Read now, while the account still works: a demo account ends with this publish.
        "history": upload.history(check.country, scope),
        "demo_ended": ending,
    }
    st.rerun()  # the next run reads the new version everywhere on the page


def upload_section(country: str, scope, after_check: Callable[[upload.UploadCheck, object], None]) -> None:
    """The uploader, "Check the files", then `after_check(check, scope)`: the report, the preview and what the viewer
    may do with valid files (HQ: publish; country staff: submit for review)."""
    st.subheader(_("Upload"))
    limit = settings.get().max_upload_mb
    round_ = st.session_state.setdefault(UPLOADER_KEY, 0)
    session_routes.allow_uploads(scope.user)  # the only sessions that may send files to the server
    uploaded = st.file_uploader(
        _("Country files: CSV files (enterprises, training, indicators, logframe) or one Excel workbook"),
        accept_multiple_files=True,
        max_upload_size=max(1, math.ceil(limit)),
        key=f"upload_files_{round_}",
    )
    st.caption(
        _(
            "Up to {limit} MB per file. Old Excel (.xls), OpenDocument (.ods), PDF and zip files cannot be read: "
            "save them as .xlsx or as CSV UTF-8. Nothing changes until you publish or submit them.",
            limit=fmt_bound(limit),
        )
    )
    if not uploaded:  # a reload, a new tab, files removed: the sign-in's draft, if it has one for this country
        check = draft_check(country, scope)
        if check is None:
            return
    else:
        check = uploaded_check(country, scope, uploaded, round_)
        if check is None:
            return
    done = published(check)
    if done is not None:  # the confirmation in place of the report and preview: what the person sees now
        confirmation(done)
        return
    if check.language != current_language():  # the same check, written again in the reader's language
        check = upload.check_upload(country, check.files, scope, path=ui.pinned_path(), audited=False)
        st.session_state[CHECK_KEY] = check
    after_check(check, scope)


def uploaded_check(country: str, scope, uploaded: list, round_: int) -> upload.UploadCheck | None:
    """The check of the files in the uploader, once "Check the files" is pressed (kept as the sign-in's draft)."""
    files, twice = upload.collect_files((item.name, item.getvalue()) for item in uploaded)
    check_button, clear_button = st.columns([1, 1])
    if clear_button.button(_("Clear all files"), icon=":material/delete_sweep:", key="upload_clear"):
        st.session_state[UPLOADER_KEY] = round_ + 1
        session_routes.drop_uploads()  # the old uploader's files, which Streamlit would keep until the session ends
        discard_draft(country)
        st.rerun()
    if twice:
        names = markdown_text(", ".join(twice))  # a file's name is the uploader's text, never a link
        st.error(_("More than one file is called {names}: upload each file once.", names=names))
        return None
    digest = upload.digest(country, files)
    check = st.session_state.get(CHECK_KEY)
    checked = isinstance(check, upload.UploadCheck) and check.digest == digest
    if check_button.button(
        _("Check the files"),
        type="primary" if not checked else "secondary",
        icon=":material/fact_check:",
        key="upload_check_files",
    ):
        with st.spinner(_("Checking the files…")):
            check = upload.check_upload(country, files, scope, path=ui.pinned_path())
        st.session_state[CHECK_KEY] = check
        checked = True
        keep_draft(check, scope)
    if not checked:
        st.info(_("Press “Check the files” to validate them and see what publishing would change."))
        return None
    return check


# ---------------------------------------------------------------------------------------------- drafts


def _draft_owner() -> str | None:
    return drafts.owner(st.session_state.get(signin.SESSION_KEY))


def opening_country(scope, chosen: Iterable[str]) -> str | None:
    """The country the page opens on: the sign-in's draft's (a reload comes back to the files it checked), else
    upload.default_country."""
    draft = drafts.load(_draft_owner(), scope.user, upload.upload_countries(scope))
    return draft.country if draft is not None else upload.default_country(scope, chosen)


def keep_draft(check: upload.UploadCheck, scope) -> None:
    """Keep a new check on the server for this sign-in (score.drafts), so a reload brings it back."""
    kept = drafts.keep(_draft_owner(), check, scope.user or "")
    st.session_state[DRAFT_KEY] = {
        "country": check.country,
        "digest": check.digest if kept else None,
        "version": check.version,
        "restored": False,
    }
    if not kept and _draft_owner() is not None:
        st.caption(
            _(
                "These files are too large to keep on the server: after a reload of the page you would upload them "
                "again."
            )
        )


def draft_check(country: str, scope) -> upload.UploadCheck | None:
    """With no files in the uploader: the sign-in's draft for `country`, checked again against the data published
    now when it comes from the server (a reload), with a notice and a way to discard it."""
    known = st.session_state.get(DRAFT_KEY)
    check = st.session_state.get(CHECK_KEY)
    if isinstance(known, dict) and known.get("country") == country:
        if known.get("digest") is None:
            return None
        if isinstance(check, upload.UploadCheck) and check.digest == known["digest"]:
            draft_notice(known, check)
            return check
    draft = drafts.load(_draft_owner(), scope.user, upload.upload_countries(scope))
    if draft is None or draft.country != country:
        st.session_state[DRAFT_KEY] = {"country": country, "digest": None}
        return None
    if not (isinstance(check, upload.UploadCheck) and check.digest == draft.digest):
        with st.spinner(_("Checking your kept files again…")):
            check = upload.check_upload(country, draft.files, scope, path=ui.pinned_path(), audited=False)
        st.session_state[CHECK_KEY] = check
    known = {"country": country, "digest": draft.digest, "at": draft.at, "version": draft.version, "restored": True}
    st.session_state[DRAFT_KEY] = known
    draft_notice(known, check)
    return check


def draft_notice(known: dict, check: upload.UploadCheck) -> None:
    """Say the check was kept and restored (and against which data), with a button to discard it."""
    if known.get("done"):
        return
    names = markdown_text(", ".join(sorted(check.files)))  # the uploader's text, never markup
    if known.get("restored"):
        text = _(
            "Restored: the files you checked on {when} ({names}). They are kept for your sign-in until you "
            "submit, publish or discard them, or sign out.",
            when=ui.moment_text(known.get("at")),
            names=names,
        )
    else:
        text = _(
            "The files you checked ({names}) are kept for your sign-in until you submit, publish or discard them, "
            "or sign out.",
            names=names,
        )
    then, now = known.get("version"), check.version
    notice, discard = st.columns([4, 1], vertical_alignment="center")
    notice.info(text, icon=":material/restore:")
    if then is not None and now is not None and then != now:
        notice.warning(
            _(
                "The published data changed since you checked them (version {then}, now {now}): they were checked "
                "again against the data published now.",
                then=then,
                now=now,
            )
        )
    if discard.button(_("Discard these files"), icon=":material/delete:", key="upload_draft_discard"):
        discard_draft(check.country)
        st.rerun()


def discard_draft(country: str) -> None:
    drafts.discard(_draft_owner())
    st.session_state.pop(CHECK_KEY, None)
    st.session_state[DRAFT_KEY] = {"country": country, "digest": None}


def forget_draft(check: upload.UploadCheck) -> None:
    """After a submit or publish of `check`: its draft goes (the confirmation is still drawn from the session)."""
    drafts.discard(_draft_owner(), check.digest)
    known = st.session_state.get(DRAFT_KEY)
    if isinstance(known, dict) and known.get("digest") == check.digest:
        known["done"] = True
