"""The audit log survives any text: every event stays on one physical line whatever characters an uploader, a
user name or a file name puts in it, and HQ's Audit log page shows every event (issue 20, item 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from score import audit, upload
from score.access import Scope
from tests.apptest import app
from tests.upload_files import base_files

REPO = Path(__file__).resolve().parent.parent

# Every character Python's str.splitlines() breaks on, plus the ones JSON must escape.
LINE_BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[f"U+{ord(b[0]):04X}" for b in LINE_BREAKS])
def test_a_line_break_in_any_field_keeps_each_event_on_one_line(fresh_data_dir: Path, brk: str) -> None:
    audit.record("sign_in", f"mar{brk}ia", method="password")
    audit.record(
        "upload",
        f"user{brk}name",
        country=f"CO{brk}L",
        files=[{"name": f"note{brk}x.txt", "bytes": 3}],
        outcome=f"valid{brk}",
        comment={f"key{brk}": [f"nested{brk}value"]},
    )
    audit.record("publish", "hq", country="COL", files=[{"name": f"a{brk}b.csv"}], outcome="published")
    raw = audit.config.audit_log_file().read_bytes()
    assert raw.count(b"\n") == 3 and raw.isascii()
    events = audit.read_events()
    assert [e["event"] for e in events] == ["publish", "upload", "sign_in"]
    assert events[1]["user"] == f"user{brk}name"
    assert events[1]["detail"]["files"][0]["name"] == f"note{brk}x.txt"
    assert events[1]["detail"]["comment"] == {f"key{brk}": [f"nested{brk}value"]}
    assert events[2]["user"] == f"mar{brk}ia"


def test_an_unreadable_line_is_shown_not_dropped(fresh_data_dir: Path) -> None:
    audit.record("sign_in", "maria", method="password")
    with open(audit.config.audit_log_file(), "ab") as handle:
        handle.write(b"not json at all\n[1, 2]\n")
    audit.record("export", "maria", what="overview")
    events = audit.read_events()
    assert [e["event"] for e in events] == ["export", audit.UNREADABLE, audit.UNREADABLE, "sign_in"]
    assert [e["detail"]["line"] for e in events[1:3]] == [3, 2]
    assert events[2]["detail"]["text"] == "not json at all"
    assert "line 2" in audit.detail_text(events[2]["detail"], {})


@pytest.mark.parametrize(
    ("language", "added", "changed"),
    [
        (
            "en",
            "account ana · country staff · Colombia, Peru · with a password · demo account",
            "account ana · HQ · with single sign-on · changed: role, sign-in method, password · open sessions ended",
        ),
        (
            "fr",
            "compte ana · personnel pays · Colombie, Pérou · avec un mot de passe · compte de démonstration",
            "compte ana · siège · avec l'authentification unique · modifié : rôle, mode de connexion, mot de passe · "
            "sessions ouvertes fermées",
        ),
    ],
)
def test_an_account_event_reads_in_the_page_language_with_country_names(
    language: str, added: str, changed: str
) -> None:
    # HQ's French audit page showed "account: ghana · changed: [] · countries: ['GHA'] · demo: True ·
    # sessions_ended: False · sso: False": stored keys, codes and Python values, in English.
    from score.i18n import using_language

    names = {"en": {"COL": "Colombia", "PER": "Peru"}, "fr": {"COL": "Colombie", "PER": "Pérou"}}[language]
    new = {
        "account": "ana",
        "role": "country",
        "countries": ["COL", "PER"],
        "sso": False,
        "demo": True,
        "changed": [],
        "sessions_ended": False,
    }
    moved = {
        "account": "ana",
        "role": "hq",
        "countries": [],
        "sso": True,
        "demo": False,
        "changed": ["role", "sso", "password"],
        "sessions_ended": True,
    }
    with using_language(language):
        assert audit.detail_text(new, names) == added
        assert audit.detail_text(moved, names) == changed


def test_an_older_log_written_with_raw_line_separators_still_reads_whole(fresh_data_dir: Path) -> None:
    """Logs written before the fix hold U+2028 unescaped inside a line: splitting on b"\\n" alone keeps them."""
    path = audit.config.audit_log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        '{"at": "2026-01-01T00:00:00+00:00", "detail": {"files": [{"name": "note\u2028x.txt"}]}, '
        '"event": "upload", "user": "colombia"}\n'.encode()
    )
    (event,) = audit.read_events()
    assert event["event"] == "upload" and event["detail"]["files"][0]["name"] == "note\u2028x.txt"


def test_an_upload_with_a_line_separator_in_a_file_name_shows_both_events_to_hq(fresh_data_dir: Path) -> None:
    """The attack of issue 20: a country user adds `note\\u2028x.txt` to an upload; HQ still sees the upload and
    the publish on the Audit log page."""
    scope = Scope.country("colombia", {"COL"})
    files = base_files() | {"note\u2028x.txt": b"ignored"}
    check = upload.check_upload("COL", files, scope)
    assert check.report.ok, check.report.errors
    upload.publish_upload(check, Scope.hq("geneva"))
    kinds = [e["event"] for e in audit.read_events()]
    assert kinds[:2] == ["publish", "upload"]
    page = app("views/audit.py", scope=Scope.hq("geneva")).run()
    assert not page.exception
    shown = page.dataframe[0].value
    assert {"Upload", "Published"} <= set(shown["event"])
    # fits an 800 px screen (766 px of page) instead of scrolling sideways; cells wrap (the grid wraps above 64 px)
    config = json.loads(page.dataframe[0].proto.columns)
    widths = [config[column].get("width") for column in ("at", "event", "user", "detail")]
    assert sum(widths) <= 766 and page.dataframe[0].proto.row_height > 64, (config, widths)
    assert any('"note\\u2028x.txt"' in text for text in shown["detail"])  # quoted, the separator written out


def test_a_flooded_log_is_read_from_its_end_not_whole(fresh_data_dir: Path) -> None:
    """Every refused sign-in is a line, however fast a script sends them: HQ's page reads the newest events without
    holding the whole file in memory (a 256 MB run of torn text, sparse on disk, before the newest events)."""
    import tracemalloc

    path = audit.config.audit_log_file()
    audit.record("sign_in", "maria", method="password")
    with open(path, "r+b") as handle:
        handle.truncate(256 << 20)  # zeros: one torn line of 256 MB, written in no time
    audit.record("sign_in_failed", "x" * 400, reason="throttled")
    audit.record("export", "maria", what="overview")
    tracemalloc.start()
    try:
        events = audit.read_events(limit=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [e["event"] for e in events] == ["export", "sign_in_failed"]
    assert peak < 8 << 20, peak


def test_an_uploaded_file_name_reads_as_a_quoted_name_not_as_the_outcome() -> None:
    # A country user's file named "x.csv · published · version 12" read, inside HQ's detail line, as if the upload
    # had been published (session 20's attack notes); a quote inside the name must not close the quotes.
    detail = {
        "country": "COL",
        "outcome": "rejected",
        "files": [{"name": "x.csv · published · version 12"}, {"name": 'a" · published · "b.csv'}],
        "comment": "ok · approved",
    }
    line = audit.detail_text(detail, {"COL": "Colombia"})
    assert line == (
        'Colombia · rejected · 2 files: "x.csv · published · version 12", "a\\" · published · \\"b.csv"'
        ' · comment: "ok · approved"'
    )
    assert audit.detail_text({"text": "line\u2028· published"}, {}) == 'text: "line\\u2028· published"'


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "fr",
            "Colombie · rejeté · 2 fichiers : «\u00a0x.csv · published · version 12\u00a0», "
            "«\u00a0a\\» · publié · \\«\\u00a0b.csv\u00a0» · commentaire : «\u00a0ok · approved\u00a0»",
        ),
        (
            "es",
            "Colombie · rechazado · 2 archivos: «x.csv · published · version 12», "
            "«a\\» · publié · \\«\\u00a0b.csv» · comentario: «ok · approved»",
        ),
    ],
)
def test_an_uploaded_name_is_quoted_as_the_readers_language_quotes(language: str, expected: str) -> None:
    # French pages showed "enterprises.csv" in straight quotes; French writes « enterprises.csv » (no-break spaces
    # inside), Spanish «enterprises.csv». A guillemet inside the name is escaped, so it cannot close the quotes, and
    # so is a no-break space (\u00a0), so the name cannot end in what looks like the closing « ».
    from score.i18n import using_language

    detail = {
        "country": "COL",
        "outcome": "rejected",
        "files": [{"name": "x.csv · published · version 12"}, {"name": "a» · publié · «\u00a0b.csv"}],
        "comment": "ok · approved",
    }
    with using_language(language):
        assert audit.detail_text(detail, {"COL": "Colombie"}) == expected


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_a_quoted_name_stays_text_in_markdown_and_one_line(language: str) -> None:
    # The review page writes the submitted file names into a Markdown caption (markdown_text after quoted): in every
    # language's quotes, markup, a link and a line break in a name stay text on one line.
    from score.i18n import using_language
    from score.values import markdown_text, quoted

    name = "**x**[a](http://e.io)<b>\u2028=1+1"
    with using_language(language):
        shown = markdown_text(quoted(name))
    assert "\u2028" not in shown and "\\u2028" in shown
    assert "\\*\\*x\\*\\*" in shown and "\\[a\\]" in shown and "\\<b\\>" in shown and "\u2060//" in shown


@pytest.mark.parametrize(
    "language, expected",
    [("en", "command line (root)"), ("fr", "ligne de commande (root)"), ("es", "línea de comandos (root)")],
)
def test_a_command_run_as_a_machine_account_reads_as_the_command_line(
    language: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HQ's French audit page showed "system:root" in its User column for the accounts the users command added.
    import getpass

    from score import auth
    from score.i18n import using_language
    from score.labels import actor

    monkeypatch.setattr(getpass, "getuser", lambda: "root")
    with using_language(language):
        assert actor(auth._operator()) == expected
        assert actor("colombia") == "colombia" and actor("") == "–"
