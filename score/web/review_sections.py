"""Page sections of the review of submissions (Streamlit glue; the logic is in score.submissions and score.changes):

- on the Upload page: submit for review (country staff), the state of the country's submission with HQ's comment and
  the pending figures marked as pending, withdraw; corrections in a grid (checked and reported as an upload); the
  history of one enterprise or logframe indicator;
- on the Review page (HQ): every pending submission with who, when, files, validation report and what would change;
  approve (published through score.publish) or return with a comment.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from score import changes, contract, publish, submissions, upload
from score.i18n import _, fmt_datetime, fmt_int
from score.labels import (
    code_named,
    code_names,
    column_heading,
    column_named,
    name_or_code,
    table_names,
    value_named,
    who,
)
from score.quality import checks
from score.values import markdown_text, quoted
from score.web import ui
from score.web.components.text import text_table
from score.web.upload_history import history_table
from score.web.upload_sections import (
    confirmation,
    demo_ending_notice,
    forget_draft,
    headline_labels,
    in_view_once,
    issues_table,
    preview_section,
    publish_section,
    published,
    report_section,
    run_with_status,
    show_totals,
)

SUBMITTED_KEY = "upload_submitted"  # session state: the last submission of this session
EDIT_BASE_KEY = "edit_base"  # (country, data version) -> the published tables the grid starts from
EDIT_CHECK_KEY = "edit_check"
EDIT_ROUND_KEY = "edit_round"  # bumped after a submission or "Start again": fresh grids
REVIEW_DONE_KEY = "review_done"
APPROVE_ASKING_KEY = "review_approve_asking"  # the submission whose approval would end this demo account


def country_name(code: str) -> str:
    return ui.reference_labels("country").get(code, code)


def kind_label(kind: str) -> str:
    return {"upload": _("uploaded files"), "edit": _("corrections in the browser")}.get(kind, kind)


def state_label(state: str) -> str:
    return _(submissions.STATES[state]) if state in submissions.STATES else state


# ---------------------------------------------------------------------------------------------- submitting


def submitted(check: upload.UploadCheck) -> dict | None:
    done = st.session_state.get(SUBMITTED_KEY)
    return done if isinstance(done, dict) and done.get("digest") == check.digest else None


def submitted_confirmation(done: dict) -> None:
    in_view_once(done, lambda: _submitted(done))


def _submitted(done: dict) -> None:
    st.success(
        _(
            "Submitted for review: HQ checks what {country}'s files change before anyone else sees them. The "
            "public and the dashboards keep showing the published figures until HQ approves.",
            country=done["country_name"],
        )
    )
    if done.get("replaced_at"):
        st.info(
            _(
                "This submission replaces your pending submission of {when}: one submission per country waits "
                "for review at a time.",
                when=ui.moment_text(done["replaced_at"]),
            )
        )


def checked_section(check: upload.UploadCheck, scope, kind: str = "upload", prefix: str = "upload") -> None:
    """A checked upload or correction: the submitted confirmation, or the report, the preview and the action."""
    done = submitted(check)
    if done is not None:
        submitted_confirmation(done)
        return
    report_section(check, prefix, publishes=scope.is_hq)
    if check.ok:
        preview_section(check, prefix)
        action_section(check, scope, kind, prefix)


def action_section(check: upload.UploadCheck, scope, kind: str = "upload", prefix: str = "upload") -> None:
    """After the report and the preview: HQ publishes at once; country staff submit for HQ's review."""
    if scope.is_hq:
        publish_section(check, scope, prefix)
        return
    waiting = submissions.pending(check.country)
    if waiting is not None:
        st.caption(
            _(
                "{country} already has a submission waiting for review (from {when}): submitting replaces it.",
                country=country_name(check.country),
                when=ui.moment_text(waiting.at),
            )
        )
    label = _("Submit {country} for review", country=country_name(check.country))
    if not st.button(label, type="primary", key=f"{prefix}_submit", icon=":material/send:"):
        return
    edited = None
    if kind == "edit":
        base = st.session_state.get(EDIT_BASE_KEY, (None, None, {}))[2]
        diffs = changes.diff_tables(base, check.report.tables)
        edited = {"rows": {t: len(d.added) + len(d.removed) + d.rows_changed for t, d in diffs.items()}}
    try:
        item, replaced = submissions.submit(check.country, check.files, scope, kind, edited)
    except (publish.NotAllowed, publish.RejectedUpload) as error:
        st.error(str(error))
        return
    forget_draft(check)
    st.session_state[SUBMITTED_KEY] = {
        "digest": check.digest,
        "country_name": country_name(check.country),
        "id": item.id,
        "replaced_at": replaced.at if replaced else None,
    }
    if kind == "edit":
        st.session_state[EDIT_ROUND_KEY] = st.session_state.get(EDIT_ROUND_KEY, 0) + 1
        st.session_state.pop(EDIT_BASE_KEY, None)
    st.rerun()


def status_section(country: str, scope) -> None:
    """The country's newest submission: its state, HQ's comment, the pending figures (marked as pending), withdraw."""
    item = submissions.latest(country)
    if item is None:
        return
    st.subheader(_("Submission for review"))
    facts = _(
        "{state}: {kind} submitted by {user} on {when}.",
        state=state_label(item.state),
        kind=kind_label(item.kind),
        user=item.user,
        when=ui.moment_text(item.at),
    )
    if item.state == "pending":
        st.info(
            facts + " " + _("Waiting for HQ's review: nobody else sees these figures yet."),
            icon=":material/hourglass_top:",
        )
        summary = submissions.summary(item, scope, ui.pinned_path())
        st.caption(
            _(
                "Pending figures for {country} (not public yet; change against the published figures):",
                country=country_name(country),
            )
        )
        show_totals(summary.before, summary.after)
        if st.button(_("Withdraw the submission"), key="submission_withdraw", icon=":material/undo:"):
            submissions.withdraw(country, scope)
            st.rerun()
    elif item.state == "returned":
        st.warning(
            facts
            + " "
            + _(
                "Returned by {user} on {when} with this comment:",
                user=item.decided_by,
                when=ui.moment_text(item.decided_at),
            ),
            icon=":material/reply:",
        )
        st.text(item.comment)  # the reviewer's words: text, never markup
        st.caption(_("Correct the data and submit again: upload the files or use the grid below."))
    elif item.state == "approved":
        st.success(
            facts
            + " "
            + _("Approved by {user} and published as version {version}.", user=item.decided_by, version=item.version)
        )
    elif item.replaced_by:
        st.caption(facts + " " + _("Replaced by a newer submission."))
    else:
        st.caption(facts)


# ---------------------------------------------------------------------------------------------- corrections in a grid


def _column_config(table: str) -> dict[str, object]:
    """The grid's columns headed by what they hold in the reader's language ("Travailleuses (effectif à
    l'adhésion)"), the file's column code in the tooltip: the frame keeps the codes, which the CSV needs."""
    config: dict[str, object] = {}
    for col in contract.TABLES[table].columns:
        label, help_text = column_heading(col)
        if col.codes:
            names = code_names(col.codes)
            config[col.name] = st.column_config.SelectboxColumn(
                label,
                help=help_text,
                options=contract.code_list(col.codes),
                # the file keeps the code; the person reads the name beside it ("Garments (garments)")
                format_func=lambda code, names=names: code_named(names, code),
            )
        elif col.dtype in ("int", "float"):  # no bounds here: the validator says what is wrong, as for a file
            config[col.name] = st.column_config.NumberColumn(
                label, help=help_text, format="%g" if col.dtype == "float" else "%d"
            )
        elif col.dtype == "date":
            config[col.name] = st.column_config.DateColumn(label, help=help_text, format="YYYY-MM-DD")
        else:
            config[col.name] = st.column_config.TextColumn(label, help=help_text)
    return config


def _base_tables(country: str, scope) -> dict[str, pd.DataFrame]:
    version = ui.data_version()
    stored = st.session_state.get(EDIT_BASE_KEY)
    if not (isinstance(stored, tuple) and stored[:2] == (country, version)):
        tables = upload.current_tables(country, scope, ui.pinned_path())
        for frame in tables.values():
            for col in frame.columns:
                if pd.api.types.is_datetime64_any_dtype(frame[col]):
                    frame[col] = frame[col].dt.date
        stored = (country, version, tables)
        st.session_state[EDIT_BASE_KEY] = stored
    return stored[2]


def corrections_section(country: str, scope) -> None:
    """Edit the country's published rows in a grid; the edited tables go through the same validator and report as
    uploaded files (they become CSV files in upload format), then are submitted (HQ: published)."""
    st.caption(
        _(
            "Fix a count, correct a code or add a row (a training delivery, an indicator value) in the tables below, "
            "then check the corrections: the same rules and the same report as an upload."
        )
    )
    base = _base_tables(country, scope)
    round_ = st.session_state.get(EDIT_ROUND_KEY, 0)
    edited: dict[str, pd.DataFrame] = {}
    names = table_names()
    for tab, (table, frame) in zip(st.tabs([names.get(t, t) for t in base]), base.items(), strict=True):
        with tab:
            edited[table] = st.data_editor(
                frame,
                column_config=_column_config(table),
                num_rows="dynamic",
                hide_index=True,
                width="stretch",
                height=320,
                key=f"edit_{table}_{round_}",
            )
    if st.button(_("Check the corrections"), icon=":material/fact_check:", key="edit_check_button"):
        files = upload.edited_files(country, edited)
        with st.spinner(_("Checking the files…")):
            st.session_state[EDIT_CHECK_KEY] = upload.check_upload(country, files, scope, path=ui.pinned_path())
    check = st.session_state.get(EDIT_CHECK_KEY)
    if not isinstance(check, upload.UploadCheck) or check.country != country:
        return
    done = published(check)
    if done is not None:
        confirmation(done)
        return
    checked_section(check, scope, kind="edit", prefix="edit")


# ---------------------------------------------------------------------------------------------- history of a value


def value_history_section(country: str, scope) -> None:
    """What changed in one enterprise (or one logframe indicator) of `country`, version by version."""
    st.subheader(_("History of a value"))
    try:
        tables = _base_tables(country, scope)
    except publish.NotAllowed:
        return
    names = dict(zip(tables["enterprises"]["enterprise_id"], tables["enterprises"]["name"], strict=True))
    indicators = sorted(set(tables.get("logframe", pd.DataFrame(columns=["indicator"]))["indicator"].dropna()))
    labels = ui.reference_labels("logframe_indicator")
    options = [("enterprise", e) for e in names] + [("indicator", i) for i in indicators]

    def shown(option: tuple[str, str]) -> str:
        kind, code = option
        if kind == "enterprise":
            return f"{code} · {names.get(code, '')}"
        return _("Logframe: {indicator}", indicator=labels.get(code, code))

    choice = st.selectbox(
        _("Enterprise or logframe indicator"),
        options,
        format_func=shown,
        index=None,
        key="value_history_subject",
        placeholder=_("Choose an enterprise or an indicator"),  # Streamlit's own placeholder is English only
    )
    if choice is None:
        return
    history = changes.value_history(country, choice[1], choice[0], scope)
    if history.empty:
        ui.empty_state(_("No change recorded for it in the archived versions."))
        return
    action = {"build": _("Rebuild"), "publish": _("Upload"), "restore": _("Restore")}
    table_words = table_names()
    text_table(
        pd.DataFrame(
            {
                _("Version"): history["version"].map(fmt_int),
                _("When (UTC)"): [
                    fmt_datetime(t.tz_convert(None).to_pydatetime()) if pd.notna(t) else "" for t in history["at"]
                ],
                _("Who"): list(map(who, history["user"], history["submitted_by"])),
                _("Action"): [action.get(a, str(a)) for a in history["action"]],
                _("Table"): [table_words.get(t, t) for t in history["table"]],  # "Entreprises", not its code
                _("Row"): list(map(changes.key_named, history["table"], history["key"])),
                _("Column"): [
                    column_named(t, c) if c else _("(whole row)")
                    for t, c in zip(history["table"], history["column"], strict=True)
                ],
                # a code with its name ("Confection (garments)"), as the correction grid shows it
                _("From"): named_values(history, "old"),
                _("To"): named_values(history, "new"),
            }
        ),
        hide_index=True,
    )


def named_values(history: pd.DataFrame, side: str) -> list[str]:
    """The history's old or new cells as people read them: codes named, an empty cell a dash."""
    return [
        value_named(table, column, value)
        for table, column, value in zip(history["table"], history["column"], history[side], strict=True)
    ]


# ---------------------------------------------------------------------------------------------- review (HQ)


def pending_choice(scope) -> submissions.Submission | None:
    waiting = [s for s in submissions.visible(scope) if s.state == "pending"]
    done = st.session_state.pop(REVIEW_DONE_KEY, None)
    if done:
        (st.success if done["state"] == "approved" else st.info)(done["message"])
    if not waiting:
        ui.empty_state(_("No submission is waiting for review."))
        return None
    described = {
        s.country: _(
            "{country}: {kind} by {user}, {when}",
            country=country_name(s.country),
            kind=kind_label(s.kind),
            user=s.user,
            when=ui.moment_text(s.at),
        )
        for s in waiting
    }
    code = st.radio(
        _("Pending submissions"), list(described), format_func=name_or_code(described), key="review_country"
    )
    return next(s for s in waiting if s.country == code)


def _signed(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return "–"
    change = after - before
    return ("+" if change > 0 else "−" if change < 0 else "") + fmt_int(abs(change))


def summary_section(item: submissions.Submission, scope) -> submissions.ChangeSummary:
    with st.spinner(_("Working out what would change…")):
        summary = submissions.summary(item, scope, ui.pinned_path())
    name = country_name(item.country)
    st.subheader(_("What approving would change for {country}", country=name))
    st.caption(
        _(
            "Submitted by {user} on {when} ({kind}); files: {files}. Compared with version {version}.",
            version=summary.compared_with,
            user=item.user,
            when=ui.moment_text(item.at),
            kind=kind_label(item.kind),
            files=markdown_text(", ".join(quoted(f["name"]) for f in item.files)),  # the submitter's names: data
        )
    )
    labels = headline_labels()
    text_table(
        pd.DataFrame(
            {
                _("Figure"): list(labels.values()),
                _("Published now"): [fmt_int(summary.before.get(k)) for k in labels],
                _("After approval"): [fmt_int(summary.after.get(k)) for k in labels],
                _("Change"): [_signed(summary.before.get(k), summary.after.get(k)) for k in labels],
            }
        ),
        hide_index=True,
    )
    table_words = table_names()
    text_table(
        pd.DataFrame(
            {
                _("Table"): [table_words.get(t, t) for t in summary.diffs],
                _("Rows added"): [fmt_int(len(d.added)) for d in summary.diffs.values()],
                _("Rows removed"): [fmt_int(len(d.removed)) for d in summary.diffs.values()],
                _("Rows changed"): [fmt_int(d.rows_changed) for d in summary.diffs.values()],
            }
        ),
        hide_index=True,
    )
    if summary.largest:
        st.caption(_("The largest changes:"))
        text_table(
            pd.DataFrame(
                {
                    _("Table"): [table_words.get(c.table, c.table) for c in summary.largest],
                    _("Row"): [changes.key_named(c.table, c.key) for c in summary.largest],
                    _("Column"): [column_named(c.table, c.column) for c in summary.largest],
                    _("From"): [value_named(c.table, c.column, c.old) for c in summary.largest],
                    _("To"): [value_named(c.table, c.column, c.new) for c in summary.largest],
                }
            ),
            hide_index=True,
        )

    titles = {c.query: c.title for c in checks()}
    st.caption(_("Data quality checks (rows flagged now → after approval):"))
    text_table(
        pd.DataFrame(
            {
                _("Check"): [titles.get(q, q) for q in summary.quality],
                _("Now → after"): [f"{fmt_int(a)} → {fmt_int(b)}" for a, b in summary.quality.values()],
            }
        ),
        hide_index=True,
    )
    report = summary.report
    st.caption(_("Validation report: {counts}.", counts=report.counts()))
    if report.issues:
        issues_table(report.for_people(compact=True), "review_issues")
    return summary


def _approve(country: str, scope, progress: publish.Progress) -> publish.PublishResult:
    try:
        return submissions.approve(country, scope, progress)[1]
    except submissions.SubmissionError as error:  # decided meanwhile (another HQ session, the command line)
        raise publish.PublishError(str(error)) from error


def decision_section(item: submissions.Submission, scope, clear: Callable[[], object]) -> None:
    """Approve or return `item`; `clear` empties what the page showed of it before the rerun that loads the next.
    When approving ends the viewer's own demo account (real data over demo data), the first click asks, and the
    warning is said once, beside the confirm button (as a direct publish on the Upload page)."""
    name = country_name(item.country)
    ends_demo = submissions.approval_ends_demo(item)
    ends_own = ends_demo and upload.is_demo_account(scope)
    asked = st.session_state.get(APPROVE_ASKING_KEY) == item.id
    if ends_demo and (asked or not ends_own):
        demo_ending_notice(item.country, scope)
    approve, send_back = st.columns(2)
    if ends_own and not asked:
        if approve.button(
            _("Approve and publish {country}…", country=name),
            type="primary",
            key="review_approve",
            icon=":material/check:",
        ):
            st.session_state[APPROVE_ASKING_KEY] = item.id
            st.rerun()
        decided = False
    elif ends_own:
        confirm, cancel = approve.columns(2)
        if cancel.button(_("Cancel"), key="review_approve_cancel"):
            st.session_state.pop(APPROVE_ASKING_KEY, None)
            st.rerun()
        decided = confirm.button(_("Approve and end the demo accounts"), type="primary", key="review_approve_confirm")
    else:
        decided = approve.button(
            _("Approve and publish {country}", country=name),
            type="primary",
            key="review_approve",
            icon=":material/check:",
        )
    if decided:
        st.session_state.pop(APPROVE_ASKING_KEY, None)
        result = run_with_status(_("Publishing…"), lambda progress: _approve(item.country, scope, progress))
        if result is not None:
            if ends_own:  # the next run signs this account out: the Review page stays to say what was published
                st.session_state[upload.DEMO_APPROVED_KEY] = {
                    "country": item.country,
                    "version": result.version,
                    "history": upload.history(item.country, scope),  # read now, while the account still works
                }
            else:
                st.session_state[REVIEW_DONE_KEY] = {
                    "state": "approved",
                    "message": _("Approved: {country} is version {version} now.", country=name, version=result.version),
                }
            clear()
            st.rerun()
    with send_back.form("review_return_form", border=False):
        comment = st.text_area(_("Comment for the submitter"), key="review_comment", max_chars=submissions.MAX_COMMENT)
        if st.form_submit_button(_("Return with this comment"), icon=":material/reply:"):
            try:
                submissions.return_submission(item.country, scope, comment)
            except submissions.SubmissionError as error:
                st.error(str(error))
                return
            st.session_state[REVIEW_DONE_KEY] = {
                "state": "returned",
                "message": _("Returned {country} to {user} with your comment.", country=name, user=item.user),
            }
            clear()
            st.rerun()


def demo_approval_ended() -> bool:
    """After a demo account's approval ended it (real data published): what was published, and why the account has
    ended (the sidebar says it too); False when this session has no such approval to show."""
    if not upload.demo_approval_shown(st.session_state):
        return False
    done = st.session_state[upload.DEMO_APPROVED_KEY]
    st.success(
        _(
            "Approved: {country} is version {version} now.",
            country=country_name(done["country"]),
            version=done["version"],
        )
    )
    st.info(_("Your demo account has ended because real data is now published."))
    st.subheader(_("Published versions of {country}", country=country_name(done["country"])))
    history_table(done["history"])
    return True
