"""Review before the public sees it: a country's submission waits, invisible to everyone but its own country's staff
and HQ, until HQ approves it (then it is published) or returns it with a comment; one pending submission per country;
a value typed in the browser grid is reported exactly as the same value in an uploaded file; the history of an
enterprise across versions (who, when, from -> to); every step audited; the command line does the same."""

from __future__ import annotations

import io
import json
import zipfile
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from score import audit, changes, publish, submissions, upload
from score.__main__ import main as cli
from score.access import Scope
from score.i18n import set_language
from score.ingest import validate_submission
from tests.apptest import app, no_exception, reach, rendered_text, walk
from tests.formats import en_int
from tests.oracle import RawData, reference_rows
from tests.pages import as_read
from tests.publishing import REPO, build_small, csv_bytes, csv_rows, dataset_a, expected_totals, fingerprint

HQ = Scope.hq("geneva")
BOGOTA = Scope.country("bogota", {"COL"})
LIMA = Scope.country("lima", {"PER"})
PUBLIC = Scope.public()
PENDING_WORKERS = 987_654  # a count no published version holds: it would show wherever the pending data leaked
PENDING_NAME = "Pendiente Invisible S.A.S."


@pytest.fixture
def data(tmp_path: Path, settings_override) -> Path:
    return build_small(tmp_path, settings_override)


def with_value(files: dict[str, bytes], enterprise: str, column: str, value: str) -> dict[str, bytes]:
    """The files with one cell of the enterprises file changed, as someone would in Excel."""
    name = next(n for n in files if n.endswith("enterprises.csv"))
    header, rows = csv_rows(files[name])
    next(r for r in rows if r["enterprise_id"] == enterprise)[column] = value
    return {**files, name: csv_bytes(header, rows)}


def pending_files() -> dict[str, bytes]:
    """COL's files with one enterprise of PENDING_WORKERS women and one new enterprise named PENDING_NAME."""
    files = with_value(dataset_a(), "COL-0001", "workers_female", str(PENDING_WORKERS))
    header, rows = csv_rows(files["enterprises.csv"])
    rows.append({**rows[1], "enterprise_id": "COL-9001", "name": PENDING_NAME})
    return {**files, "enterprises.csv": csv_bytes(header, rows)}


def first_value(column: str) -> int:
    return int(next(r for r in csv_rows(dataset_a()["enterprises.csv"])[1] if r["enterprise_id"] == "COL-0001")[column])


# ---------------------------------------------------------------------------------------------- states


def test_a_country_submission_waits_for_hq_and_is_published_only_when_approved(data: Path, tmp_path: Path) -> None:
    state = fingerprint(data)
    old = first_value("workers_female")
    files = with_value(dataset_a(), "COL-0001", "workers_female", str(old + 7))
    item, replaced = submissions.submit("COL", files, BOGOTA)
    assert (item.state, item.user, item.kind, replaced) == ("pending", "bogota", "upload", None)
    assert fingerprint(data) == state and len(publish.read_history()) == 1  # nothing published, nothing archived

    # What approving would change: that enterprise, that count, the country's workers before -> after (oracle).
    before, after = expected_totals(tmp_path, dataset_a()), expected_totals(tmp_path, files)
    summary = submissions.summary(item, HQ)
    assert summary.before == before["COL"] and summary.after == after["COL"]
    assert summary.after["workers_reached"] - summary.before["workers_reached"] == 7
    assert [(c.key, c.column, c.old, c.new) for c in summary.largest] == [
        ("COL-0001", "workers_female", str(old), str(old + 7))
    ]
    assert {t: (len(d.added), len(d.removed), d.rows_changed) for t, d in summary.diffs.items()} == {
        "enterprises": (0, 0, 1),
        "training": (0, 0, 0),
        "indicators": (0, 0, 0),
        "logframe": (0, 0, 0),
    }
    assert set(summary.quality) == set(upload.DQ_QUERIES)

    # Country staff may not decide; HQ returns with a comment (required), the submitter reads it.
    with pytest.raises(publish.NotAllowed):
        submissions.approve("COL", BOGOTA)
    with pytest.raises(submissions.SubmissionError):
        submissions.return_submission("COL", HQ, "  ")
    submissions.return_submission("COL", HQ, "COL-0001: check the count of women")
    latest = submissions.latest("COL")
    assert (latest.state, latest.comment, latest.decided_by) == (
        "returned",
        "COL-0001: check the count of women",
        "geneva",
    )
    with pytest.raises(submissions.SubmissionError):
        submissions.approve("COL", HQ)  # nothing pending any more
    assert fingerprint(data) == state

    # Resubmitted and approved: published through score.publish, archived, with who submitted it.
    submissions.submit("COL", files, BOGOTA)
    approved, result = submissions.approve("COL", HQ)
    assert (approved.state, approved.version, result.version) == ("approved", 2, 2)
    entry = publish.read_history()[-1]
    assert (entry["user"], entry["submitted_by"], entry["country"]) == ("geneva", "bogota", "COL")
    assert upload.headline(HQ, "COL") == after["COL"]
    steps = [(e["event"], e["detail"].get("outcome")) for e in reversed(audit.read_events(limit=20))]
    assert [e for e, outcome in steps if e in list(audit.EVENTS)[-5:]] == [
        "submitted",
        "approved",  # refused: country staff may not approve
        "returned",
        "submitted",
        "approved",
    ]
    assert [outcome for e, outcome in steps if e == "approved"] == ["refused: not allowed", None]


def test_hq_reads_a_submissions_report_in_its_own_language_after_the_submitter_read_it_in_spanish(data: Path) -> None:
    # A file saved by Excel in Spanish settings (Windows-1252, not UTF-8): the report warns about it. The submitter
    # sees the pending figures in Spanish first; HQ then reviews in French, and must not be handed Spanish sentences.
    files = with_value(dataset_a(), "COL-0001", "name", "Panadería Núñez S.A.S.")
    files = {**files, "enterprises.csv": files["enterprises.csv"].decode("utf-8").encode("cp1252")}
    item, _ = submissions.submit("COL", files, BOGOTA)
    problems = {}
    try:
        for language, scope in (("es", BOGOTA), ("fr", HQ), ("en", HQ)):
            set_language(language)
            problems[language] = [issue.problem for issue in submissions.summary(item, scope).report.warnings]
    finally:
        set_language("en")
    assert problems == {
        "es": ["El archivo no está en UTF-8; se leyó como texto de Windows (Europa occidental, cp1252)."],
        # a narrow no-break space before ;
        "fr": ["Le fichier n'est pas en UTF-8\u202f; il a été lu comme texte Windows (Europe occidentale, cp1252)."],
        "en": ["The file is not UTF-8; it was read as Windows text (Western European, cp1252)."],
    }


def test_the_candidate_figures_of_the_same_files_for_the_same_viewer_are_built_once(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reload that checks a kept draft again, the check written again in another language, HQ's review in another
    language: the same files for the same viewer are built into a candidate database once (~2 s of CPU each)."""
    monkeypatch.setattr(upload, "_candidates", OrderedDict())  # as in a new process
    built: list[str] = []
    original = upload.build_database
    monkeypatch.setattr(upload, "build_database", lambda *a, **k: built.append(a[1][0].country) or original(*a, **k))
    files = dataset_a()
    report = validate_submission("COL", files)
    first = upload.candidate_figures("COL", report, files, BOGOTA)
    assert upload.candidate_figures("COL", report, files, BOGOTA) == first and built == ["COL"]
    upload.candidate_figures("COL", report, files, HQ)  # another viewer: built for it
    changed = with_value(files, "COL-0001", "workers_female", str(first_value("workers_female") + 7))
    after, _quality = upload.candidate_figures("COL", validate_submission("COL", changed), changed, BOGOTA)
    assert built == ["COL", "COL", "COL"] and after["workers_reached"] == first[0]["workers_reached"] + 7


def test_one_pending_submission_per_country_a_new_one_replaces_it(data: Path) -> None:
    first, _none = submissions.submit("COL", dataset_a(), BOGOTA)
    second, replaced = submissions.submit("COL", with_value(dataset_a(), "COL-0002", "workers_male", "3"), BOGOTA)
    assert replaced is not None and replaced.id == first.id
    states = {s.id: (s.state, s.replaced_by) for s in submissions.all_submissions("COL")}
    assert states == {first.id: ("withdrawn", second.id), second.id: ("pending", None)}
    assert submissions.pending("COL").id == second.id
    peru, _none = submissions.submit(
        "PER", {p.name: p.read_bytes() for p in (REPO / "data/countries/PER").glob("*.csv")}, LIMA
    )
    assert {s.country for s in submissions.all_submissions() if s.state == "pending"} == {"COL", "PER"}
    # Each sees their own; HQ sees all; the public and broken scopes none.
    assert {s.country for s in submissions.visible(BOGOTA)} == {"COL"}
    assert {s.country for s in submissions.visible(LIMA)} == {"PER"}
    assert {s.country for s in submissions.visible(HQ)} == {"COL", "PER"}
    assert submissions.visible(PUBLIC) == [] and submissions.visible(None) == []
    with pytest.raises(publish.NotAllowed):
        submissions.withdraw("COL", LIMA)
    submissions.withdraw("COL", BOGOTA)
    assert submissions.pending("COL") is None and submissions.pending("PER").id == peru.id
    assert audit.read_events(limit=1)[0]["event"] == "withdrawn"


def test_a_rejected_submission_stores_nothing(data: Path) -> None:
    files = with_value(dataset_a(), "COL-0001", "workers_female", "-5")
    with pytest.raises(publish.RejectedUpload):
        submissions.submit("COL", files, BOGOTA)
    assert submissions.all_submissions() == []
    with pytest.raises(publish.NotAllowed):
        submissions.submit("COL", dataset_a(), LIMA)


def test_the_command_line_lists_approves_and_returns(data: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli(["submissions"]) == 0 and "No pending submission" in capsys.readouterr().out
    submissions.submit("COL", dataset_a(), BOGOTA)
    assert cli(["submissions"]) == 0
    listed = capsys.readouterr().out
    assert "COL" in listed and "pending" in listed and "bogota" in listed
    assert cli(["return", "COL", "--comment", "Training dates of 2011 missing"]) == 0
    assert "Training dates of 2011 missing" in capsys.readouterr().out
    assert cli(["approve", "COL"]) == 1  # returned: nothing pending
    submissions.submit("COL", dataset_a(), BOGOTA)
    assert cli(["approve", "COL", "--user", "ops"]) == 0
    assert "version 2" in capsys.readouterr().out
    assert publish.read_history()[-1]["user"] == "ops"
    assert cli(["submissions", "--all"]) == 0
    assert "approved" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------- grid = file


def test_a_bad_value_typed_in_the_grid_is_reported_as_the_same_value_in_an_uploaded_file(data: Path) -> None:
    set_language("es")
    try:
        for column, value, typed, named in (
            ("workers_female", "-5", -5, "Trabajadoras (workers_female)"),
            ("workers_male", "12.5", 12.5, "Trabajadores hombres (workers_male)"),
        ):
            # The grid: the published tables as the editor holds them, one cell typed, written as upload files.
            tables = upload.current_tables("COL", BOGOTA)
            frame = tables["enterprises"]
            frame[column] = frame[column].astype("object")
            frame.loc[frame["enterprise_id"] == "COL-0004", column] = typed
            from_grid = upload.check_upload("COL", upload.edited_files("COL", tables), BOGOTA)
            # The file: the current data downloaded as CSV, the same cell changed in a spreadsheet, uploaded.
            downloaded = upload.current_files("COL", BOGOTA, "csv")
            from_file = upload.check_upload("COL", with_value(downloaded, "COL-0004", column, value), BOGOTA)
            grid_lines = from_grid.report.for_people()
            file_lines = from_file.report.for_people()
            assert len(grid_lines) == 1 and grid_lines.equals(file_lines), (grid_lines, file_lines)
            line = grid_lines.iloc[0].to_dict()
            assert (line["Archivo"], line["Filas"], line["Columna"], line["Valor"]) == (
                upload.current_file_names("COL")["enterprises"],
                "5",  # the grid's fourth row is the file's row 5 (the header is row 1)
                named,  # the column as the rest of the product names it, the file's code beside
                value,
            )  # headings and words in the reader's language (Spanish)
    finally:
        set_language("en")


# ---------------------------------------------------------------------------------------------- history


def test_an_enterprise_history_across_three_versions_says_who_when_and_from_to(data: Path) -> None:
    old = first_value("workers_female")
    submissions.submit("COL", with_value(dataset_a(), "COL-0001", "workers_female", str(old + 7)), BOGOTA)
    submissions.approve("COL", HQ)  # version 2: submitted by bogota, approved by geneva
    corrected = with_value(dataset_a(), "COL-0001", "workers_female", str(old + 5))
    corrected = with_value(corrected, "COL-0001", "city", "Envigado")
    publish.publish_country("COL", corrected, Scope.hq("quito"))  # version 3: HQ directly
    history = changes.value_history("COL", "COL-0001", "enterprise", HQ)
    entries = {e["version"]: e for e in publish.read_history()}
    changed = history[history["column"] != ""]
    assert changed[["version", "user", "submitted_by", "column", "old", "new"]].values.tolist() == [
        [2, "geneva", "bogota", "workers_female", str(old), str(old + 7)],
        [3, "quito", "", "city", "Medellín", "Envigado"],
        [3, "quito", "", "workers_female", str(old + 7), str(old + 5)],
    ]
    for _i, row in changed.iterrows():
        assert row["at"] == pd.Timestamp(entries[row["version"]]["at"])
    first = history[history["version"] == 1]  # the enterprise appears in version 1: its rows, added
    assert set(first["table"]) == {"enterprises", "training"} and (first["old"] == "").all()
    assert f"workers_female={old}" in first[first["table"] == "enterprises"]["new"].iloc[0]
    # Only roles that may see the enterprise: its own country's staff and HQ.
    assert changes.value_history("COL", "COL-0001", "enterprise", BOGOTA).equals(history)
    assert changes.value_history("COL", "COL-0001", "enterprise", LIMA).empty
    assert changes.value_history("COL", "COL-0001", "enterprise", PUBLIC).empty


def test_a_logframe_indicator_history(data: Path) -> None:
    header, rows = csv_rows(dataset_a()["logframe.csv"])
    rows[0]["actual"] = str(float(rows[0]["actual"] or 0) + 3)
    publish.publish_country("COL", {**dataset_a(), "logframe.csv": csv_bytes(header, rows)}, HQ)
    history = changes.value_history("COL", rows[0]["indicator"], "indicator", HQ)
    assert history[history["version"] == 2][["table", "column"]].values.tolist() == [["logframe", "actual"]]


# ---------------------------------------------------------------------------------------------- invisible


@pytest.mark.slow
def test_a_pending_submission_is_invisible_to_all_but_its_country_staff_and_hq(data: Path, tmp_path: Path) -> None:
    from score import presentation
    from score.web import ui

    published = expected_totals(tmp_path, dataset_a())
    pending = expected_totals(tmp_path, pending_files())
    submissions.submit("COL", pending_files(), BOGOTA)
    secret = {PENDING_NAME, en_int(PENDING_WORKERS), en_int(pending["all"]["workers_reached"])}
    own_view = {en_int(pending["COL"]["workers_reached"])}  # the pending figures, marked as pending
    pages = sorted(f"views/{p.name}" for p in (REPO / "views").glob("*.py"))
    for name, scope in {"public": PUBLIC, "PER staff": LIMA, "COL staff": BOGOTA, "HQ": HQ}.items():
        for page, at in walk(pages, scope):  # listed or not: a page not listed must refuse by itself
            try:
                sheets = at.session_state[ui.PAGE_SHEETS_KEY]
            except KeyError:
                sheets = {}
            shown = rendered_text(at) + "".join(f.to_csv() for f in dict(sheets or {}).values() if hasattr(f, "to_csv"))
            allowed = (name in ("COL staff", "HQ") and page == "views/upload.py") or (
                name == "HQ" and page == "views/review.py"
            )
            reviewing = name == "HQ" and page == "views/review.py"
            # HQ's review lists the largest changes, this cell's new count among them, in the page's number format
            cells = {en_int(PENDING_WORKERS)} if reviewing else set()
            leaked = sorted(s for s in (secret - cells) | (set() if allowed else own_view) if s in shown)
            assert not leaked, f"{page} as {name} shows pending data: {leaked}"
            if (name, page) in (("COL staff", "views/upload.py"), ("HQ", "views/review.py")):
                assert all(v in shown for v in own_view | cells), (page, name)  # there, marked as pending
    # The deck and the current data files (exports) hold the published figures only.
    for role in ("public", "hq"):
        with zipfile.ZipFile(io.BytesIO(presentation.deck_from_link("", "en", role))) as deck:
            xml = "".join(deck.read(n).decode("utf-8", "replace") for n in deck.namelist() if n.endswith(".xml"))
        assert PENDING_NAME not in xml and str(PENDING_WORKERS) not in xml and en_int(PENDING_WORKERS) not in xml
        total = published["all"]["workers_reached"]
        assert role == "public" or en_int(total) in xml or str(total) in xml  # HQ's deck holds the published total
    current = upload.current_files("COL", BOGOTA, "csv")
    assert PENDING_NAME.encode() not in b"".join(current.values())
    assert upload.headline(HQ, "COL") == published["COL"]
    assert RawData(data / "countries").kpis(countries={"COL"})["workers_reached"] == published["COL"]["workers_reached"]


def test_a_submitted_file_name_holding_markdown_reads_as_typed_on_hqs_review_page(data: Path) -> None:
    # A contract file name is matched loosely, so a country user can name a file with a link in it.
    files = dataset_a()
    files["enterprises [Approve now](mailto:x@example.org).csv"] = files.pop("enterprises.csv")
    submissions.submit("COL", files, BOGOTA)
    at = reach("views/review.py", HQ)
    caption = next(str(c.value) for c in at.caption if "Approve now" in str(c.value))
    assert "](" not in caption and "\\[Approve now\\]" in caption, caption


def test_hqs_review_names_a_changed_column_in_the_page_language_beside_the_files_code(data: Path) -> None:
    """A French page read "Colonne : workers_female": the column's name in French, and the code the country's
    file uses, which the submitter looks for."""
    submissions.submit("COL", with_value(dataset_a(), "COL-0001", "workers_female", "4321"), BOGOTA)
    at = reach("views/review.py", HQ, {"lang": "fr"})
    (largest,) = [as_read(t.value) for t in at.table if "Colonne" in t.value.columns]
    assert largest["Colonne"].tolist() == ["Travailleuses (workers_female)"]


def test_what_a_submission_changes_is_found_column_by_column_whatever_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # A row-wise key join and a lookup per cell took minutes for 100,000 training rows (measured: canonical 95 s,
    # now 0.8 s; the diff of 50,000 changed rows 43 s + 190 s, now 5 s): HQ's Review page waited on it.
    def row_by_row(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Python step per row")

    files = dataset_a()
    _header, rows = csv_rows(files["training.csv"])
    before = pd.DataFrame(rows)
    after = before.copy()
    after.loc[0, "workers_male"] = "99"
    after.loc[1, "consultation_visits"] = "7"
    after.loc[1, "workers_female"] = "0"
    after = after.drop(index=2)
    monkeypatch.setattr(pd.DataFrame, "agg", row_by_row)
    monkeypatch.setattr(pd.DataFrame, "apply", row_by_row)
    diff = changes.diff_table("training", before, after)
    key = " · ".join
    assert diff.removed == [key((rows[2]["enterprise_id"], rows[2]["module"]))]
    assert [(c.key, c.column, c.old, c.new) for c in diff.changed] == [
        (key((rows[0]["enterprise_id"], rows[0]["module"])), "workers_male", rows[0]["workers_male"], "99"),
        (key((rows[1]["enterprise_id"], rows[1]["module"])), "workers_female", rows[1]["workers_female"], "0"),
        (
            key((rows[1]["enterprise_id"], rows[1]["module"])),
            "consultation_visits",
            rows[1]["consultation_visits"],
            "7",
        ),
    ]


def test_a_changed_rows_key_names_its_module_indicator_and_period_as_the_review_page_does() -> None:
    """The review's Row of a training row read "COL-0001 · WC" beside From/To cells named in full: each code of a key
    is named as the page names a code ("Coopération sur le lieu de travail (WC)"), ids as they are, a logframe row's
    date as the logframe page writes it in French (it read 2013-09-30, in ISO, on the French review page)."""
    from score.labels import value_named

    modules, indicators = reference_rows("modules"), reference_rows("indicators")  # read independently
    set_language("fr")
    try:
        training = changes.key_named("training", "COL-0001 · WC")
        indicator = changes.key_named("indicators", "COL-0001 · accidents · follow_up")
        logframe = changes.key_named("logframe", "mous_signed · 2013-09-30")
        joined = value_named("enterprises", "joined_on", "2011-04-02")
    finally:
        set_language("en")
    assert training == f"COL-0001 · {modules['WC']['name_fr']} (WC)"
    assert indicator.startswith(f"COL-0001 · {indicators['accidents']['name_fr']} (accidents) · ")
    assert indicator.endswith(" (follow_up)") and "Follow-up" not in indicator  # the period in French too
    assert logframe.endswith(" (mous_signed) · 30 sept. 2013") and joined == "2 avr. 2011"
    assert changes.key_named("enterprises", "COL-0001") == "COL-0001"


def test_a_changed_number_reads_with_the_readers_marks_and_the_decimals_it_has() -> None:
    """The review's From/To showed the file's canonical text on a French page ("22.4", "3.0", "12565"): a number is
    written as the rest of the page writes numbers; a cell the validator refuses stays as typed."""
    from score.labels import value_named

    set_language("fr")
    try:
        shown = [
            value_named("logframe", "actual", "22.4"),
            value_named("logframe", "target", "3.0"),
            value_named("enterprises", "workers_female", "12565"),
            value_named("enterprises", "latitude", "-4.0383"),
            value_named("enterprises", "workers_female", "douze"),
            value_named("enterprises", "workers_female", "nan"),
        ]
    finally:
        set_language("en")
    assert [s.replace("\u202f", " ").replace("\xa0", " ") for s in shown] == [
        "22,4",
        "3",
        "12 565",
        "\u22124,0383",  # French writes the minus sign, as the pages do
        "douze",
        "nan",
    ]
    assert value_named("enterprises", "workers_female", "12565") == "12,565"


def test_the_upload_preview_lists_each_changed_enterprise_with_what_changed_without_a_lookup_per_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 40,000 changed enterprises took 15.6 s with a label lookup per cell (DataFrame.at); now 1.7 s.
    _header, rows = csv_rows(dataset_a()["enterprises.csv"])
    before = pd.DataFrame(rows)
    after = before.copy()
    after.loc[1, "name"] = "Nueva S.A.S."
    after.loc[1, "city"] = ""
    after.loc[3, "workers_male"] = "999"
    sector = next(code for code in ("garments", "textiles") if code != rows[3]["sector"])
    after.loc[3, "sector"] = sector
    monkeypatch.setattr(pd.DataFrame, "at", property(lambda frame: pytest.fail("a lookup per cell")))
    added, changed, removed = upload.diff_enterprises(before, after)
    assert added.empty and removed.empty
    # each column by its name and the code the file holds; a sector by its name too (its code alone was jargon)
    sectors = {code: row["name_en"] for code, row in reference_rows("sectors").items()}  # read independently
    assert changed.to_dict("records") == [
        {
            "enterprise_id": rows[1]["enterprise_id"],
            "name": "Nueva S.A.S.",
            "columns": "Enterprise name (name), City or town (city)",
            "changes": (
                f"Enterprise name (name): {rows[1]['name']} → Nueva S.A.S.; City or town (city): {rows[1]['city']} → –"
            ),
        },
        {
            "enterprise_id": rows[3]["enterprise_id"],
            "name": rows[3]["name"],
            "columns": "Sector (sector), Male workers (workers_male)",
            "changes": (
                f"Sector (sector): {sectors[rows[3]['sector']]} ({rows[3]['sector']}) → "
                f"{sectors[sector]} ({sector}); "
                f"Male workers (workers_male): {rows[3]['workers_male']} → 999"
            ),
        },
    ]
    set_language("fr")  # the page writes the check again in the reader's language
    try:
        changed = upload.diff_enterprises(before, after)[1]
    finally:
        set_language("en")
    assert changed["changes"].iloc[1].endswith(f"Travailleurs hommes (workers_male): {rows[3]['workers_male']} → 999")


def test_an_empty_cell_reads_as_a_dash_wherever_a_change_is_listed() -> None:
    """The preview, the review's largest changes and the history of a value name a cell in one place: a code with
    its name, an empty cell a dash (an empty "From" or "To" read as a table cut off)."""
    from score.labels import value_named
    from score.web.review_sections import named_values

    modules = {code: row["name_en"] for code, row in reference_rows("modules").items()}  # read independently
    history = pd.DataFrame(
        {"table": ["enterprises", "training"], "column": ["city", "module"], "old": ["", "WC"], "new": ["Cali", ""]}
    )
    assert named_values(history, "old") == ["–", f"{modules['WC']} (WC)"]
    assert named_values(history, "new") == ["Cali", "–"]
    assert value_named("enterprises", "sector", "") == "–"  # the review's From/To of a new or removed cell


def test_the_previews_changed_enterprises_fit_the_expander_at_1280_px_with_long_changes_wrapped() -> None:
    """Id, name and the changes (a Columns column beside them scrolled the grid sideways in French once the columns
    were named): within the expander's 784 px, the changes wrapped in rows tall enough for the grid to wrap."""

    def page() -> None:
        import pandas as pd

        from score.web.upload_sections import changes_grid

        changes = "; ".join(["Travailleuses (workers_female): 14 → 21"] * 4) + "; +2: Ville (city), Province (province)"
        changes_grid(pd.DataFrame({"Id": ["COL-0001"], "Name": ["Modas Rojas S.A.S."], "Changes": [changes]}), "k")

    at = AppTest.from_function(page).run()
    (grid,) = at.dataframe
    config = json.loads(grid.proto.columns)
    assert list(at.dataframe[0].value.columns) == ["Id", "Name", "Changes"]
    assert sum(config[heading]["width"] for heading in ("Id", "Name", "Changes")) <= 784, config
    lines = (grid.proto.row_height - 8) // 20
    assert grid.proto.row_height > 64 and lines * (config["Changes"]["width"] - 16) >= 6.2 * 200, grid.proto.row_height


# ---------------------------------------------------------------------------------------------- odd file names


def test_odd_uploaded_file_names_are_stored_under_safe_names(data: Path) -> None:
    """A browser may send any name its system allows: 240 characters, a line break, a control character, a
    Windows path, a leading dot. The submission is stored (not an OSError on a too-long name) under names that
    are one plain file each, and reads back as the same tables."""
    files = dataset_a()
    odd = {
        "enterprises.csv": "COL-" + "x" * 236 + "-enterprises.csv",
        "training.csv": "C:\\Users\\ana\\..\\COL\ntraining\x00\x1b.csv",
    }
    renamed = {odd.get(name, name): raw for name, raw in files.items()}
    item, _replaced = submissions.submit("COL", renamed, BOGOTA)
    stored = sorted(p.name for p in (item.folder / "files").iterdir())
    assert len(stored) == len(files)
    for name in stored:
        assert len(name.encode()) <= 120 and name.isprintable() and not name.startswith(".") and "\\" not in name
    assert sorted(item.read_files().values()) == sorted(files.values())
    submissions.approve("COL", HQ)
    folder = sorted(p.name for p in (data / "countries" / "COL").iterdir())
    assert "enterprises.csv" in folder and "training.csv" in folder


def test_a_demo_hq_approving_real_data_is_asked_once_then_told_what_was_published_after_its_account_ends(
    data: Path,
) -> None:
    """The first real data often arrives this way: a real country account submits, HQ still on the demo account
    approves. The approval ends every demo account, HQ's own: asked once before, and the confirmation stays after."""
    from score import auth
    from score.web import signin, ui
    from tests.apptest import app

    assert auth.demo_accounts_allowed()
    auth.add_user("geneva", "geneva-demo-2013", "hq", [], demo=True)
    submissions.submit("COL", pending_files(), BOGOTA)  # a real account: approved, it is real data
    session, _handoff = auth.start_session("geneva", auth.verify("geneva", "geneva-demo-2013"))
    at = app(state={signin.SESSION_KEY: session}).run()  # signed in (a sign-in's run sets this)
    assert at.session_state[ui.SCOPE_KEY].is_hq
    at.switch_page("views/review.py").run()
    assert not at.exception
    assert "end the demo accounts" not in rendered_text(at)  # said once, beside the confirm button
    at.button(key="review_approve").click().run()
    assert submissions.pending("COL") is not None, "the first click only asks"
    warning = " ".join(str(w.value) for w in at.warning)
    assert "ends the demo accounts, this one included" in warning, warning
    at.button(key="review_approve_confirm").click().run()
    assert not at.exception, [str(e.value)[:300] for e in at.exception]
    assert submissions.pending("COL") is None and not auth.demo_accounts_allowed()
    assert at.session_state[ui.SCOPE_KEY] == PUBLIC  # signed out by its own approval
    said = [str(s.value) for s in at.success] + [str(i.value) for i in at.info]
    assert any(text.startswith("Approved: Colombia is version") for text in said), said
    assert "Your demo account has ended because real data is now published." in said, said
    assert "Published versions of Colombia" in [str(h.value) for h in at.main.subheader]  # as the warning promised


def test_another_countrys_staff_reach_nothing_of_colombias_through_any_entry_point(data: Path) -> None:
    """Peru's staff, as a script would: every function the upload and review pages call, with Colombia's code (the
    values a websocket can send for the page's widgets), and the pages with Colombia written into their widget
    state. Colombia's pending submission (PENDING_NAME) and its enterprise ids never reach them; every refusal
    changes nothing and is audited."""
    from score.web import upload_sections

    item, _replaced = submissions.submit("COL", pending_files(), BOGOTA)
    state = fingerprint(data)
    ids = {r["enterprise_id"] for r in csv_rows(dataset_a()["enterprises.csv"])[1]}
    refused = [
        lambda: submissions.submit("COL", pending_files(), LIMA),
        lambda: submissions.approve("COL", LIMA),
        lambda: submissions.approve("COL", BOGOTA),  # country staff never approve, even their own
        lambda: submissions.withdraw("COL", LIMA),
        lambda: submissions.return_submission("COL", LIMA, "no"),
        lambda: submissions.summary(item, LIMA),
        lambda: upload.check_upload("COL", dataset_a(), LIMA),
        lambda: upload.current_files("COL", LIMA, "csv"),
        lambda: upload.current_files("COL", LIMA, "xlsx"),
        lambda: upload.current_tables("COL", LIMA),
        lambda: upload.published_logframe_rows("COL", LIMA),
        lambda: upload.restore("COL", 1, LIMA),
        lambda: upload.restore("COL", 1, BOGOTA),  # restoring is HQ's
    ]
    for attempt in refused:
        with pytest.raises(publish.NotAllowed):
            attempt()
    assert submissions.visible(LIMA) == [] and [s.id for s in submissions.visible(BOGOTA)] == [item.id]
    assert upload.history("COL", LIMA).empty
    assert changes.value_history("COL", "COL-0001", "enterprise", LIMA).empty
    assert fingerprint(data) == state and submissions.pending("COL").id == item.id  # nothing changed
    refusals = [e for e in audit.read_events(limit=50) if str(e["detail"].get("outcome", "")).startswith("refused")]
    assert {e["user"] for e in refusals} >= {"lima", "bogota"}

    # The pages, with Colombia in every widget a script can set: the upload page's country, the review page's
    # submission, the value history's enterprise.
    hostile = {
        upload_sections.COUNTRY_KEY: "COL",
        "review_country": "COL",
        "value_history_subject": ("enterprise", "COL-0001"),
    }
    for page in ("views/upload.py", "views/review.py"):
        shown = rendered_text(_page(page, LIMA, hostile))
        leaked = sorted(s for s in {PENDING_NAME, *ids} if s in shown)
        assert not leaked, f"{page} as Peru's staff shows Colombia's: {leaked[:5]}"
    own = rendered_text(_page("views/upload.py", BOGOTA, hostile))
    assert "COL-0001" in own  # the same state shows Colombia's staff their history: the check above could fail
    assert fingerprint(data) == state


def _page(page: str, scope: Scope, state: dict[str, object]) -> AppTest:
    """`page` run directly (as a typed address) with `state` written into its widgets' keys."""
    return no_exception(app(page, scope=scope, state=state).run(), page)
