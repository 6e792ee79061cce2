"""The upload flow in the app (AppTest, Streamlit 1.67): choose a country, upload, read the validation report,
see the preview, publish, see the new numbers; history and restore; who may do what; the data quality page.

AppTest in Streamlit 1.67 drives the real `st.file_uploader` (`FileUploader.set_value`), so the bytes go
through the widget exactly as in a browser session; the browser e2e tests cover the drag-and-drop itself.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from score import audit, publish, settings, submissions
from score.access import Scope
from score.upload import check_upload
from score.versions import switch as switch_pointer
from tests.apptest import app, no_exception
from tests.formats import en_int
from tests.publishing import (
    REMOVED,
    REPO,
    build_small,
    csv_rows,
    dataset_a,
    dataset_b,
    expected_totals,
    fingerprint,
    headline,
)

UPLOAD, QUALITY, OVERVIEW = "views/upload.py", "views/data_quality.py", "views/overview.py"
HQ = Scope.hq("geneva")
BOGOTA = Scope.country("bogota", {"COL"})
TIMEOUT = 120


@pytest.fixture
def data(tmp_path: Path, settings_override) -> Path:
    return build_small(tmp_path, settings_override)


def _session(scope: Scope | None, page: str | None = None) -> AppTest:
    at = no_exception(app(scope=scope, timeout=TIMEOUT).run())
    if page:
        no_exception(at.switch_page(page).run(), page)
    return at


def _upload(at: AppTest, files: dict[str, bytes], check: bool = True) -> None:
    """Put files into the uploader and (as a person would) press "Check the files"."""
    uploader = next(u for u in at.file_uploader if str(u.key).startswith("upload_files_"))
    uploader.set_value([(n, raw, "application/octet-stream") for n, raw in files.items()])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if check:
        at.button(key="upload_check_files").click().run()
        assert not at.exception, [e.value for e in at.exception]


def _frame(at: AppTest, column: str):
    """The first table on the page with this column (the report, the history ...)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _metrics(at: AppTest) -> dict[str, str]:
    """Label -> value of the metrics on the page (a later metric with the same label wins)."""
    return {m.label: m.value for m in at.metric}


def _texts(at: AppTest, kind: str) -> str:
    return "\n".join(str(e.value) for e in getattr(at, kind))


def _expect_headline(at: AppTest, expected: dict[str, int]) -> None:
    shown = _metrics(at)
    assert shown["Enterprises engaged"] == en_int(expected["enterprises"])
    assert shown["Workers reached"] == en_int(expected["workers_reached"])
    assert shown["People trained"] == en_int(expected["people_trained"])
    assert shown["Modules delivered"] == en_int(expected["module_completions"])


def test_hq_uploads_previews_publishes_and_restores(data: Path, tmp_path: Path) -> None:
    before_totals, after_totals = expected_totals(tmp_path, dataset_a()), expected_totals(tmp_path, dataset_b())
    other = _session(BOGOTA, OVERVIEW)  # another session, open before the publish
    assert other.session_state["score_db_path"].name == "score-1.duckdb"

    at = _session(HQ, UPLOAD)
    at.selectbox(key="upload_country").select("COL").run()
    downloads = {b.label for b in at.get("download_button")}
    assert {"Excel workbook", "enterprises.csv", "training.csv", "indicators.csv", "logframe.csv"} <= downloads
    state = fingerprint(data)

    _upload(at, dataset_b())
    shown = _metrics(at)
    assert (shown["Errors"], shown["Warnings"]) == ("0", "0")
    assert "No problems found: the files can be published." in _texts(at, "success")  # HQ publishes
    assert shown["Enterprises added"] == "0"
    assert shown["Enterprises changed"] == "1"
    assert shown["Enterprises removed"] == str(REMOVED)
    _expect_headline(at, after_totals["COL"])  # after, computed from the uploaded files by the same SQL
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["Enterprises engaged"] == f"-{REMOVED}"  # a hyphen: Streamlit draws a fall (a "−" rose)
    assert fingerprint(data) == state  # checking and previewing changed nothing
    assert audit.read_events(limit=1, event="upload")[0]["detail"]["outcome"] == "valid"

    at.button(key="upload_publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Colombia is version 2 now" in _texts(at, "success")
    # The confirmation replaces the report and the preview: nothing "after publishing" is left above it.
    assert "What publishing will change" not in [h.value for h in at.subheader]
    assert not [c.value for c in at.caption if "after publishing" in c.value]
    _expect_headline(at, after_totals["COL"])  # the new numbers, read from the new version
    assert headline() == after_totals["all"]
    assert not [b for b in at.button if b.key == "upload_publish"]

    # A session that was already open reads the new version at its next rerun.
    other.run()
    assert other.session_state["score_db_path"].name == "score-2.duckdb"
    assert not other.exception

    # History, then restore (HQ) with a confirm step: a new version with the old data.
    history = at.table[-1].value
    assert list(history["Version"]) == ["2", "1"]
    assert list(history["Action"]) == ["Upload", "Rebuild"] and history["Who"].iloc[0] == "geneva"
    assert "Restored from" not in history.columns  # a restore says its source in "Action" (no column to scroll to)
    # What version 2 changed against version 1: the preview's counts, and the figures before -> after.
    assert history[["Added", "Changed", "Removed"]].iloc[0].tolist() == ["0", "1", str(REMOVED)]
    enterprises = (before_totals["COL"]["enterprises"], after_totals["COL"]["enterprises"])
    assert history["Enterprises engaged"].iloc[0] == f"{en_int(enterprises[0])} → {en_int(enterprises[1])}"
    assert history["Enterprises engaged"].iloc[1] == f"0 → {en_int(enterprises[0])}"
    assert "UTC" not in history["When (UTC)"].iloc[0] and "T" not in history["When (UTC)"].iloc[0]
    assert "Published versions of Colombia" in [h.value for h in at.subheader]
    assert at.selectbox(key="upload_restore_version").value == 1
    at.button(key="upload_restore").click().run()
    assert "as a new version" in _texts(at, "warning")
    assert headline() == after_totals["all"]  # nothing yet: the confirm step comes first
    at.button(key="upload_restore_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Restored Colombia from version 1 as version 3" in _texts(at, "success")
    assert headline() == before_totals["all"]
    history = at.table[-1].value
    assert list(history["Version"]) == ["3", "2", "1"]
    assert list(history["Action"]) == ["Restore of version 1", "Upload", "Rebuild"]
    assert history[["Added", "Changed", "Removed"]].iloc[0].tolist() == [str(REMOVED), "1", "0"]
    assert [e["event"] for e in audit.read_events(limit=3)] == ["restore", "publish", "upload"]


def test_an_upload_without_the_optional_logframe_says_the_published_one_is_kept(data: Path) -> None:
    published = csv_rows(dataset_a()["logframe.csv"])[1]  # COL's logframe as published (the raw file)
    assert published
    without = {name: raw for name, raw in dataset_a().items() if name != "logframe.csv"}
    kept = check_upload("COL", without, HQ, audited=False).preview
    assert (kept.logframe_kept, kept.logframe_removed) == (len(published), 0)
    header_only = dataset_a()["logframe.csv"].decode("utf-8-sig").splitlines()[0].encode() + b"\n"
    emptied = check_upload("COL", {**without, "logframe.csv": header_only}, HQ, audited=False).preview
    assert (emptied.logframe_kept, emptied.logframe_removed) == (0, len(published))
    same = check_upload("COL", dataset_a(), HQ, audited=False).preview
    assert (same.logframe_kept, same.logframe_removed) == (0, 0)
    at = _session(BOGOTA, UPLOAD)
    _upload(at, without)
    (info,) = [i.value for i in at.info if "logframe" in str(i.value)]
    assert f"the {len(published)} logframe rows published now are kept" in info
    assert not [w.value for w in at.warning if "logframe" in str(w.value)]


def test_country_staff_upload_only_for_their_country(data: Path) -> None:
    at = _session(BOGOTA, UPLOAD)
    assert at.selectbox(key="upload_country").options == ["Colombia (COL)"]
    state = fingerprint(data)

    # Peru's files uploaded for Colombia: rejected with a clear report, nothing changes, no publish button.
    peru = {p.name: p.read_bytes() for p in (REPO / "data" / "countries" / "PER").glob("*.csv")}
    _upload(at, peru)
    assert int(_metrics(at)["Errors"]) >= 3
    assert "rejected" in _texts(at, "error")
    report = _frame(at, "Problem")
    assert list(report.columns) == ["Severity", "Where", "Value", "Problem", "Fix"]  # file, rows, column: "Where"
    # CSV files: no sheet (never "None"); the column named as the rest of the page names it, the file's code beside
    assert "enterprises.csv · Enterprise id (enterprise_id)" in set(report["Where"])
    assert report["Problem"].str.contains("another country (PER)", regex=False).any()
    assert not [b for b in at.button if b.key == "upload_publish"]
    assert "Download the report (CSV)" in [b.label for b in at.get("download_button")]
    assert fingerprint(data) == state

    # Their own country: accepted and submitted for HQ's review (country staff no longer publish); nothing is
    # published until HQ approves; no restore for country staff.
    _upload(at, dataset_b())
    assert not [b for b in at.button if b.key == "upload_publish"]
    said = _texts(at, "success") + "\n" + _texts(at, "warning")  # they submit: never told "can be published"
    assert "can be submitted for review" in said and "published" not in said
    at.button(key="upload_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Submitted for review" in _texts(at, "success")
    assert any("scrollIntoView" in h.proto.body for h in at.get("html"))  # brought into view, under the header
    assert fingerprint(data) == state and len(publish.read_history()) == 1
    assert submissions.pending("COL").user == "bogota"
    assert not [s for s in at.selectbox if s.key == "upload_restore_version"]
    submissions.approve("COL", HQ)
    assert publish.read_history()[-1]["user"] == "geneva" and publish.read_history()[-1]["submitted_by"] == "bogota"

    # The functions refuse another country too (authorisation where the write happens).
    state = fingerprint(data)
    with pytest.raises(publish.NotAllowed):
        publish.publish_country("PER", peru, BOGOTA)
    with pytest.raises(publish.NotAllowed):
        check_upload("PER", peru, BOGOTA)
    assert fingerprint(data) == state


def test_unreadable_files_get_clear_messages(data: Path) -> None:
    corpus = Path(__file__).parent / "bad_files"
    at = _session(HQ, UPLOAD)
    at.selectbox(key="upload_country").select("COL").run()
    cases = {
        "password": ({"COL.xlsx": (corpus / "password_xlsx" / "COL.xlsx").read_bytes()}, "password"),
        "corrupt": ({"COL.xlsx": (corpus / "corrupt_xlsx" / "COL.xlsx").read_bytes()}, "damaged"),
        "type": ({**dataset_b(), "report.pdf": b"%PDF-1.4 not a table"}, "PDF files cannot be read"),
        "old excel": ({"enterprises.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64}, "97-2003"),
    }
    for name, (files, message) in cases.items():
        _upload(at, files)
        assert message.lower() in "\n".join(_frame(at, "Problem")["Problem"]).lower(), name
        assert not [b for b in at.button if b.key == "upload_publish"], name
    # The report's grid fits a page 800 px wide (768 px inside its margins): no fix cut off at the right edge.
    grid = next(d for d in at.dataframe if "Fix" in d.value.columns)
    config = json.loads(grid.proto.columns)
    widths = [config[name]["width"] for name in grid.value.columns if not config.get(name, {}).get("hidden")]
    assert all(isinstance(w, int) for w in widths) and sum(widths) <= 760, widths


def test_public_sees_a_sign_in_hint_and_nothing_else(data: Path) -> None:
    at = _session(None)
    assert "views/upload.py" not in str(at._registered_pages)  # not listed; but the pages refuse on their own:
    for page in (UPLOAD, QUALITY):
        direct = app(page, timeout=TIMEOUT).run()
        assert not direct.exception
        assert "Sign in" in _texts(direct, "info")
        assert not direct.file_uploader and not direct.dataframe and not direct.expander


def test_data_quality_for_hq_and_country_staff(data: Path) -> None:
    at = _session(HQ, QUALITY)
    labels = [e.label for e in at.main.expander]  # the sidebar's sign-in box is an expander too
    assert any(label.startswith("Training without a follow-up measurement") for label in labels)
    assert len(labels) == 4
    summary = at.table[0].value  # a plain table: every column in view, headings wrapped
    assert list(summary["Country"]) == ["Colombia", "Peru"]  # names, not codes (main since the i18n walk)
    assert (summary["Age (days)"] != "").all() and set(summary["Last change"]) == {"Rebuild"}
    assert "Training without a follow-up measurement" in summary.columns
    # "When" is the day: with its time, four lines in a 1280 px French column (session 21's walk)
    assert all(when and ":" not in when for when in summary["When"]), list(summary["When"])

    at = _session(BOGOTA, QUALITY)
    assert list(at.table[0].value["Country"]) == ["Colombia"]
    frames = [d.value for d in at.dataframe]
    assert any(len(f) for f in frames)  # the demo set has trainings without a follow-up yet
    for frame in frames:
        assert set(frame["Country"]) <= {"Colombia"}  # detail queries: their own country only


def test_upload_limit_is_configured_consistently(data: Path) -> None:
    streamlit_config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    limit = settings.get().max_upload_mb
    assert streamlit_config["server"]["maxUploadSize"] >= limit
    at = _session(HQ, UPLOAD)
    assert at.file_uploader(key="upload_files_0").proto.max_upload_size_mb == round(limit)
    assert f"Up to {limit:g} MB per file" in _texts(at, "caption")


def test_missing_or_damaged_database_is_explained(data: Path) -> None:
    versions = data / "versions"
    (versions / "score-9.duckdb").write_bytes(b"\0garbage" * 512)
    switch_pointer(versions / "score-9.duckdb")
    at = app(timeout=TIMEOUT).run()
    assert not at.exception
    assert "python -m score build" in _texts(at, "error") and "damaged" in _texts(at, "error")
    (data / "score.duckdb").unlink()
    at = app(timeout=TIMEOUT).run()
    assert "No results have been published yet" in _texts(at, "error")


def test_files_are_checked_and_audited_only_when_asked(data: Path) -> None:
    at = _session(BOGOTA, UPLOAD)
    assert at.selectbox(key="upload_country").value == "COL"  # opens on their own country
    _upload(at, dataset_b(), check=False)
    assert not audit.read_events(event="upload") and not [d for d in at.dataframe if "Problem" in d.value.columns]
    assert "Check the files" in _texts(at, "info")
    # Removing a file from the uploader re-runs the page: still nothing checked, nothing audited.
    _upload(at, {k: v for k, v in dataset_b().items() if k != "training.csv"}, check=False)
    assert not audit.read_events(event="upload")
    at.button(key="upload_check_files").click().run()
    (event,) = audit.read_events(event="upload")
    assert event["detail"]["outcome"] == "invalid"
    assert "training.csv is missing" in "\n".join(_frame(at, "Problem")["Problem"])
    # "Clear all files": a fresh, empty uploader and no report.
    at.button(key="upload_clear").click().run()
    assert not at.exception
    uploader = next(u for u in at.file_uploader if str(u.key).startswith("upload_files_"))
    assert uploader.key == "upload_files_1" and not uploader.value
    assert not [d for d in at.dataframe if "Problem" in d.value.columns]
    assert len(audit.read_events(event="upload")) == 1


def test_hq_opens_on_the_country_chosen_in_the_filters(data: Path) -> None:
    at = _session(HQ)
    at.multiselect(key="f_countries").select("PER").run()
    at.switch_page(UPLOAD).run()
    assert not at.exception
    assert at.selectbox(key="upload_country").value == "PER"


def test_the_report_is_redrawn_in_the_readers_language_without_a_new_audit_line(data: Path) -> None:
    at = _session(BOGOTA, UPLOAD)
    peru = {p.name: p.read_bytes() for p in (REPO / "data" / "countries" / "PER").glob("*.csv")}
    _upload(at, peru)
    assert len(audit.read_events(event="upload")) == 1
    check = at.session_state["upload_check"]
    assert check.language == "en"
    at.selectbox(key="score_language").select("es").run()
    assert not at.exception
    assert at.session_state["upload_check"].language == "es"
    assert len(audit.read_events(event="upload")) == 1


def test_the_audit_log_reads_as_sentences_not_stored_keys(data: Path) -> None:
    at = _session(BOGOTA, UPLOAD)
    peru = {p.name: p.read_bytes() for p in (REPO / "data" / "countries" / "PER").glob("*.csv")}
    _upload(at, peru)  # Peru's files for Colombia: rejected, and audited as an upload
    audit.record("sign_in", "geneva", method="password", role="hq")
    audit.record("export", None, kind="pptx", filters={})  # a public visitor's deck
    at = _session(HQ, "views/audit.py")
    log = at.dataframe[0].value
    upload = log[log["event"] == "Upload"].iloc[0]
    assert upload["detail"].startswith("Colombia · not valid · "), upload["detail"]
    assert (
        ' errors · 0 warnings · 4 files: "enterprises.csv", "indicators.csv", "logframe.csv", "training.csv"'
        in (upload["detail"])
    )
    assert "sha256" not in upload["detail"] and "{" not in upload["detail"]
    assert log[log["event"] == "Signed in"].iloc[0]["detail"] == "with a password · HQ"
    export = log[log["event"] == "Exported"].iloc[0]
    assert (export["user"], export["detail"]) == ("–", "PowerPoint deck · filters: no filter")  # not "None"
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2}", upload["at"]), upload["at"]  # not 2026-12-01T…


def test_the_correction_grid_heads_its_columns_in_the_readers_language_keeping_the_file_codes() -> None:
    from score import contract
    from score.i18n import set_language
    from score.labels import column_heading

    female = next(c for c in contract.TABLES["enterprises"].columns if c.name == "workers_female")
    try:
        for lang, heading in (("en", "Female workers"), ("fr", "Travailleuses"), ("es", "Trabajadoras")):
            set_language(lang)
            shown, tooltip = column_heading(female)
            assert shown == heading and tooltip.endswith(": workers_female")  # the code a CSV column is named
            assert all("_" not in column_heading(c)[0] for c in contract.TABLES["enterprises"].columns)
    finally:
        set_language("en")


def test_a_changed_column_reads_as_a_person_says_it_in_every_language() -> None:
    """A changed sector read "Code de secteur (sector): Confection (garments) → ..." before values that are named:
    no column is called a code, an id "from enterprises" or a unit of its description; the file's code stays beside."""
    from score import contract
    from score.i18n import set_language
    from score.labels import column_named

    odd = re.compile(r"\b(code|c[oó]digo|degr[eé]s?|grados|enterprises|tir[eé]|unit[eé]?|unidad)\b", re.IGNORECASE)
    expected = {"en": "Sector (sector)", "fr": "Secteur (sector)", "es": "Sector (sector)"}
    try:
        for lang, sector in expected.items():
            set_language(lang)
            assert column_named("enterprises", "sector") == sector
            for table in contract.TABLES.values():
                for name in table.column_names:
                    shown = column_named(table.name, name)
                    assert shown.endswith(f" ({name})") and not odd.search(shown.removesuffix(f" ({name})")), shown
    finally:
        set_language("en")


def test_the_correction_grid_names_every_coded_value_and_no_heading_is_a_list_of_codes() -> None:
    """A drop-down cell reads "Prendas de vestir (garments)": the name from the reference files (read here
    independently), the code the file keeps beside it; the period and level columns are headed by what they are."""
    from score import contract
    from score.i18n import set_language
    from score.labels import code_names, column_heading
    from tests.oracle import reference_rows

    sectors = reference_rows("sectors")
    try:
        for lang in ("en", "fr", "es"):
            set_language(lang)
            names = code_names("sector")
            assert names == {code: row[f"name_{lang}"] for code, row in sectors.items()}
            assert set(code_names("period")) == set(contract.code_list("period"))
            assert all(name and name != code for code, name in code_names("period").items())
            for table in contract.TABLES.values():
                for col in (c for c in table.columns if c.codes):  # "baseline or follow_up" was a heading
                    heading = column_heading(col)[0]
                    assert " or " not in heading and " ou " not in heading and " o " not in heading, heading
    finally:
        set_language("en")


def test_a_file_name_holding_markdown_is_shown_as_typed(data: Path) -> None:
    at = _session(HQ, UPLOAD)
    at.selectbox(key="upload_country").select("COL").run()
    name = "[pay here](mailto:x@example.org) **now**.csv"
    uploader = next(u for u in at.file_uploader if str(u.key).startswith("upload_files_"))
    uploader.set_value([(name, b"a,b\n", "text/csv"), (name, b"c,d\n", "text/csv")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _texts(at, "error")  # the Markdown the page sends: every mark escaped, so it reads as typed
    assert "](" not in shown and re.search(r"(?<!\\)\*\*", shown) is None, shown
    assert "pay here" in shown, shown


def test_hq_opens_the_upload_page_on_the_one_country_its_filters_chose(data: Path) -> None:
    """HQ may upload for every country: the page opens on the one country chosen in the filters (a link's
    `countries=PER`), else on the first (the journey in tests/e2e/test_journey.py picks it in the browser)."""
    from score import upload
    from score.web.upload_sections import COUNTRY_KEY

    chosen = no_exception(app(scope=HQ, params={"countries": "PER"}, timeout=TIMEOUT).run())
    no_exception(chosen.switch_page(UPLOAD).run())
    assert chosen.selectbox(key=COUNTRY_KEY).value == "PER"
    box = no_exception(chosen.run()).selectbox(key=COUNTRY_KEY)  # every later run sends it (a slow browser's box
    assert box.proto.set_value and box.value == "PER"  # drawn after it would show the first country and send it back)
    first = upload.upload_countries(HQ)[0]
    assert first != "PER" and _session(HQ, UPLOAD).selectbox(key=COUNTRY_KEY).value == first  # none chosen
