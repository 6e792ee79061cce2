"""A checked upload survives a reload: it is kept on the server for the sign-in (score.drafts), so a new Streamlit
session with the same sign-in (a reload, a new tab, another process) shows the same report and Submit step, with
a notice and a way to discard it; it is never shown to another user, nor to the same user for a country their
scope no longer has; it goes on submit, discard and sign-out; a publish in between gets it checked again.

A new AppTest with the same `auth.Session` in its state is what a reload gives: signin resumes the session row
from the cookie (tests/test_auth.py checks that part) and finds the same `Session` (same row, same user).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from score import auth, drafts, publish, submissions
from score.access import Scope
from score.upload import check_upload
from score.web import signin
from tests.apptest import app, no_exception
from tests.publishing import build_small, csv_bytes, csv_rows, dataset_b

UPLOAD = "views/upload.py"
PASSWORD = "correct horse battery staple"
RESTORED = "Restored: the files you checked"


@pytest.fixture
def data(tmp_path: Path, settings_override) -> Path:
    return build_small(tmp_path, settings_override)


def _signed_in(name: str, countries: list[str]) -> auth.Session:
    auth.add_user(name, PASSWORD, "country", countries)
    return auth.start_session(name, auth.verify(name, PASSWORD))[0]


def _page(session: auth.Session) -> AppTest:
    """The Upload page in a new Streamlit session of this sign-in (a reload, a new tab, another process)."""
    at = no_exception(app(state={signin.SESSION_KEY: session}).run())
    return no_exception(at.switch_page(UPLOAD).run(), UPLOAD)


def _check(at: AppTest, files: dict[str, bytes]) -> None:
    uploader = next(u for u in at.file_uploader if str(u.key).startswith("upload_files_"))
    uploader.set_value([(n, raw, "text/csv") for n, raw in files.items()])
    no_exception(at.run())
    no_exception(at.button(key="upload_check_files").click().run())


def _shown(at: AppTest) -> dict[str, object]:
    """What the page shows of a check: the report's counts, the notice, the Submit button, the issue rows."""
    issues = [d.value for d in at.dataframe if "Problem" in d.value.columns]
    return {
        "report": "Validation report" in [s.value for s in at.subheader],
        "counts": {m.label: m.value for m in at.metric if m.label in ("Errors", "Warnings", "Enterprises removed")},
        "issues": issues[0].to_dict("records") if issues else [],
        "submit": any(b.key == "upload_submit" for b in at.button),
        "restored": any(RESTORED in str(i.value) for i in at.info),
    }


def _with_a_mistake(files: dict[str, bytes]) -> dict[str, bytes]:
    """The training file with a module code nobody uses: one error, the other files good."""
    header, rows = csv_rows(files["training.csv"])
    rows[0]["module"] = "XYZ"
    return {**files, "training.csv": csv_bytes(header, rows)}


def test_a_checked_upload_comes_back_after_a_reload_and_only_for_its_sign_in(data: Path) -> None:
    maria = _signed_in("maria", ["COL"])
    first = _page(maria)
    _check(first, _with_a_mistake(dataset_b()))
    rejected = _shown(first)
    assert rejected["report"] and rejected["counts"]["Errors"] != "0" and rejected["issues"]

    reloaded = _page(maria)  # F5: a new session, the same sign-in
    assert reloaded.selectbox(key="upload_country").value == "COL"
    assert _shown(reloaded) == rejected | {"restored": True}  # the same report, the same rows, said restored

    _check(reloaded, dataset_b())  # the files corrected: this check replaces the kept one
    valid = _shown(reloaded)
    assert valid["submit"] and valid["counts"]["Errors"] == "0"
    again = _page(maria)
    assert _shown(again) == valid | {"restored": True}

    # Another person of the same country, and the public view, see nothing of it.
    lucia = _page(_signed_in("lucia", ["COL"]))
    assert not _shown(lucia)["report"] and not _shown(lucia)["restored"]
    public = no_exception(app(scope=Scope.public()).run())
    assert not [s for s in public.subheader if s.value == "Validation report"]

    # Kept under the data directory, readable by the service alone.
    folder = next(p for p in drafts.drafts_dir().iterdir() if p.is_dir())
    assert folder.is_relative_to(data) and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in folder.rglob("*") if f.is_file())
    assert submissions.all_submissions() == []  # a draft is no submission

    # Submitted from the restored page: the submission holds these files, and no reload brings the check back.
    again.button(key="upload_submit").click().run()
    no_exception(again)
    assert "Submitted for review" in "\n".join(s.value for s in again.success)
    assert submissions.pending("COL").read_files() == dataset_b()
    assert not _shown(_page(maria))["report"]


def test_discard_and_sign_out_end_a_kept_check(data: Path) -> None:
    maria = _signed_in("maria", ["COL"])
    _check(_page(maria), dataset_b())
    reloaded = _page(maria)
    assert _shown(reloaded)["restored"]
    no_exception(reloaded.button(key="upload_draft_discard").click().run())
    assert not _shown(reloaded)["report"]
    assert not _shown(_page(maria))["report"]

    first = _page(maria)
    _check(first, dataset_b())
    no_exception(first.button(key="score_sign_out").click().run())
    assert drafts.load(drafts.owner(maria), "maria", ["COL"]) is None


def test_a_kept_check_is_not_shown_after_the_users_countries_change(data: Path) -> None:
    maria = _signed_in("maria", ["COL"])
    _check(_page(maria), dataset_b())
    auth.add_user("maria", PASSWORD, "country", ["PER"])  # HQ moves her to Peru: her sign-in goes on
    moved = _page(maria)
    assert moved.selectbox(key="upload_country").value == "PER"
    assert not _shown(moved)["report"] and not _shown(moved)["restored"]
    auth.add_user("maria", PASSWORD, "country", ["COL", "PER"])  # and back: the Colombian files were removed
    back = _page(maria)
    back.selectbox(key="upload_country").select("COL").run()
    assert not _shown(back)["report"]


def test_a_check_restored_after_a_publish_is_checked_against_the_new_version(data: Path) -> None:
    maria = _signed_in("maria", ["COL"])
    first = _page(maria)
    _check(first, dataset_b())
    removed = _shown(first)["counts"]["Enterprises removed"]
    publish.publish_country("COL", dataset_b(), Scope.hq("geneva"))  # HQ published these very files meanwhile
    reloaded = _page(maria)
    shown = _shown(reloaded)
    assert shown["restored"] and removed != "0" and shown["counts"]["Enterprises removed"] == "0"
    said = "\n".join(str(w.value) for w in reloaded.warning)
    assert "version 1, now 2" in said and "checked again against the data published now" in said


def test_a_draft_is_bounded_by_the_upload_limits(data: Path, settings_override) -> None:
    maria = _signed_in("maria", ["COL"])
    key = drafts.owner(maria)
    check = check_upload("COL", dataset_b(), maria.scope, audited=False)
    assert drafts.keep(key, check, "maria")
    largest = max(len(raw) for raw in check.files.values())
    settings_override(max_upload_mb=(largest - 1) / 1024 / 1024)
    assert not drafts.keep(key, check, "maria")  # too large: not kept, and the older draft is gone too
    assert drafts.load(key, "maria", ["COL"]) is None
    assert drafts.owner(Scope.country("maria", {"COL"})) is None  # no sign-in, nothing kept
