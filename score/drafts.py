"""Drafts: a checked upload kept on the server until it is submitted, published or discarded, so that a reload (F5,
a laptop waking, a dropped Wi-Fi making a new Streamlit session), a new tab or another process behind nginx shows
the same report and the same Submit/Publish step (views/upload.py). No Streamlit here: score.web.upload_sections
draws it.

A draft belongs to one sign-in, not to a browser session: its key is made from the sign-in (a local session's row
in score.sessions, an SSO sign-in's user and issue time), keyed with the installation's secret, so the folder's
name says nothing and is worth nothing without the session cookie. One draft per sign-in: the last check. It is
read back only by the same user, for a country their scope still allows (a changed country list never shows the
files of a country they lost), and removed at once otherwise; sign-out and a session found ended remove it too.

Storage: data/submissions/drafts/<key>/, the submissions' home, folder and file modes and writes
(`submissions.store_files`): files/ exactly as checked, and draft.json (country, user, when, the version the
files were checked against, the upload's digest, the files with their sha256). Bounded: every file within the
upload limit (settings.max_upload_mb), the draft within one file per contract table at that limit; a draft older
than a sign-in can last (settings.session_max_hours) is removed. The files are kept, not the report: a restored
draft is checked again against the data published now, as a publish and a submission check again where they
write, so a report never speaks of an older version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from score import auth, contract, files, sessions, settings, submissions, upload

META = "draft.json"
# An upload is a file per table or one workbook; stray files (a note, a copy) are checked and reported too, so a
# draft holds up to four times the tables' count before it is refused.
MAX_FILES = 4 * len(contract.TABLES)


@dataclass(frozen=True)
class Draft:
    country: str
    user: str
    at: str  # ISO 8601, UTC: when the files were checked
    version: int | None  # the published version they were checked against (None: nothing was published)
    digest: str  # upload.digest of the country and files
    files: dict[str, bytes]


def drafts_dir() -> Path:
    return submissions.submissions_dir() / submissions.DRAFTS


def owner(session: object) -> str | None:
    """The key of a sign-in's draft (None without a sign-in: then nothing is kept). A local sign-in's is its
    session row's (the same in every tab and process that resumes it from the cookie); an SSO sign-in's, its user
    and the identity token's issue time."""
    if not isinstance(session, auth.Session) or not session.user:
        return None
    basis = f"session\0{session.sid}" if session.sid else f"sso\0{session.user}\0{session.issued_at!r}"
    return sessions.keyed("draft\0" + basis)


def fits(checked: dict[str, bytes]) -> bool:
    """Whether files are small enough to keep as a draft (the upload's own bounds)."""
    mb = 1024 * 1024
    per_file = settings.get().max_upload_mb * mb
    sizes = [len(raw) for raw in checked.values()]
    within = all(size <= per_file for size in sizes) and sum(sizes) <= len(contract.TABLES) * per_file
    return len(sizes) <= MAX_FILES and within


@contextmanager
def _lock() -> Iterator[Path]:
    """The drafts' folder (0700, created), locked across processes: a draft is read or replaced whole."""
    folder = drafts_dir()
    for each in (folder.parent, folder):
        each.mkdir(mode=files.FOLDER_MODE, exist_ok=True, parents=True)
        os.chmod(each, files.FOLDER_MODE)
    with files.private_lock(folder / ".lock"):
        yield folder


def _keep_seconds() -> float:
    return auth.absolute_seconds()  # no sign-in lasts longer, and the key dies with its sign-in


def _prune(folder: Path, now: float) -> None:
    for draft in folder.iterdir():
        if draft.is_dir() and now - draft.stat().st_mtime > _keep_seconds():
            shutil.rmtree(draft, ignore_errors=True)


def keep(key: str | None, check: upload.UploadCheck, user: str) -> bool:
    """Keep `check`'s files as the sign-in's draft, in place of its last one. False when there is no sign-in or
    the files are too large to keep (the last draft is removed then too: a reload never brings back an older
    check than the one on screen)."""
    if key is None:
        return False
    with _lock() as folder:
        _prune(folder, time.time())
        draft = folder / key
        shutil.rmtree(draft, ignore_errors=True)
        if not fits(check.files):
            return False
        submissions.store_files(draft, check.files)
        meta = {
            "country": check.country,
            "user": user,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "version": check.version,
            "digest": check.digest,
            "files": upload.describe(check.files),
        }
        files.write_atomic(draft / META, json.dumps(meta, indent=1, sort_keys=True).encode("utf-8"))
    return True


def load(key: str | None, user: str | None, countries: Collection[str]) -> Draft | None:
    """The sign-in's draft, if it is this user's and for a country in `countries` (those they may upload for
    now); anything else found under the key (another user's, a country no longer allowed, damaged files,
    expired) is removed and None returned."""
    if key is None or not user:
        return None
    with _lock() as folder:
        draft = folder / key
        try:
            meta = json.loads((draft / META).read_text(encoding="utf-8"))
            found = Draft(
                str(meta["country"]),
                str(meta["user"]),
                str(meta["at"]),
                meta["version"],
                str(meta["digest"]),
                submissions.read_stored(draft, meta["files"]),
            )
            whole = all(hashlib.sha256(found.files[str(f["name"])]).hexdigest() == f["sha256"] for f in meta["files"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            whole = False
        if not whole:
            shutil.rmtree(draft, ignore_errors=True)
            return None
        expired = time.time() - draft.stat().st_mtime > _keep_seconds()
        if found.user != user or found.country not in countries or expired:
            shutil.rmtree(draft, ignore_errors=True)
            return None
    return found


def discard(key: str | None, digest: str | None = None) -> None:
    """Remove the sign-in's draft (submitted, published, discarded, signed out); with `digest`, only if it holds
    that upload (a correction submitted from the grid leaves the draft of other files alone)."""
    if key is None:
        return
    with _lock() as folder:
        draft = folder / key
        if digest is not None:
            try:
                kept = json.loads((draft / META).read_text(encoding="utf-8")).get("digest")
            except (OSError, ValueError, AttributeError):
                kept = None
            if kept != digest:
                return
        shutil.rmtree(draft, ignore_errors=True)
