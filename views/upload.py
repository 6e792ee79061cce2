"""Upload (HQ and country staff): templates, validation report, preview, publish; history and restore.

The logic lives in score.upload and score.publish (which checks the viewer's scope again where it writes);
this page only draws. Hiding the page in the navigation is not authorisation: the scope is checked here too.
"""

from __future__ import annotations

import math

import streamlit as st

from score import config, exports, publish, templates, ui, upload
from score.contract import TABLES
from score.i18n import _, current_language, fmt_int

CHECK_KEY = "upload_check"
PUBLISHED_KEY = "upload_published"
RESTORE_KEY = "upload_restore_pending"
RESTORED_KEY = "upload_restored"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headline_labels() -> dict[str, str]:
    return {
        "enterprises": _("Enterprises engaged"),
        "workers_reached": _("Workers reached"),
        "people_trained": _("People trained"),
        "module_completions": _("Modules delivered"),
    }


def step_labels() -> dict[str, str]:
    return {
        "validate": _("Checking the files again"),
        "archive": _("Archiving the uploaded files"),
        "build": _("Building a new database version"),
        "check": _("Checking the new version"),
        "switch": _("Switching everyone to the new version"),
    }


@st.cache_data(show_spinner=False, max_entries=8)
def xlsx_template(language: str) -> bytes:
    return templates.xlsx_template()


def show_totals(before: dict, after: dict) -> None:
    """The headline figures after, with the change against before."""
    for column, (key, label) in zip(st.columns(len(upload.HEADLINE)), headline_labels().items(), strict=True):
        old, new = before.get(key), after.get(key)
        delta = None if old is None or new is None else new - old
        column.metric(
            label,
            fmt_int(new),
            delta=None if delta is None else f"{'+' if delta >= 0 else '−'}{fmt_int(abs(delta))}",
            delta_color="off" if not delta else "normal",
            help=_("Before: {value}", value=fmt_int(old)),
        )


def run_with_status(title: str, action):
    """Run a publish/restore with step-by-step feedback; returns its result, or None after an error message."""
    labels = step_labels()
    with st.status(title, expanded=True) as status:
        bar = st.progress(0.0)

        def progress(step: str) -> None:
            status.write(labels.get(step, step))
            bar.progress((publish.STEPS.index(step) + 1) / len(publish.STEPS))
            status.update(label=labels.get(step, step) + "…")

        try:
            result = action(progress)
        except publish.NotAllowed as error:
            status.update(label=_("Not allowed"), state="error")
            st.error(str(error))
            return None
        except publish.RejectedUpload as rejected:
            status.update(label=_("Rejected"), state="error")
            st.error(
                _("The files have {n} errors; nothing was changed.", n=len(rejected.report.errors)),
            )
            return None
        except publish.PublishError as error:
            status.update(label=_("Publishing failed"), state="error")
            st.error(_("Nothing was changed: the previous version stays current. {detail}", detail=str(error)))
            return None
        status.update(label=_("Published version {version}", version=result.version), state="complete")
    return result


def templates_section(country: str) -> None:
    with st.expander(_("Templates"), icon=":material/description:"):
        st.caption(
            _(
                "Fill in one Excel workbook (a sheet per table, drop-down lists for codes, a notes sheet) or one "
                "CSV file per table. enterprises, training and indicators are required; logframe is optional."
            )
        )
        columns = st.columns(len(TABLES) + 1)
        columns[0].download_button(
            _("Excel workbook"),
            data=xlsx_template(current_language()),
            file_name=f"SCORE_{country}_template.xlsx",
            mime=XLSX_MIME,
            icon=":material/table_view:",
            key="upload_template_xlsx",
        )
        for column, table in zip(columns[1:], TABLES, strict=True):
            column.download_button(
                f"{table}.csv",
                data=templates.csv_template(table),
                file_name=f"{table}.csv",
                mime="text/csv",
                key=f"upload_template_{table}",
            )


def report_section(check: upload.UploadCheck) -> None:
    report = check.report
    st.subheader(_("Validation report"))
    left, right = st.columns(2)
    left.metric(_("Errors"), fmt_int(len(report.errors)))
    right.metric(_("Warnings"), fmt_int(len(report.warnings)))
    if report.errors:
        st.error(
            _(
                "The upload was rejected: fix the errors below and upload the files again. "
                "Nothing was changed and nothing was stored."
            )
        )
    elif report.warnings:
        st.warning(_("The files can be published. Warnings do not block publishing, but please check them."))
    else:
        st.success(_("No problems found: the files can be published."))
    if report.issues:
        table = report.to_frame()
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "severity": st.column_config.TextColumn(_("Severity")),
                "file": st.column_config.TextColumn(_("File")),
                "sheet": st.column_config.TextColumn(_("Sheet")),
                "row": st.column_config.NumberColumn(_("Row"), format="%d"),
                "column": st.column_config.TextColumn(_("Column")),
                "value": st.column_config.TextColumn(_("Value")),
                "problem": st.column_config.TextColumn(_("Problem"), width="large"),
                "fix": st.column_config.TextColumn(_("Fix"), width="large"),
            },
        )
        st.download_button(
            _("Download the report (CSV)"),
            data=exports.to_csv(table),
            file_name=f"SCORE_{check.country}_validation.csv",
            mime="text/csv",
            key="upload_report_csv",
        )


def preview_section(check: upload.UploadCheck) -> None:
    preview = check.preview
    st.subheader(_("What publishing will change"))
    counts = st.columns(3)
    parts = (
        ("added", _("Enterprises added"), preview.added),
        ("changed", _("Enterprises changed"), preview.changed),
        ("removed", _("Enterprises removed"), preview.removed),
    )
    for column, (_key, label, frame) in zip(counts, parts, strict=True):
        column.metric(label, fmt_int(len(frame)))
    for _key, label, frame in parts:
        if len(frame):
            with st.expander(f"{label}: {fmt_int(len(frame))}"):
                st.dataframe(frame, hide_index=True, width="stretch")
    st.caption(_("Headline figures for {country} after publishing (change against now):", country=check.country))
    show_totals(preview.before, preview.after)


def publish_section(check: upload.UploadCheck, scope) -> None:
    done = st.session_state.get(PUBLISHED_KEY)
    if isinstance(done, dict) and done.get("digest") == check.digest:
        st.success(
            _(
                "Published: {country} is version {version} now. Everyone sees the new figures at their next click.",
                country=done["country"],
                version=done["version"],
            )
        )
        st.caption(_("Headline figures for {country} in version {version}:", **done))
        show_totals(done["before"], done["after"])
        return
    if not st.button(_("Publish {country}", country=check.country), type="primary", key="upload_publish"):
        return
    result = run_with_status(_("Publishing…"), lambda progress: upload.publish_upload(check, scope, progress))
    if result is None:
        return
    st.session_state[PUBLISHED_KEY] = {
        "digest": check.digest,
        "country": check.country,
        "version": result.version,
        "before": check.preview.before,
        "after": upload.headline(scope, check.country, result.path),
    }
    st.rerun()  # the next run reads the new version everywhere on the page


def upload_section(country: str, scope) -> None:
    st.subheader(_("Upload"))
    limit = config.MAX_UPLOAD_MB
    uploaded = st.file_uploader(
        _("Country files: CSV files (enterprises, training, indicators, logframe) or one Excel workbook"),
        accept_multiple_files=True,
        max_upload_size=max(1, math.ceil(limit)),
        key="upload_files",
    )
    st.caption(
        _(
            "Up to {limit} MB per file. Old Excel (.xls), OpenDocument (.ods), PDF and zip files cannot be read: "
            "save them as .xlsx or as CSV UTF-8. Nothing changes until you press Publish.",
            limit=f"{limit:g}",
        )
    )
    if not uploaded:
        return
    files, twice = upload.collect_files((item.name, item.getvalue()) for item in uploaded)
    if twice:
        st.error(_("More than one file is called {names}: upload each file once.", names=", ".join(twice)))
        return
    check = st.session_state.get(CHECK_KEY)
    if not isinstance(check, upload.UploadCheck) or check.digest != upload.digest(country, files):
        with st.spinner(_("Checking the files…")):
            check = upload.check_upload(country, files, scope, path=ui.pinned_path())
        st.session_state[CHECK_KEY] = check
    report_section(check)
    if check.ok:
        preview_section(check)
        publish_section(check, scope)


def history_section(country: str, scope) -> None:
    st.subheader(_("Published versions of {country}", country=country))
    done = st.session_state.pop(RESTORED_KEY, None)
    if done:
        st.success(_("Restored {country} from version {source} as version {version}.", **done))
    history = upload.history(country, scope)
    if history.empty:
        ui.empty_state(_("No version has been published for {country} yet.", country=country))
        return
    shown = history.assign(at=history["at"].dt.strftime("%Y-%m-%d %H:%M UTC"))
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "version": st.column_config.NumberColumn(_("Version"), format="%d"),
            "at": st.column_config.TextColumn(_("When")),
            "user": st.column_config.TextColumn(_("Who")),
            "action": st.column_config.TextColumn(_("Action")),
            "enterprises": st.column_config.NumberColumn(_("Enterprises"), format="%d"),
            "training": st.column_config.NumberColumn(_("Training rows"), format="%d"),
            "indicators": st.column_config.NumberColumn(_("Indicator rows"), format="%d"),
            "restored_from": st.column_config.NumberColumn(_("Restored from"), format="%d"),
            "files": st.column_config.TextColumn(_("Files")),
        },
    )
    if not scope.is_hq or len(history) < 2:
        return
    earlier = history.iloc[1:]
    described = {
        int(row.version): _(
            "version {version}: {when}, {user}, {n} enterprises",
            version=int(row.version),
            when=row.at,
            user=row.user,
            n=fmt_int(row.enterprises),
        )
        for row in shown.iloc[1:].itertuples()
    }
    version = st.selectbox(
        _("Restore an earlier version (HQ)"),
        [int(v) for v in earlier["version"]],
        format_func=described.get,
        key="upload_restore_version",
    )
    if st.session_state.get(RESTORE_KEY) != (country, version):
        if st.button(_("Restore version {version}…", version=version), key="upload_restore"):
            st.session_state[RESTORE_KEY] = (country, version)
            st.rerun()
        return
    st.warning(
        _(
            "Restoring publishes the files {country} had in version {version} again, as a new version. "
            "Everyone sees them at their next click; nothing is deleted. Continue?",
            country=country,
            version=version,
        )
    )
    confirm, cancel = st.columns(2)
    if cancel.button(_("Cancel"), key="upload_restore_cancel"):
        st.session_state.pop(RESTORE_KEY, None)
        st.rerun()
    if confirm.button(_("Confirm restore"), type="primary", key="upload_restore_confirm"):
        st.session_state.pop(RESTORE_KEY, None)
        result = run_with_status(
            _("Restoring…"), lambda progress: upload.restore(country, version, scope, progress=progress)
        )
        if result is not None:
            st.session_state[RESTORED_KEY] = {"country": country, "source": version, "version": result.version}
            st.rerun()


scope = ui.current_scope()
ui.page(_("Upload country data"), _("Check a country's files, see what they change, publish them; history."))
if not upload.may_upload(scope):
    st.info(
        _(
            "Sign in with a country or HQ account to upload data. Country staff upload their own country's "
            "files; the SCORE team in Geneva can upload for every country."
        ),
        icon=":material/key:",
    )
    st.stop()

countries = upload.upload_countries(scope)
names = ui.reference_labels("country")
country = st.selectbox(
    _("Country"), countries, format_func=lambda code: f"{names.get(code, code)} ({code})", key="upload_country"
)
if country not in countries:  # session state can be written from outside the widget: check again
    st.error(_("You may not upload data for this country."))
    st.stop()

templates_section(country)
upload_section(country, scope)
st.divider()
history_section(country, scope)
