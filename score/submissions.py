"""Submissions: a country's accepted upload (or a correction made in the browser grid) waits for HQ's review before
the public sees it (no Streamlit here; pages: views/upload.py for the submitter, views/review.py for HQ).

States: pending -> approved (HQ; published atomically through score.publish) | returned (HQ, with a comment) |
withdrawn (the submitter's country staff or HQ; also when a newer submission replaces it). One pending submission
per country at a time: a new one replaces it, and the submitter is told so.

Storage: `data/submissions/<ISO3>/<id>/` holds the submitted files exactly as they came (an edit in the grid: CSV
files in upload format) and `submission.json` (who, when, kind, files with sha256, state, comment, every step).
Folders are 0700 and files 0600 like the archive, and never deleted: the archive of published uploads
(data/archive/) receives the files when a submission is approved, as for any publish. A pending submission is
never part of a database version, so no page, export or deck can show it: the change summary is computed by
building the candidate aside, in a temporary file, never by switching the pointer.

Every step is audited: submitted, edited (a grid correction), returned, withdrawn, approved.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from score import audit, auth, changes, config, db, publish, upload, versions
from score.access import Scope
from score.i18n import N_, _, current_language
from score.ingest import ValidationReport, contract_files, validate_submission

# A submission's states, with their names for people (the Review page)
STATES = {
    "pending": N_("Pending review"),
    "returned": N_("Returned"),
    "withdrawn": N_("Withdrawn"),
    "approved": N_("Approved"),
}
KINDS = ("upload", "edit")
FILE_MODE, FOLDER_MODE = 0o600, 0o700
MAX_COMMENT = 2000
DRAFTS = "drafts"  # data/submissions/drafts/: checked uploads not submitted yet (score.drafts), no country's folder


class SubmissionError(Exception):
    """The step cannot be taken (nothing pending, already decided ...); nothing was changed."""


@dataclass
class Submission:
    id: str
    country: str
    user: str
    at: str  # ISO 8601, UTC
    kind: str  # upload | edit
    files: list[dict[str, object]]  # name, bytes, sha256
    state: str = "pending"
    comment: str = ""  # HQ's comment when returned
    decided_by: str | None = None
    decided_at: str | None = None
    version: int | None = None  # the published version, once approved
    replaced_by: str | None = None  # the submission that replaced this pending one
    demo: bool = False  # made with a demo account on demo data: approved, it stays demo data
    warnings: int = 0
    steps: list[dict[str, object]] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return submissions_dir() / self.country / self.id

    def read_files(self) -> dict[str, bytes]:
        return read_stored(self.folder, self.files)


# ---------------------------------------------------------------------------------------------- storage


def submissions_dir() -> Path:
    return config.data_dir() / "submissions"


@contextmanager
def _lock() -> Iterator[None]:
    """One change of submission state at a time, across processes (a lock of its own: approve takes the publish
    lock inside it)."""
    folder = submissions_dir()
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb", opener=lambda name, flags: os.open(name, flags, FILE_MODE)) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def store_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Files kept exactly as they came, in `folder`/files (a new folder 0700, files 0600, each written whole): a
    submission's, and a draft's (score.drafts: a checked upload kept across reloads)."""
    (folder / "files").mkdir(mode=FOLDER_MODE, parents=True)
    for name, raw in files.items():
        _write(folder / "files" / name, raw)


def read_stored(folder: Path, described: list[dict[str, object]]) -> dict[str, bytes]:
    """The files `store_files` kept in `folder`, by their description (name, bytes, sha256)."""
    return {str(f["name"]): (folder / "files" / str(f["name"])).read_bytes() for f in described}


def _save(item: Submission) -> None:
    _write(item.folder / "submission.json", json.dumps(asdict(item), indent=1, sort_keys=True).encode("utf-8"))


def _load(path: Path) -> Submission | None:
    try:
        item = Submission(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return item if item.state in STATES else None


def all_submissions(country: str | None = None) -> list[Submission]:
    """Every stored submission (of one country), newest first."""
    root = submissions_dir()
    countries = sorted(p for p in root.iterdir() if p.is_dir() and p.name != DRAFTS) if root.is_dir() else []
    folders = [root / country] if country else countries
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for meta in folder.glob("*/submission.json"):
            item = _load(meta)
            if item is not None:
                found.append(item)
    return sorted(found, key=lambda s: (s.at, s.id), reverse=True)


def pending(country: str) -> Submission | None:
    return next((s for s in all_submissions(country) if s.state == "pending"), None)


def latest(country: str) -> Submission | None:
    """The country's newest submission, whatever its state (the submitter sees its state and HQ's comment)."""
    items = all_submissions(country)
    return items[0] if items else None


def visible(scope: object) -> list[Submission]:
    """The submissions this viewer may see: HQ every country's, country staff their own countries', others none."""
    if not isinstance(scope, Scope) or not scope.can_upload:
        return []
    return [s for s in all_submissions() if s.country in scope.detail_countries]


# ---------------------------------------------------------------------------------------------- steps


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _step(item: Submission, state: str, user: str, **detail: object) -> None:
    item.steps.append({"state": state, "user": user, "at": _now(), **detail})


def _authorise(scope: object, country: str, hq_only: bool, event: str) -> str:
    ok = isinstance(scope, Scope) and scope.can_upload and country in scope.detail_countries
    if not isinstance(scope, Scope) or not ok or (hq_only and not scope.is_hq):
        audit.record(event, getattr(scope, "user", None), country=country, outcome="refused: not allowed")
        if hq_only:
            raise publish.NotAllowed(_("Only HQ can review submissions."))
        raise publish.NotAllowed(_("You may not submit data for {country}; nothing was changed.", country=country))
    return scope.user or "?"


def _is_demo(user: str, country: str) -> bool:
    """A demo account's submission on demo data stays demo data once approved (the demo journey does not end)."""
    demo_user = any(info.demo and info.username == user for info in auth.list_users())
    return demo_user and publish.is_demo_folder(config.countries_dir() / country)


def submit(
    country: str, files: Mapping[str, bytes], scope: Scope, kind: str = "upload", edited: Mapping | None = None
) -> tuple[Submission, Submission | None]:
    """Validate and store a submission; returns it and the pending one it replaced (None when there was none).
    Raises NotAllowed, or publish.RejectedUpload when the files do not validate (nothing stored)."""
    country = (country or "").strip().upper()
    user = _authorise(scope, country, False, "submitted")
    if kind not in KINDS:
        raise ValueError(kind)
    report = validate_submission(country, files)
    described = upload.describe(files)
    if not report.ok:
        audit.record("submitted", user, country=country, outcome="rejected", errors=len(report.errors), files=described)
        raise publish.RejectedUpload(report)
    kept = contract_files(files)
    now = dt.datetime.now(dt.UTC)
    digest = hashlib.sha256(b"".join(hashlib.sha256(b).digest() for _n, b in sorted(kept.items()))).hexdigest()
    item = Submission(
        id=f"{now.strftime('%Y%m%dT%H%M%S%f')}-{digest[:8]}",
        country=country,
        user=user,
        at=now.isoformat(timespec="seconds"),
        kind=kind,
        files=[{"name": n, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()} for n, b in sorted(kept.items())],
        demo=_is_demo(user, country),
        warnings=len(report.warnings),
    )
    _step(item, "pending", user, kind=kind)
    with _lock():
        store_files(item.folder, kept)
        os.chmod(item.folder.parent, FOLDER_MODE)
        replaced = pending(country)
        _save(item)
        if replaced is not None:
            replaced.state, replaced.replaced_by = "withdrawn", item.id
            replaced.decided_by, replaced.decided_at = user, item.at
            _step(replaced, "withdrawn", user, replaced_by=item.id)
            _save(replaced)
    if kind == "edit":
        audit.record("edited", user, country=country, submission=item.id, **dict(edited or {}))
    audit.record("submitted", user, country=country, submission=item.id, kind=kind, files=item.files)
    if replaced is not None:
        audit.record("withdrawn", user, country=country, submission=replaced.id, reason="replaced", by=item.id)
    return item, replaced


def _decide(country: str, scope: Scope, state: str, event: str, hq_only: bool, **detail: object) -> Submission:
    country = (country or "").strip().upper()
    user = _authorise(scope, country, hq_only, event)
    with _lock():
        item = pending(country)
        if item is None:
            raise SubmissionError(_("{country} has no pending submission.", country=country))
        item.state, item.decided_by, item.decided_at = state, user, _now()
        if "comment" in detail:
            item.comment = str(detail["comment"])
        _step(item, state, user, **detail)
        _save(item)
    audit.record(event, user, country=country, submission=item.id, submitted_by=item.user, **detail)
    return item


def return_submission(country: str, scope: Scope, comment: str) -> Submission:
    """HQ sends the pending submission back with a comment (required: the submitter needs to know why)."""
    comment = (comment or "").strip()[:MAX_COMMENT]
    if not comment:
        raise SubmissionError(_("Write a comment: the submitter needs to know what to change."))
    return _decide(country, scope, "returned", "returned", True, comment=comment)


def withdraw(country: str, scope: Scope) -> Submission:
    """The submitter's country staff (or HQ) take the pending submission back."""
    return _decide(country, scope, "withdrawn", "withdrawn", False)


def approval_ends_demo(item: Submission) -> bool:
    """Approving `item` publishes real data over demo data, which ends every demo account (the approver's too, if
    it is one): only a demo account's submission on demo data stays demo data once approved (`_is_demo`)."""
    stays_demo = item.demo and publish.is_demo_folder(config.countries_dir() / item.country)
    return not stays_demo and auth.demo_accounts_allowed()


def approve(
    country: str, scope: Scope, progress: publish.Progress | None = None
) -> tuple[Submission, publish.PublishResult]:
    """HQ publishes the pending submission (atomically, through score.publish) and marks it approved."""
    country = (country or "").strip().upper()
    user = _authorise(scope, country, True, "approved")
    with _lock():
        item = pending(country)
        if item is None:
            raise SubmissionError(_("{country} has no pending submission.", country=country))
        result = publish.publish_country(
            country,
            item.read_files(),
            scope,
            progress=progress,
            demo=item.demo and publish.is_demo_folder(config.countries_dir() / country),
            submission=item.id,
            submitted_by=item.user,
        )
        item.state, item.decided_by, item.decided_at, item.version = "approved", user, _now(), result.version
        _step(item, "approved", user, version=result.version)
        _save(item)
    audit.record("approved", user, country=country, submission=item.id, submitted_by=item.user, version=result.version)
    return item, result


# ---------------------------------------------------------------------------------------------- what would change


@dataclass(frozen=True)
class ChangeSummary:
    report: ValidationReport
    before: dict[str, int | None]
    after: dict[str, int | None]
    diffs: dict[str, changes.TableDiff]
    largest: list[changes.CellChange]
    quality: dict[str, tuple[int, int]]  # dq query -> rows flagged now, rows flagged after
    compared_with: int | None  # the version the summary compares against


# (submission, version compared with, language): the first two never change; the report's sentences are written in
# the language of whoever asked first (a Colombian submitter in Spanish), so each language has its own.
_summaries: dict[tuple[str, str, str], ChangeSummary] = {}


def summary(item: Submission, scope: Scope, path: Path | None = None) -> ChangeSummary:
    """What approving `item` would change, against the version published now (or `path`)."""
    _authorise(scope, item.country, False, "review")
    current = path or versions.current()
    key = (item.id, str(current), current_language())
    if key in _summaries:
        return _summaries[key]
    files = item.read_files()
    report = validate_submission(item.country, files)
    try:
        before = upload.headline(scope, item.country, current)
        quality_before = upload.quality_counts(scope, item.country, current)
        tables = upload.current_tables(item.country, scope, current)
    except db.DatabaseUnavailable:  # nothing published yet: everything is new
        before = dict.fromkeys(upload.HEADLINE, 0)
        quality_before = dict.fromkeys(upload.DQ_QUERIES, 0)
        tables = {}
    ok = report.ok
    after, quality_after = upload.candidate_figures(item.country, report, files, scope) if ok else ({}, {})
    diffs = changes.diff_tables(tables, report.tables if report.ok else {})
    result = ChangeSummary(
        report,
        before,
        after,
        diffs,
        changes.largest_changes(diffs),
        {q: (quality_before.get(q, 0), quality_after.get(q, 0)) for q in upload.DQ_QUERIES},
        versions.number_of(Path(str(current))),
    )
    _summaries[key] = result
    return result
