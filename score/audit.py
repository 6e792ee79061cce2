"""The audit log: an append-only JSON-lines file (`config.audit_log_file()`), one line per event.

    {"at": "2025-01-31T09:12:03+00:00", "event": "sign_in", "user": "geneva", "detail": {...}}

Events used by the app: sign_in, sign_in_failed, sign_out, session_expired, upload, publish, restore,
export, and the review of a country's submission: submitted, edited (a correction in the browser grid), returned,
withdrawn, approved. Every event is exactly one physical line whatever text it holds: the JSON is written with
`ensure_ascii=True`, so U+2028, U+2029, U+0085 and every other character outside ASCII is escaped, and the file
is split on b"\n" alone. A line that cannot be read is returned as an "unreadable" event, never dropped.
Lines are only ever appended (O_APPEND, one write per line, under an exclusive lock), the file is
created with mode 0600, and detail keys that look like credentials (password, secret, token, ...) are
replaced by "[redacted]" before anything is written, however deeply they are nested.
HQ reads it on the "Audit log" page (`read_events`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping
from typing import BinaryIO

from score import config
from score.i18n import N_, _, fmt_datetime, fmt_int, ngettext
from score.values import quoted

LOG = logging.getLogger(__name__)

# Every event the log records, with its name for people (the Audit log page: event_names)
EVENTS = {
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Sign-in refused"),
    "sign_out": N_("Signed out"),
    "session_expired": N_("Session expired"),
    "user_added": N_("User added"),
    "user_changed": N_("User changed"),
    "user_removed": N_("User removed"),
    "upload": N_("Upload"),
    "publish": N_("Published"),
    "restore": N_("Restored"),
    "export": N_("Exported"),
    "submitted": N_("Submitted for review"),
    "edited": N_("Corrected in the browser"),
    "returned": N_("Returned to the submitter"),
    "withdrawn": N_("Submission withdrawn"),
    "approved": N_("Submission approved"),
}
UNREADABLE = "unreadable"  # a line that is not an event (torn by a crash, or edited by hand): shown, not dropped
EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SECRET_KEY = re.compile(
    r"passw|passphrase|pwd|secret|token|credential|cookie|authorization|api_?key|private_?key|password_hash",
    re.IGNORECASE,
)
REDACTED = "[redacted]"
MAX_TEXT = 500  # longer strings are cut (a 100k-character user name must not bloat the log)

# Who ran a command as a machine account (score.auth's users command): "system:root"
SYSTEM_PREFIX = "system:"


def _clean(value: object, depth: int = 0) -> object:
    if depth > 5:
        return "…"
    if isinstance(value, Mapping):
        return {
            str(k)[:80]: REDACTED if SECRET_KEY.search(str(k)) else _clean(v, depth + 1)
            for k, v in list(value.items())[:50]
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v, depth + 1) for v in list(value)[:50]]
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def record(event: str, user: str | None, **detail: object) -> None:
    """Append one event. Never raises for I/O problems (they are logged): auditing must not break the app."""
    if not EVENT_NAME.match(event):
        raise ValueError(f"not an audit event name: {event!r}")
    line = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "event": event,
        "user": None if user is None else _clean(user),
        "detail": _clean(detail),
    }
    # ASCII only: a user name or file name holding U+2028 or U+0085 must not split the event across lines.
    data = (json.dumps(line, ensure_ascii=True, sort_keys=True, default=str) + "\n").encode("ascii")
    path = config.audit_log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a torn line from a crash stays on its own line
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)  # closing releases the lock
    except OSError:
        LOG.exception("could not write the audit log %s (event %s)", path, event)


def read_events(limit: int = 1000, event: str | None = None, user: str | None = None) -> list[dict]:
    """The newest `limit` events (newest first), optionally only one event type and/or one user.

    The file is split on b"\n" only (str.splitlines would also split on U+2028, U+0085 ... inside a line
    written by an older version). A line that is not a JSON object comes back as an "unreadable" event holding
    its line number and the start of its text, so that nothing disappears from HQ's view."""
    path = config.audit_log_file()
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below, after the lines are read)
    except FileNotFoundError:
        return []
    out: list[dict] = []
    with handle:
        newlines: int | None = None  # counted only when an unreadable line needs its number
        for from_end, text in enumerate(_lines_from_end(handle)):
            if not text.strip():
                continue
            item = _event(text)
            if item is None:
                newlines = _count_newlines(handle) if newlines is None else newlines
                item = _unreadable(text, newlines + 1 - from_end)
            if event and item.get("event") != event:
                continue
            if user and item.get("user") != user:
                continue
            out.append(item)
            if len(out) >= limit:
                break
    return out


# The log is read from its end, a block at a time: HQ's page wants the newest events, and a log flooded with
# refused sign-ins (each one a line, however fast a script sends them) must not be read whole into memory.
_BLOCK = 1 << 16
MAX_LINE_BYTES = 1 << 20  # of a longer line (never written by `record`) only its start is kept: it is unreadable


def _lines_from_end(handle: BinaryIO) -> Iterator[bytes]:
    """The file's lines split on b"\n" alone, last first (the piece after the last b"\n" included, as
    bytes.split gives it)."""
    position = handle.seek(0, os.SEEK_END)
    rest = b""
    while position > 0:
        start = max(0, position - _BLOCK)
        handle.seek(start)
        parts = (handle.read(position - start) + rest).split(b"\n")
        position = start
        rest = parts[0][:MAX_LINE_BYTES]  # a line's start is what is read last: the start is kept
        yield from reversed(parts[1:])
    yield rest


def _count_newlines(handle: BinaryIO) -> int:
    handle_position = handle.tell()
    handle.seek(0)
    count = sum(block.count(b"\n") for block in iter(lambda: handle.read(_BLOCK), b""))
    handle.seek(handle_position)
    return count


def _event(text: bytes) -> dict | None:
    """The event a line holds; None when it holds none (torn by a crash, or edited by hand)."""
    try:
        item = json.loads(text.decode("utf-8"))
    except ValueError:
        return None
    return item if isinstance(item, dict) and isinstance(item.get("event"), str) else None


def _unreadable(text: bytes, number: int) -> dict:
    shown = text.decode("utf-8", errors="replace")
    return {
        "at": None,
        "event": UNREADABLE,
        "user": None,
        "detail": {"line": number, "text": shown[:200] + ("…" if len(shown) > 200 else "")},
    }


# ------------------------------------------------------------------------------------- for people (HQ)


def event_names() -> dict[str, str]:
    """Each event in the viewer's language, for the Audit log page."""
    return {event: _(words) for event, words in EVENTS.items()} | {UNREADABLE: _("Unreadable line")}


def when_text(at: object) -> str:
    """The event's time (stored as ISO 8601 in UTC) as a date and time in the viewer's language."""
    try:
        moment = dt.datetime.fromisoformat(str(at))
    except ValueError:
        return "" if at is None else str(at)
    return fmt_datetime(moment.astimezone(dt.UTC).replace(tzinfo=None))


def detail_text(detail: object, country_names: Mapping[str, str]) -> str:
    """An event's detail as a line a person reads ("Colombia · rejected · 7 errors · 4 files: "enterprises.csv",
    ..."), not as the stored keys and values; keys it does not know are shown as they are. What a person typed or
    uploaded (file names, a comment, an unreadable line's text) is `quoted`, so it never reads as the app's words."""
    if not isinstance(detail, Mapping):
        return "" if detail is None else str(detail)
    words = {
        "password": _("with a password"),
        "sso": _("with single sign-on"),
        "hq": _("HQ"),
        "country": _("country staff"),
        "public": _("public"),
        "valid": _("valid"),
        "invalid": _("not valid"),
        "rejected": _("rejected"),
        "published": _("published"),
        "failed": _("failed"),
        "refused: not allowed": _("refused: not allowed"),
        "throttled": _("too many attempts"),
        "bad credentials": _("user name or password not recognised"),
        "demo accounts ended: real data published": _("demo accounts ended: real data published"),
        "account removed or changed": _("account removed or changed"),
        "pptx": _("PowerPoint deck"),
        "current_data": _("current data"),
        "replaced": _("replaced by a newer submission"),
        "upload": _("upload"),
        "edit": _("correction in the browser"),
    }

    def word(value: object) -> str:
        return words.get(str(value), str(value))

    # what an account event says changed (auth.add_user's `changed`), by name
    changes = {
        "role": _("role"),
        "countries": _("countries"),
        "sso": _("sign-in method"),
        "demo": _("demo account"),
        "password": _("password"),
    }
    order: tuple[str, ...] = ("country", "account", "outcome", "reason", "method", "role", "countries", "sso")
    order += ("demo", "changed", "sessions_ended", "kind", "format", "version")
    order += ("restored_from", "errors")
    order += ("warnings",)
    keys = [key for key in order if key in detail] + [key for key in detail if key not in order]
    parts = []
    for key in keys:
        value = detail[key]
        if value is None or value == "":
            continue
        if key == "country":
            parts.append(country_names.get(str(value), str(value)))
        elif key == "countries" and isinstance(value, list):  # an account's countries (none for HQ)
            if value:
                parts.append(", ".join(country_names.get(str(code), str(code)) for code in value))
        elif key == "account":
            parts.append(_("account {name}", name=value))
        elif key == "sso" and isinstance(value, bool):  # an account's way of signing in
            parts.append(words["sso" if value else "password"])
        elif key == "demo" and isinstance(value, bool):
            if value:
                parts.append(changes["demo"])
        elif key == "changed" and isinstance(value, list):
            if value:
                what = ", ".join(changes.get(str(item), str(item)) for item in value)
                parts.append(_("changed: {what}", what=what))
        elif key == "sessions_ended" and isinstance(value, bool):
            if value:
                parts.append(_("open sessions ended"))
        elif key in ("method", "role", "outcome", "reason", "kind"):
            parts.append(word(value))
        elif key == "files" and isinstance(value, list):
            names = [str(item.get("name", "")) if isinstance(item, Mapping) else str(item) for item in value]
            counted = ngettext("{n} file", "{n} files", len(names))
            parts.append(_("{label}: {value}", label=counted, value=", ".join(map(quoted, names))))
        elif key == "errors":
            parts.append(ngettext("{n} error", "{n} errors", int(value)))
        elif key == "warnings":
            parts.append(ngettext("{n} warning", "{n} warnings", int(value)))
        elif key == "left_out":  # throttled refusals are written once a minute per address (score.throttling)
            parts.append(
                ngettext(
                    "{n} more refusal from the same address since the line before, not listed",
                    "{n} more refusals from the same address since the line before, not listed",
                    int(value),
                )
            )
        elif key == "version":
            parts.append(_("version {version}", version=value))
        elif key == "submitted_by":
            parts.append(_("submitted by {user}", user=value))
        elif key == "comment":
            parts.append(_("comment: {comment}", comment=quoted(value)))
        elif key in ("submission", "by"):  # an id that only the files on the server use
            continue
        elif key == "restored_from":
            parts.append(_("from version {version}", version=value))
        elif key == "attempt":  # a keyed hash of a typed user name: lets HQ see repeats, not the name
            parts.append(_("attempt {key}", key=str(value)[:8]))
        elif key == "line":  # an unreadable line: where it is in the file, and what it starts with
            parts.append(_("line {number}", number=value))
        elif key == "text":
            parts.append(_("text: {text}", text=quoted(value)))
        elif key == "format":
            parts.append(str(value).upper())
        elif key == "rows" and isinstance(value, Mapping):
            parts.append(", ".join(f"{table} {fmt_int(n)}" for table, n in value.items()))
        elif key == "filters" and isinstance(value, Mapping):
            chosen = [f"{name}={','.join(map(str, v)) if isinstance(v, list) else v}" for name, v in value.items()]
            parts.append(_("filters: {filters}", filters="; ".join(chosen) or _("no filter")))
        else:
            parts.append(f"{key}: {value}")
    return " · ".join(parts)
