"""The upload flow behind views/upload.py, without Streamlit: who may upload what, check, preview, publish.

1. `check_upload(country, files, scope)`: validate (score.ingest) and, when the files are valid, preview
   their effect: enterprises added / changed / removed against the published rows of that country (the
   detail query `upload_current_enterprises`, so country staff only ever read their own country), and
   the headline totals before and after. "After" builds the uploaded country alone into a temporary
   DuckDB file with the same schema and runs the same named query on it, so no measure is defined twice.
2. `publish(...)` / `restore(...)`: score.publish, which checks the scope again where the write happens.
3. `current_files(country, scope, kind)`: the country's published data in upload format (CSV set or one
   workbook, score.templates), read with detail queries under the viewer's scope, to correct and upload back.
4. `history(country, scope)`: per version who, when, what changed (enterprises added / changed / removed and
   the headline figures before and after, compared with the country's previous version) and restored from.

Every check is audited as an `upload` event (publish and restore are audited by score.publish), every
download of current data as an `export` event.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from score import (
    audit,
    auth,
    changes,
    config,
    contract,
    db,
    disclosure,
    journal,
    labels,
    measures,
    publish,
    templates,
    versions,
)
from score.access import Scope
from score.build import CountryInput, build_database, schema_fingerprint, validation_fingerprint
from score.filters import Filters
from score.i18n import _, current_language
from score.ingest import ValidationReport
from score.ingest.bounded import validate_bounded
from score.ingest.names import stored_file_name

HEADLINE = measures.HEADLINE  # the reach figures a preview compares before and after
MAX_CHANGES_SHOWN = 4  # per changed enterprise, "column: old -> new" items in the preview


@dataclass(frozen=True)
class Preview:
    added: pd.DataFrame  # enterprise_id, name, sector, province
    changed: pd.DataFrame  # enterprise_id, name, columns, changes
    removed: pd.DataFrame  # enterprise_id, name, sector, province
    before: dict[str, int | None]
    after: dict[str, int | None]
    # Logframe rows published now that the upload removes: its logframe file or sheet has its header row alone.
    logframe_removed: int = 0
    # Logframe rows published now that an upload without a logframe keeps (score.publish.kept_logframe_file).
    logframe_kept: int = 0


@dataclass(frozen=True)
class UploadCheck:
    country: str
    files: dict[str, bytes]
    report: ValidationReport
    preview: Preview | None
    digest: str
    language: str = "en"  # the language the report was written in
    version: int | None = None  # the published version the preview compared with (None: nothing published)

    @property
    def ok(self) -> bool:
        return self.report.ok


# ---------------------------------------------------------------------------------------------- access


def may_upload(scope: object) -> bool:
    """HQ and country staff with at least one country; the public view and broken scopes may not."""
    return isinstance(scope, Scope) and scope.can_upload


def upload_countries(scope: object) -> list[str]:
    """The countries this viewer may upload for (HQ: all; country staff: their own)."""
    return sorted(scope.detail_countries) if isinstance(scope, Scope) and may_upload(scope) else []


def _require(scope: object, country: str) -> None:
    if country not in upload_countries(scope):
        raise publish.NotAllowed(_("You may not upload data for {country}; nothing was changed.", country=country))


def default_country(scope: object, chosen: Iterable[str] = ()) -> str | None:
    """The country the upload page opens on: the viewer's own (country staff), else the one country chosen
    in the filters, else the first they may upload for."""
    countries = upload_countries(scope)
    picked = [c for c in chosen if c in countries]
    if len(picked) == 1:
        return picked[0]
    return countries[0] if countries else None


def is_demo_account(scope: object) -> bool:
    """Signed in with one of the demo accounts (published passwords, see README "Demo users")."""
    user = scope.user if isinstance(scope, Scope) else None
    return bool(user) and any(info.demo and info.username == user for info in auth.list_users())


PUBLISHED_KEY = "upload_published"  # session state: the last publish of this session (views/upload.py)


def demo_publish_shown(state: Mapping[str, object]) -> bool:
    """Whether this session's last publish was by a demo account that it ended: the upload page then still
    shows its confirmation and history (read while the account worked), and why the account has ended."""
    done = state.get(PUBLISHED_KEY)
    return isinstance(done, dict) and done.get("demo_ended") is True


DEMO_APPROVED_KEY = "review_demo_ended"  # session state: an approval that ended the approver's own demo account


def demo_approval_shown(state: Mapping[str, object]) -> bool:
    """Whether this browser session's demo account ended with its own approval: the Review page then still says
    what was published and why the account has ended (views/review.py)."""
    return isinstance(state.get(DEMO_APPROVED_KEY), dict)


def demo_ends_on_publish(country: str) -> bool:
    """Publishing `country` replaces demo data with real data, which ends every demo account."""
    return auth.demo_accounts_allowed() and publish.is_demo_folder(config.countries_dir() / country)


# ---------------------------------------------------------------------------------------------- files


def collect_files(uploaded: Iterable[tuple[str, bytes]]) -> tuple[dict[str, bytes], list[str]]:
    """(name, bytes) pairs from the upload widget -> {name: bytes}, plus names that came twice."""
    files: dict[str, bytes] = {}
    twice: list[str] = []
    for name, raw in uploaded:
        base = stored_file_name(name)
        if base in files:
            twice.append(base)
            continue
        files[base] = bytes(raw)
    return files, twice


def digest(country: str, files: Mapping[str, bytes]) -> str:
    """Identifies one upload (country + names + bytes), so a page rerun does not check it again."""
    h = hashlib.sha256(country.encode())
    for name in sorted(files):
        h.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def describe(files: Mapping[str, bytes]) -> list[dict[str, object]]:
    return [{"name": n, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()} for n, b in sorted(files.items())]


# ---------------------------------------------------------------------------------------------- check + preview


def check_upload(
    country: str, files: Mapping[str, bytes], scope: Scope, path: Path | None = None, *, audited: bool = True
) -> UploadCheck:
    """Validate an upload and preview its effect; changes nothing. Raises NotAllowed outside the scope.

    `audited=False` only to write the same check again in another language (the page does that when the
    reader switches language): the check the person asked for is in the audit log already."""
    country = (country or "").strip().upper()
    _require(scope, country)
    files = dict(files)
    report = validate_bounded(country, files)  # a worker process, bounded in time and memory
    if audited:
        audit.record(
            "upload",
            scope.user,
            country=country,
            files=describe(files),
            outcome="valid" if report.ok else "invalid",
            errors=len(report.errors),
            warnings=len(report.warnings),
        )
    preview = preview_effect(country, report, files, scope, path) if report.ok else None
    against = path or versions.current()
    version = versions.number_of(against) if against is not None else None
    return UploadCheck(country, files, report, preview, digest(country, files), current_language(), version)


def headline(scope: Scope, country: str, path: Path | None = None) -> dict[str, int | None]:
    """Enterprises, workers reached, people trained, modules delivered for one country in one version."""
    frame = db.run_query("overview_kpis", scope, Filters(countries=(country,)), path=path)
    row = frame.iloc[0]
    return {k: None if pd.isna(row[k]) else int(row[k]) for k in HEADLINE}


DQ_QUERIES = ("dq_no_training", "dq_no_follow_up", "dq_outliers", "dq_missing_sex")  # the Data quality page's


def quality_counts(scope: Scope, country: str, path: Path | None = None) -> dict[str, int]:
    """Rows each data quality check (queries/dq_*.sql, as on the Data quality page) flags for one country."""
    only = Filters(countries=(country,))
    return {name: len(db.run_query(name, scope, only, path=path)) for name in DQ_QUERIES}


# Candidate figures already built in this process, the most recent last: a reload that checks a kept draft again,
# the check written again in another language and HQ's review in another language build the same ones (~2 s of CPU
# each). They depend on the files, the viewer, the record-key secret, the schema and the validator with its code
# lists; not on the version published now (the country is built alone).
_CANDIDATES_KEPT = 32
_candidates: OrderedDict[tuple[object, ...], tuple[dict[str, int | None], dict[str, int]]] = OrderedDict()
_candidates_lock = threading.Lock()


def candidate_figures(
    country: str, report: ValidationReport, files: Mapping[str, bytes], scope: Scope
) -> tuple[dict[str, int | None], dict[str, int]]:
    """The headline figures and data quality counts of the country as these files would publish it: the country
    alone is built into a temporary file with the same schema and read by the same named queries (so no measure
    is defined twice, and the published version and its pointer are never touched)."""
    secret = hashlib.sha256(disclosure.load_secret(create=True)).hexdigest()
    key = (digest(country, files), scope, secret, schema_fingerprint(), validation_fingerprint())
    with _candidates_lock:
        known = _candidates.get(key)
        if known is not None:
            _candidates.move_to_end(key)
            return dict(known[0]), dict(known[1])
    with tempfile.TemporaryDirectory(prefix="score-preview-") as folder:
        path = Path(folder) / "preview.duckdb"
        build_database(path, [CountryInput(country, report, dict(files))], version=0)
        try:
            figures = headline(scope, country, path), quality_counts(scope, country, path)
        finally:
            db.release(path)
    with _candidates_lock:
        _candidates[key] = figures
        while len(_candidates) > _CANDIDATES_KEPT:
            _candidates.popitem(last=False)
    return dict(figures[0]), dict(figures[1])


def preview_effect(
    country: str, report: ValidationReport, files: Mapping[str, bytes], scope: Scope, path: Path | None = None
) -> Preview:
    try:
        current = publish.published_rows("enterprises", country, scope, path)
        before = headline(scope, country, path)
        logframe_now = published_logframe_rows(country, scope, path)
    except db.DatabaseUnavailable:  # first upload on an empty server: everything is new
        current = pd.DataFrame(columns=contract.ENTERPRISES.column_names)
        before = dict.fromkeys(HEADLINE, 0)
        logframe_now = 0
    added, changed, removed = diff_enterprises(current, report.tables["enterprises"])
    after, _quality = candidate_figures(country, report, files, scope)
    if not publish.carries_logframe(report):
        return Preview(added, changed, removed, before, after, logframe_kept=logframe_now)
    logframe_removed = logframe_now if report.tables["logframe"].empty else 0
    return Preview(added, changed, removed, before, after, logframe_removed)


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Contract columns as comparable text, indexed by enterprise_id (same rules for DB rows and uploads)."""
    return changes.canonical("enterprises", frame).set_index("enterprise_id", drop=False)


def diff_enterprises(current: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Enterprises added, changed (with what changed) and removed by replacing `current` with `new`."""
    old, upd = _canonical(current), _canonical(new)
    listed = ["enterprise_id", "name", "sector", "province"]
    added = upd.loc[~upd.index.isin(old.index), listed].reset_index(drop=True)
    removed = old.loc[~old.index.isin(upd.index), listed].reset_index(drop=True)
    common = upd.index[upd.index.isin(old.index)]
    compared = [c for c in contract.ENTERPRISES.column_names if c != "enterprise_id"]
    before, after = old.loc[common, compared], upd.loc[common, compared]
    # Arrays, not a label lookup per cell: 40,000 changed enterprises took 15.6 s with .at.
    differs = before.ne(after).to_numpy()
    old_cells, new_cells, ids = before.to_numpy(), after.to_numpy(), before.index.to_numpy()
    at_name = compared.index("name")
    # in the reader's language (the page writes the check again when they switch): "Travailleuses (workers_female):
    # 14 → 21", a sector "Confection (garments)"; named once per column, not per cell
    headings = [labels.column_named("enterprises", column) for column in compared]
    names = [labels.value_names("enterprises", column) for column in compared]
    cell = labels.cell_named
    rows = []
    for row in np.flatnonzero(differs.any(axis=1)).tolist():
        positions = np.flatnonzero(differs[row]).tolist()
        columns = [headings[k] for k in positions]
        shown = [
            f"{headings[k]}: {cell(names[k], old_cells[row, k])} → {cell(names[k], new_cells[row, k])}"
            for k in positions
        ]
        more = len(columns) - MAX_CHANGES_SHOWN
        rows.append(
            {
                "enterprise_id": ids[row],
                "name": new_cells[row, at_name],
                "columns": ", ".join(columns),
                # the columns beyond the first few named too ("+2: Ville (city), Province (province)")
                "changes": "; ".join(shown[:MAX_CHANGES_SHOWN])
                + (f"; +{more}: " + ", ".join(columns[MAX_CHANGES_SHOWN:]) if more > 0 else ""),
            }
        )
    changed = pd.DataFrame(rows, columns=["enterprise_id", "name", "columns", "changes"])
    return added, changed, removed


# ---------------------------------------------------------------------------------------------- publish, history


def publish_upload(check: UploadCheck, scope: Scope, progress: publish.Progress | None = None) -> publish.PublishResult:
    """Publish a checked upload (score.publish validates and authorises again where it writes)."""
    return publish.publish_country(check.country, check.files, scope, progress=progress)


HISTORY_COLUMNS = [
    "version",
    "at",
    "user",
    "submitted_by",
    "action",
    "restored_from",
    "enterprises",
    "added",
    "changed",
    "removed",
    *[f"{key}_before" for key in HEADLINE],
    *[f"{key}_after" for key in HEADLINE],
    "training",
    "indicators",
    "files",
]
_changes: dict[tuple[str, str, str], dict[str, object]] = {}  # (country, old file, new file): versions never change
HISTORY_CHANGES = 30  # the newest versions whose changes are worked out (each opens two version files once)


def version_changes(country: str, old: Path | None, new: Path, scope: Scope) -> dict[str, object]:
    """What `new` changed for `country` against `old` (None: the first version): enterprises added, changed,
    removed and the headline figures before and after. Versions are immutable, so results are kept."""
    key = (country, str(old), str(new))
    if key in _changes:
        return _changes[key]
    empty = pd.DataFrame(columns=contract.ENTERPRISES.column_names)
    after_rows = publish.published_rows("enterprises", country, scope, new)
    before_rows = publish.published_rows("enterprises", country, scope, old) if old else empty
    added, changed, removed = diff_enterprises(before_rows, after_rows)
    before: dict[str, int | None] = headline(scope, country, old) if old else dict.fromkeys(HEADLINE, 0)
    after = headline(scope, country, new)
    result: dict[str, object] = {"added": len(added), "changed": len(changed), "removed": len(removed)}
    result |= {f"{k}_before": before[k] for k in HEADLINE} | {f"{k}_after": after[k] for k in HEADLINE}
    _changes[key] = result
    return result


def history(country: str, scope: Scope) -> pd.DataFrame:
    """Every version that changed `country`'s data, newest first, with what it changed (only for viewers who
    may upload it). A version file pruned away (publish.prune_versions) leaves its changes blank."""
    if country not in upload_countries(scope):
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    entries = journal.country_history(country)  # newest first, every version that held the country
    rows: list[dict[str, object]] = []
    for position, entry in enumerate(entries):
        if not entry["changed"]:
            continue
        if len(rows) >= HISTORY_CHANGES:
            rows.append({k: entry.get(k) for k in HISTORY_COLUMNS if k in entry})
            continue
        row = {k: entry.get(k) for k in HISTORY_COLUMNS if k in entry}
        new = versions.path(entry["version"])
        older = entries[position + 1] if position + 1 < len(entries) else None
        old = versions.path(older["version"]) if older else None
        if new.exists() and (old is None or old.exists()):
            # A damaged old version leaves its changes blank; the rest of the history is still shown.
            with contextlib.suppress(db.DatabaseUnavailable, duckdb.Error):
                row |= version_changes(country, old, new, scope)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True, errors="coerce")
    for column in HISTORY_COLUMNS:
        if column not in ("at", "user", "submitted_by", "action", "files"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return frame


# ---------------------------------------------------------------------------------------------- current data


def current_tables(
    country: str, scope: Scope, path: Path | None = None, only: Collection[str] | None = None
) -> dict[str, pd.DataFrame]:
    """The country's published rows per contract table (detail queries: only countries the viewer may upload).
    An optional table without rows is left out, so the files validate without a warning. `only`: these tables
    alone (a CSV download queries its own table, not all four)."""
    _require(scope, country)
    tables = {}
    for table in contract.TABLES:
        if only is not None and table not in only:
            continue
        frame = publish.published_rows(table, country, scope, path)
        if len(frame) or contract.TABLES[table].required:
            tables[table] = frame
    return tables


def published_logframe_rows(country: str, scope: Scope, path: Path | None = None) -> int:
    """How many logframe rows (the optional table) the country has published; a small query."""
    _require(scope, country)
    return len(publish.published_logframe(country, scope, path))


def current_file_names(country: str, day: dt.date | None = None) -> dict[str, str]:
    """Download names by country and date (`COL-current-2026-12-05.xlsx`, `COL-current-2026-12-05-training.csv`),
    "current" in the reader's language (`COL-actuel-…`, `COL-actual-…`): several downloads side by side stay
    apart, and a CSV's name still ends with its table's code, so it uploads back under either language's name."""
    word = _("current")  # outside an f-string: Babel extracts no call written inside one
    stem = f"{country}-{word}-{(day or dt.date.today()).isoformat()}"
    return {"xlsx": f"{stem}.xlsx"} | {t: f"{stem}-{t}.csv" for t in contract.TABLES}


def edited_files(country: str, tables: Mapping[str, pd.DataFrame]) -> dict[str, bytes]:
    """Tables corrected in the browser grid as the CSV files an upload would bring: upload format, one per table,
    named as the current data's download, so they go through the same validator, give the same report (the same
    file names in it) as the downloaded files corrected in a spreadsheet, and are archived like any upload."""
    names = current_file_names(country)
    return {names[table]: templates.current_data_csv(table, frame) for table, frame in tables.items()}


def current_files(
    country: str, scope: Scope, kind: str, path: Path | None = None, only: Collection[str] | None = None
) -> dict[str, bytes]:
    """The country's current data in upload format: kind "xlsx" (one workbook) or "csv" (a file per table; `only`:
    these tables' files alone, as one CSV button asks: at 200x the demo a country's four files took ~4 s of CPU,
    its logframe's alone ~0.3 s). Raises NotAllowed outside the viewer's upload countries. Audited as an export
    (the tables made, with their rows)."""
    if kind == "xlsx" and only is not None:
        raise ValueError("the workbook holds every table")
    tables = current_tables(country, scope, path, only)
    names = current_file_names(country)
    if kind == "xlsx":
        files = {names["xlsx"]: templates.current_data_xlsx(country, tables)}
    else:
        files = {names[table]: templates.current_data_csv(table, frame) for table, frame in tables.items()}
    audit.record(
        "export",
        scope.user,
        kind="current_data",
        format=kind,
        country=country,
        rows={t: len(f) for t, f in tables.items()},
    )
    return files


def demo_restore(country: str, version: int) -> list[str] | None:
    """None when `country`'s data in `version` is real; else the countries whose current data is real (the
    restore brings synthetic figures back beside them, marked as demo data)."""
    if not publish.version_was_demo(country, version):
        return None
    return publish.real_data_elsewhere(country)


def restore(country: str, version: int, scope: Scope, progress: publish.Progress | None = None):
    """HQ: publish again the files `country` had in `version` (score.publish checks the scope)."""
    return publish.restore_country(country, version, scope, progress=progress)
