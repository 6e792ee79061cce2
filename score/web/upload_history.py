"""The Upload page's history section (views/upload.py): the published versions of a country, who made them and
what they changed, and, for HQ, restoring an earlier version (score.upload.restore, checked again in
score.publish); after a demo account published real data (and so ended), its confirmation and history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from score import upload
from score.i18n import _, fmt_datetime, fmt_int
from score.labels import name_or_code, who
from score.quality import action_label
from score.web import ui
from score.web.components.text import text_table
from score.web.upload_sections import (
    PUBLISHED_KEY,
    RESTORE_KEY,
    RESTORED_KEY,
    confirmation,
    headline_labels,
    run_with_status,
)


def history_action(action: object, restored_from: object) -> str:
    """What a version was, in words; a restore names the version it brought back ("Restore of version 1")."""
    if action == "restore" and not pd.isna(restored_from):
        return _("Restore of version {version}", version=int(restored_from))  # type: ignore[call-overload]
    return action_label(action)


HISTORY_KEY = "upload_history"


def history_table(history: pd.DataFrame) -> None:
    """Who, when, what changed (a restore: from which version): one line per version (dates as dates, names
    not codes)."""
    labels = headline_labels()

    def change(row: pd.Series, key: str) -> str:
        before, after = row[f"{key}_before"], row[f"{key}_after"]
        if pd.isna(after):
            return ""
        return f"{fmt_int(before)} → {fmt_int(after)}" if before != after else fmt_int(after)

    # A plain table, not a grid: its headings and cells wrap, so every column (the files too) is read whole
    # at 1280 px beside the sidebar and at 800 px, in every language, with no horizontal scrolling.
    def count(value: object) -> str:
        return "" if pd.isna(value) else fmt_int(value)

    shown = pd.DataFrame(
        {
            _("Version"): history["version"].map(count),
            _("When (UTC)"): [
                fmt_datetime(t.tz_convert(None).to_pydatetime()) if pd.notna(t) else "" for t in history["at"]
            ],
            _("Who"): list(map(who, history["user"].fillna(""), history["submitted_by"])),
            _("Action"): list(map(history_action, history["action"], history["restored_from"])),
            _("Added"): history["added"].map(count),
            _("Changed"): history["changed"].map(count),
            _("Removed"): history["removed"].map(count),
            **{
                labels[key]: [change(row, key) for _i, row in history.iterrows()]
                for key in ("enterprises", "workers_reached")
            },
            _("Files"): history["files"].fillna(""),
        }
    )
    with st.container(key=HISTORY_KEY):  # file names (the last column) may break anywhere on a narrow screen
        st.html(f"<style>.st-key-{HISTORY_KEY} td:last-child {{ overflow-wrap: anywhere; }}</style>")
        text_table(shown, hide_index=True)
    st.caption(
        _(
            "Added, changed, removed: enterprises, against the version before. Figures: before → after. "
            "Blank where an old version has been pruned."
        )
    )


def history_section(country: str, scope) -> None:
    name = ui.reference_labels("country").get(country, country)
    st.subheader(_("Published versions of {country}", country=name))
    done = st.session_state.pop(RESTORED_KEY, None)
    if done:
        st.success(
            _(
                "Restored {country} from version {source} as version {version}.",
                country=name,
                source=done["source"],
                version=done["version"],
            )
        )
    history = upload.history(country, scope)
    if history.empty:
        ui.empty_state(_("No version has been published for {country} yet.", country=name))
        return
    history_table(history)
    if not scope.is_hq or len(history) < 2:
        return
    earlier = history.iloc[1:]
    described = {
        int(row.version): _(
            "version {version}: {when}, {user}, {n} enterprises",
            version=int(row.version),
            when=fmt_datetime(row.at.tz_convert(None).to_pydatetime()) if pd.notna(row.at) else "–",
            user=row.user,
            n=fmt_int(row.enterprises),
        )
        for row in earlier.itertuples()
    }
    version = st.selectbox(
        _("Restore an earlier version (HQ)"),
        [int(v) for v in earlier["version"]],
        format_func=name_or_code(described),
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
            country=name,
            version=version,
        )
    )
    real_elsewhere = upload.demo_restore(country, version)
    if real_elsewhere is not None:
        names = ui.reference_labels("country")
        st.warning(
            _(
                "Version {version} of {country} is the synthetic demo data set, not real enterprises. After the "
                "restore, {country}'s figures are marked as demo data on every page, export and slide.",
                version=version,
                country=name,
            )
            + (
                " "
                + _(
                    "Real data of {countries} stays as it is: the dashboard will mix demo and real figures.",
                    countries=", ".join(names.get(c, c) for c in real_elsewhere),
                )
                if real_elsewhere
                else ""
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


def demo_ended() -> bool:
    """After a demo account published (and so ended itself): its confirmation and history, and why."""
    if not upload.demo_publish_shown(st.session_state):
        return False
    done = st.session_state[PUBLISHED_KEY]
    confirmation(done)
    st.info(_("Your demo account has ended because real data is now published."))  # the sidebar says why
    st.subheader(_("Published versions of {country}", country=done["country_name"]))
    history_table(done["history"])
    return True
