"""Publishing: archive every accepted upload, build a new immutable database version, switch atomically.

Readers open `data/score.duckdb`, a symlink to `data/versions/score-<n>.duckdb`. The pointer is the
ONLY commit point; everything else a publish changes is prepared before it and finished after it by a
small redo journal, so a crash (SIGKILL, power loss) at any point leaves a consistent state:

1. validate the upload (score.ingest); a rejected upload changes nothing at all;
2. under `publish_lock` (one publisher at a time, across processes), `recover()` what a killed
   publisher left behind, then open a transaction folder `data/versions/.txn-<n>/`;
3. archive: the raw bytes and a JSON sidecar (who, when, name, sha256) are written into
   `.txn-<n>/archive/<ISO3>/`, the new country folder into `.txn-<n>/countries/<ISO3>/`;
4. build `score-<n>.duckdb.building` from every country (the upload replacing its country), check it
   (re-opened read-only: row counts, countries, ranges), CHECKPOINT, close, rename to `score-<n>.duckdb`;
5. write `.txn-<n>/entry.json` (the history entry: the transaction is now "prepared");
6. switch: a fresh symlink renamed over `data/score.duckdb` (atomic on POSIX)  <- COMMIT;
7. finish: move the staged archive files into `data/archive/<ISO3>/`, swap the staged country folder
   into `data/countries/<ISO3>/` (the input of the next build), append the entry to
   `data/versions/history.jsonl`, delete the transaction folder.

The journal (steps 2, 3, 5 and 7, and recovery) is score.journal. `recover()` (run under the lock before
every new version: build, publish, restore) finishes a prepared
transaction whose version the pointer already names (redo of step 7, idempotent) and rolls back any
other (deletes the transaction folder and the unpublished version). So: the archive holds exactly the
uploads of published versions, the country folders always hold the current version's inputs, and no
reader ever sees a half-built file (readers only ever open the pointer's target, and the pointer only
ever names complete, checked files; we never copy a file over the path of an open database, duckdb
#15912).

Authorisation happens here, where the write happens, not only in the page: `publish_country` needs a
Scope that may upload for that country (HQ: any; country staff: their own), `restore_country` needs HQ.
The command line acts as HQ (whoever runs it can write data/ anyway).

Retention: versions are kept (a few MB each; restore does not need them, it republishes archived
uploads). `prune_versions(keep)` removes all but the newest `keep` versions and never the current one;
the archive is never pruned.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from score import audit, config, contract, db, templates, versions, warmers
from score import files as private_files
from score.access import Scope
from score.build import (
    DEMO_MARKER,
    BuildError,
    CountryInput,
    build_database,
    read_country_dir,
    read_country_dirs,
    reuse_from_version,
    version_facts,
)
from score.filters import Filters
from score.i18n import N_, _, fmt_int, ngettext
from score.ingest import ValidationReport, contract_file, contract_files, validate_submission, with_kept_files
from score.journal import (
    archive_upload,
    discard,
    finish,
    read_history,
    recover,
    sha256_hex,
    stage_country_folder,
    txn_dir,
)

LOG = logging.getLogger(__name__)
# The steps of a publish, reported to `progress` in this order, with what the Upload page says during each
STEPS = {
    "validate": N_("Checking the files again"),
    "archive": N_("Archiving the uploaded files"),
    "build": N_("Building a new database version"),
    "check": N_("Checking the new version"),
    "switch": N_("Switching everyone to the new version"),
}

Progress = Callable[[str], None]


class RejectedUpload(Exception):
    """The upload did not validate; nothing was changed."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(f"{len(report.errors)} error(s) in the upload for {report.country}")


class PublishError(Exception):
    """The new version failed its checks or could not be written; the previous version stays current."""


class NotAllowed(PermissionError):
    """The viewer may not publish (or restore) this country's data; nothing was changed."""


@dataclass(frozen=True)
class PublishResult:
    version: int
    path: Path
    counts: dict[str, int]
    archived: list[Path]


def is_demo_folder(folder: Path) -> bool:
    return (folder / DEMO_MARKER).exists()


# ---------------------------------------------------------------------------------------------- access


def _authorise(scope: object, country: str, action: str) -> str:
    """The user name to record, or NotAllowed (audited) when the scope may not write this country."""
    user = scope.user if isinstance(scope, Scope) else None
    allowed = (
        isinstance(scope, Scope)
        and scope.can_upload
        and country in scope.detail_countries
        and (action != "restore" or scope.is_hq)
    )
    if not allowed:
        audit.record(action, user, country=country, outcome="refused: not allowed")
        if action == "restore":
            raise NotAllowed(_("Only HQ can restore an earlier version."))
        raise NotAllowed(_("You may not publish data for {country}; nothing was changed.", country=country))
    return user or "?"


# ---------------------------------------------------------------------------------------------- files


@contextmanager
def publish_lock() -> Iterator[None]:
    """One publisher at a time across threads and processes (DuckDB allows one writer per file anyway)."""
    with private_files.private_lock(config.data_dir() / "publish.lock"):
        yield


FILE_MODE, FOLDER_MODE = private_files.FILE_MODE, private_files.FOLDER_MODE


def restrict_modes() -> None:
    """The whole data directory readable by the service's user only (score.files). Run by every build and
    publish (under the publish lock) and by every change of the users file."""
    private_files.restrict_modes(config.data_dir())


def check_version(path: Path, inputs: list[CountryInput], counts: dict[str, int]) -> None:
    """Re-open the finished file read-only and check it holds exactly what went in. A failure is a PublishError in
    the reader's language (the upload page shows it under "nothing was changed"), its figures in the log."""
    expected = {  # the version's table: (the contract's table people know, rows the validated files hold)
        "enterprise": ("enterprises", sum(c.rows("enterprises") for c in inputs)),
        "training": ("training", sum(c.rows("training") for c in inputs)),
        "indicator_value": ("indicators", sum(c.rows("indicators") for c in inputs)),
    }
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table, (name, rows) in expected.items():
            got = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608 (fixed names)
            if got != rows or counts.get(table) != rows:
                _failed_check(
                    f"{table}: {got} rows in the new version, {rows} expected",
                    _(
                        "it holds {got} rows of the {table} table where the files have {rows}.",
                        got=fmt_int(got),
                        table=name,
                        rows=fmt_int(rows),
                    ),
                )
        per_country = dict(con.execute("SELECT country, count(*) FROM enterprise GROUP BY country").fetchall())
        wanted = {c.country: c.rows("enterprises") for c in inputs if c.rows("enterprises")}
        if per_country != wanted:
            differences = ", ".join(
                _("{country}: {got} instead of {rows}", country=c, got=fmt_int(per_country.get(c, 0)), rows=fmt_int(n))
                for c, n in sorted((c, wanted.get(c, 0)) for c in set(per_country) | set(wanted))
                if per_country.get(c, 0) != n
            )
            _failed_check(
                f"enterprises per country in the new version: {per_country}, expected {wanted}",
                _("its enterprises per country differ from the files ({differences}).", differences=differences),
            )
        bad = con.execute(
            "SELECT count(*) FROM enterprise WHERE workers_female < 0 OR workers_male < 0 "
            "OR NOT (latitude IS NULL OR latitude BETWEEN -90 AND 90) "
            "OR NOT (longitude IS NULL OR longitude BETWEEN -180 AND 180)"
        ).fetchall()[0][0]
        if bad:
            _failed_check(
                f"{bad} enterprises with out-of-range values",
                ngettext("{n} enterprise has a value out of range.", "{n} enterprises have values out of range.", bad),
            )
        orphans = con.execute(
            "SELECT count(*) FROM training t ANTI JOIN enterprise e USING (enterprise_id)"
        ).fetchall()[0][0]
        if orphans:
            _failed_check(
                f"{orphans} training rows for unknown enterprises",
                ngettext(
                    "{n} training row names an enterprise the version does not hold.",
                    "{n} training rows name enterprises the version does not hold.",
                    orphans,
                ),
            )
    finally:
        con.close()


def _failed_check(logged: str, what: str) -> None:
    """Stop the publish: the figures in English in the log (for the administrator), the reader's words raised."""
    LOG.error("the new version failed its check: %s", logged)
    raise PublishError(
        _("The new version failed its check: {what} Please tell the administrator (see the server's log).", what=what)
    )


# Validated country folders, one entry per country, keyed by the content of the folder's files, today's date
# (the validator's date rules say "up to today") and the reference files (code lists): a publish re-validates
# only folders that changed since the last build in this process, instead of every country each time.
_validated: dict[str, tuple[tuple, CountryInput]] = {}


def _folder_key(folder: Path) -> tuple:
    files = sorted(
        (p.name, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in folder.iterdir()
        if p.suffix.lower() in (".csv", ".xlsx") or p.name == DEMO_MARKER
    )
    reference = sorted((p.name, p.stat().st_mtime_ns) for p in config.REFERENCE_DIR.glob("*.csv"))
    return (dt.date.today().isoformat(), tuple(files), tuple(reference))


def _collect_inputs(uploads: Mapping[str, CountryInput]) -> list[CountryInput]:
    """Every country folder (the uploads replacing theirs), validated: copied from the current version when it was
    built from the same files, else validated in this process already, else validated now."""
    root = config.countries_dir()
    known = set(contract.code_list("country"))
    inputs: dict[str, CountryInput] = dict(uploads)
    folders = sorted(root.iterdir()) if root.exists() else []
    current = versions.current()
    facts = version_facts(current) if current is not None and current.exists() else None
    pending: list[tuple[Path, tuple]] = []
    for folder in folders:
        if folder.name not in known or folder.name in uploads or not folder.is_dir():
            continue
        # Copying the country's rows from the current version (built from these very files) is the cheapest;
        # never cached here: the next publish checks against the version current then.
        reused = reuse_from_version(folder, facts.path, facts=facts) if facts is not None else None
        if reused is not None:
            inputs[folder.name] = reused
            continue
        key = _folder_key(folder)
        hit = _validated.get(folder.name)
        if hit is not None and hit[0] == key:
            inputs[folder.name] = hit[1]
            continue
        pending.append((folder, key))
    for (folder, key), item in zip(pending, read_country_dirs([f for f, _k in pending], read_country_dir), strict=True):
        inputs[folder.name] = item
        if item.report.ok:
            _validated[folder.name] = (key, item)
    invalid = {c: item.report for c, item in inputs.items() if not item.report.ok}
    if invalid:
        raise BuildError(invalid)
    return [inputs[c] for c in sorted(inputs)]


def _step(progress: Progress | None, name: str) -> None:
    if progress is not None:
        progress(name)


def _new_version(
    action: str,
    user: str,
    uploads: Mapping[str, CountryInput],
    progress: Progress | None = None,
    **details: object,
) -> PublishResult:
    """Archive, build, check and switch to a new version (steps 2-7). Caller holds publish_lock."""
    recover()
    folder = config.versions_dir()
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    restrict_modes()
    number = max(versions.numbers(), default=0) + 1
    txn = txn_dir(number)
    final = versions.path(number)
    building = versions.building_path(number)
    when = dt.datetime.now(dt.UTC)
    try:
        txn.mkdir(mode=FOLDER_MODE)
        _step(progress, "archive")
        sources = {
            c: archive_upload(txn, c, item.files, user, when, digests=item.digests) for c, item in uploads.items()
        }
        for country, item in uploads.items():
            stage_country_folder(txn, country, item.files, item.is_demo)
        _step(progress, "build")
        inputs = _collect_inputs(uploads)
        for item in inputs:
            if item.country not in sources:
                sources[item.country] = archive_upload(
                    txn, item.country, item.files, user, when, reuse=True, digests=item.digests
                )
        counts = build_database(building, inputs, number)
        os.chmod(building, FILE_MODE)
        _step(progress, "check")
        check_version(building, inputs, counts)
        os.replace(building, final)
        private_files.fsync_dir(folder)
        entry = {
            "version": number,
            "action": action,
            "user": user,
            "at": when.isoformat(timespec="seconds"),
            "counts": counts,
            "countries": {c.country: c.rows("enterprises") for c in inputs},
            "demo_countries": sorted(c.country for c in inputs if c.is_demo),
            "country_rows": {c.country: c.row_counts() for c in inputs},
            "sources": {c: [str(p) for p in paths] for c, paths in sources.items()},
            "files": [
                {"country": c, "name": Path(name).name, "sha256": item.digests[name].hex(), "bytes": len(raw)}
                for c, item in uploads.items()
                for name, raw in sorted(item.files.items())
            ],
            **details,
        }
        private_files.write_atomic(txn / "entry.json", json.dumps(entry, sort_keys=True).encode("utf-8"))
        private_files.fsync_dir(txn)
        cold = warmers.wait_until_warmed(final.name)  # every app process has this version's caches ready
        if cold:
            LOG.info("switching to %s before %s warmed it", final.name, ", ".join(cold))
        _step(progress, "switch")
        try:
            versions.switch(final)
        except BaseException:
            if not versions.is_current(final):
                raise
            LOG.exception("the pointer was switched to version %s, but then failed", number)
    except BaseException:
        if not versions.is_current(final):
            discard(txn, number)
        raise
    try:
        finish(txn)
        restrict_modes()
        for country, item in uploads.items():  # the folder now holds exactly these validated files
            _validated[country] = (_folder_key(config.countries_dir() / country), item)
    except OSError:  # committed: the version is live; recover() finishes the bookkeeping next time
        LOG.exception("version %s is published, but archiving/history could not be completed yet", number)
    archived = [config.data_dir() / p for c in uploads for p in sources[c]]
    return PublishResult(number, final, counts, archived)


def _as_publish_error(error: Exception) -> PublishError:
    if isinstance(error, BuildError):
        return PublishError(
            _(
                "The data already on the server for {countries} does not validate, so no new version could be "
                "built; nothing was changed. Ask HQ to check data/countries/ (python -m score validate).",
                countries=", ".join(sorted(error.reports)),
            )
        )
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return PublishError(
            _(
                "The server's disk is full, so the upload could not be archived; nothing was changed and "
                "nothing was lost. Ask the administrator to free space, then publish again."
            )
        )
    # The system's words name server paths and are English: they go to the log, the reader gets a sentence.
    LOG.error("a new version could not be written: %r", error)
    return PublishError(
        _(
            "The new version could not be written on the server; nothing was changed. Ask the administrator to look "
            "at the server's log, then publish again."
        )
    )


# ---------------------------------------------------------------------------------------------- optional tables


# Each contract table's published rows in upload format, one detail query per table (country staff only ever
# read the countries they may upload for).
_PUBLISHED_QUERIES = {
    "enterprises": "upload_current_enterprises",
    "training": "upload_current_training",
    "indicators": "upload_current_indicators",
    "logframe": "upload_current_logframe",
}


def published_rows(table: str, country: str, scope: Scope, path: Path | None = None) -> pd.DataFrame:
    """The country's rows of one contract table as published now (contract columns). Raises
    db.DatabaseUnavailable before the first version; the caller checks that the viewer may read `country`."""
    only_country = Filters(countries=(country,))
    return db.run_query(_PUBLISHED_QUERIES[table], scope, only_country, path=path).drop(columns="country")


def published_logframe(country: str, scope: Scope, path: Path | None = None) -> pd.DataFrame:
    """The country's logframe rows as published now (contract columns); none before the first version."""
    try:
        return published_rows("logframe", country, scope, path)
    except db.DatabaseUnavailable:
        return pd.DataFrame(columns=contract.LOGFRAME.column_names)


def carries_logframe(report: ValidationReport) -> bool:
    """Whether the upload has a logframe file or sheet at all (one with its header row alone removes the logframe)."""
    return "logframe" in report.emptied or any(read["table"] == "logframe" for read in report.files)


def kept_logframe_file(country: str, report: ValidationReport, scope: Scope) -> dict[str, bytes]:
    """The logframe is optional and a publish replaces the country's files whole: an upload without one keeps the
    published logframe, as a file in upload format published (and archived) with it. Empty when the upload has a
    logframe (even an empty one: the person removes it so) or nothing is published."""
    if carries_logframe(report):
        return {}
    rows = published_logframe(country, scope)
    if rows.empty:
        return {}
    return {f"{country}-published-logframe.csv": templates.current_data_csv("logframe", rows)}


# ---------------------------------------------------------------------------------------------- API


def build_all(user: str = "cli") -> PublishResult:
    """`python -m score build`: consolidate every country folder into a new version (raises BuildError)."""
    with publish_lock():
        return _new_version("build", user, {})


def publish_country(
    country: str,
    files: Mapping[str, bytes],
    scope: Scope,
    progress: Progress | None = None,
    demo: bool = False,
    **details: object,
) -> PublishResult:
    """Validate, archive, build, check and switch, for a viewer allowed to upload `country`.

    Raises NotAllowed or RejectedUpload (nothing changed, nothing archived) or PublishError (the
    previous version stays current, nothing archived). `progress(step)` is called with each of STEPS.
    `demo`: the files stay demo data (an approved submission a demo account made on demo data); `details` go
    into the history entry (an approved submission: its id and who submitted it).
    """
    country = (country or "").strip().upper()
    user = _authorise(scope, country, "publish")
    described = [{"name": Path(n).name, "sha256": sha256_hex(b), "bytes": len(b)} for n, b in sorted(files.items())]
    _step(progress, "validate")
    report = validate_submission(country, files)
    kept_logframe = kept_logframe_file(country, report, scope) if report.ok else {}
    if kept_logframe:  # its rows were valid when published: the kept file alone is checked
        files = {**files, **kept_logframe}
        report = with_kept_files(report, kept_logframe)
    if not report.ok:
        audit.record("publish", user, country=country, files=described, outcome="rejected", errors=len(report.errors))
        raise RejectedUpload(report)
    # Only contract files are archived and staged into the country folder: a DEMO_DATA.txt (or any other file) in
    # an upload never reaches data/, so it cannot mark real data as demo or keep the demo accounts working.
    kept = contract_files(files)
    item = CountryInput(country, report, kept, is_demo=demo)
    try:
        with publish_lock():
            result = _new_version("publish", user, {country: item}, progress, country=country, **details)
    except (BuildError, OSError, PublishError) as error:
        failure = error if isinstance(error, PublishError) else _as_publish_error(error)
        audit.record("publish", user, country=country, files=described, outcome="failed", detail=str(failure))
        raise failure from error
    audit.record(
        "publish",
        user,
        country=country,
        files=described,
        outcome="published",
        version=result.version,
        warnings=len(report.warnings),
    )
    return result


def restore_country(country: str, version: int, scope: Scope, progress: Progress | None = None) -> PublishResult:
    """Publish again the files `country` had in an earlier version (HQ only; a new version itself)."""
    country = (country or "").strip().upper()
    user = _authorise(scope, country, "restore")
    entry = next((e for e in read_history() if e["version"] == version), None)
    sources = (entry or {}).get("sources", {}).get(country)
    if not sources:
        raise PublishError(_("Version {version} has no archived data for {country}.", version=version, country=country))
    _step(progress, "validate")
    files: dict[str, bytes] = {}
    for relative in sources:
        path = config.data_dir() / relative
        try:
            raw = path.read_bytes()
            meta = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            LOG.error("archived file %s cannot be read: %r", relative, error)
            raise PublishError(_("The archived file {file} cannot be read.", file=relative)) from error
        if sha256_hex(raw) != meta.get("sha256") or f"_{meta.get('sha256')}." not in path.name:
            raise PublishError(_("The archived file {file} is damaged (its sha256 does not match).", file=relative))
        files[meta["original_name"]] = raw
    report = validate_submission(country, files)
    if not report.ok:
        raise RejectedUpload(report)
    kept = {n: b for n, b in files.items() if contract_file(n)}
    item = CountryInput(country, report, kept, is_demo=version_was_demo(country, version))
    try:
        with publish_lock():
            result = _new_version("restore", user, {country: item}, progress, country=country, restored_from=version)
    except (BuildError, OSError, PublishError) as error:
        failure = error if isinstance(error, PublishError) else _as_publish_error(error)
        audit.record("restore", user, country=country, restored_from=version, outcome="failed", detail=str(failure))
        raise failure from error
    audit.record("restore", user, country=country, restored_from=version, outcome="published", version=result.version)
    return result


def version_was_demo(country: str, version: int) -> bool:
    """Whether `country`'s data in `version` was the synthetic demo set (a restore keeps that mark): the history
    entry says so; for entries written before it did, the version file's own country_dataset table, if kept."""
    entry = next((e for e in read_history() if e["version"] == version), None)
    if entry is not None and "demo_countries" in entry:
        return country in entry["demo_countries"]
    path = versions.path(version)
    if not path.exists():
        return False
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("SELECT is_demo FROM country_dataset WHERE country = $c", {"c": country}).fetchone()
    finally:
        con.close()
    return bool(row and row[0])


def real_data_elsewhere(country: str) -> list[str]:
    """Countries other than `country` whose current data is real (not the demo set): a demo restore says so."""
    root = config.countries_dir()
    if not root.exists():
        return []
    return sorted(
        folder.name
        for folder in root.iterdir()
        if folder.is_dir() and folder.name != country and not folder.name.startswith(".") and not is_demo_folder(folder)
    )


def prune_versions(keep: int = 20) -> list[Path]:
    """Delete old versions beyond the newest `keep`; never the current one. Uploads stay archived."""
    with publish_lock():
        return versions.prune(keep)
