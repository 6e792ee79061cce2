"""Country staff upload in the browser: a broken file set is rejected with a readable report (nothing
stored), a valid one shows what it changes and is submitted for HQ's review; once HQ approves it, everyone sees the
new numbers."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import dashboard as ui
from tests.e2e.app_server import AppServer, add_user, score_cli, users_command_available
from tests.e2e.datasets import col_broken, col_without_last
from tests.oracle import RawData

PASSWORD = "e2e-colombia-password"


def report_rows(page: Page) -> list[dict[str, str]]:
    started = ui.download(page, page.locator(ui.MAIN).get_by_role("button", name=re.compile("Download the report")))
    return list(csv.DictReader(io.StringIO(Path(started.path()).read_text(encoding="utf-8-sig"))))


def sha256s(folder: Path) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def rejected_upload_stores_nothing(page: Page, data: Path, folder: Path) -> None:
    """A broken file set on the upload page: rejected, the report names file, row, column and value; nothing
    stored. (make test makes this check in the country journey, tests/e2e/test_journey.py, on its upload page.)"""
    archive_before = sha256s(data / "archive")
    broken, bad_row = col_broken(folder)
    ui.upload_and_check(page, broken)
    expect(ui.metric(page, "Errors")).not_to_have_text("0")
    expect(page.locator(ui.MAIN).get_by_text("The upload was rejected")).to_be_visible()
    assert not page.get_by_role("button", name="Publish Colombia").count()
    issues = report_rows(page)
    found = [r for r in issues if r["Column"] == "Female workers (workers_female)" and r["Severity"] == "Error"]
    assert found, f"no error on workers_female in the report: {issues[:3]}"
    assert (
        found[0]["File"] == "enterprises.csv"
        and found[0]["Rows"] == str(bad_row)
        and found[0]["Value"].lstrip("'") == "-5"
    )  # a leading "'": CSV formula guard
    assert found[0]["Fix"].strip() and "Sheet" not in found[0]
    assert sha256s(data / "archive") == archive_before, "a rejected upload was archived"


# make test-full: make test walks the same journey (country staff upload, a rejected file set first, submit, HQ
# approves, the new figures) in tests/e2e/test_journey.py; this one removes enterprises rather than changing one
@pytest.mark.exhaustive
@pytest.mark.slow(62)  # started first, its quiet seconds (tests/conftest.py)
def test_upload_report_submit_for_review_then_approved_numbers_for_everyone(
    page: Page, fresh_server: AppServer, tmp_path: Path
) -> None:
    data = fresh_server.data_dir
    before = RawData(data / "countries").kpis(countries={"COL"})
    assert users_command_available(), "python -m score users is missing"
    # A regular country account: demo accounts stop working once real (non-demo) data is published, which
    # this test does; the demo user would be signed out before seeing the confirmation.
    add_user(data, "e2e-colombia", PASSWORD, "country", "COL")
    ui.goto(page, fresh_server.url)
    ui.sign_in(page, "e2e-colombia", PASSWORD)
    link = next((link for link in ui.nav_links(page) if link.slug == "upload"), None)
    assert link is not None, "no Upload page for a country user"
    ui.open_nav(page, link)

    # 1. A broken file set: rejected, the report names file, row, column and value; nothing stored.
    rejected_upload_stores_nothing(page, data, tmp_path / "broken")

    # 2. A valid file set (10 enterprises fewer): preview, publish, confirmation.
    valid = col_without_last(tmp_path / "valid", drop=10)
    ui.upload_and_check(page, valid)
    expect(ui.metric(page, "Errors")).to_have_text("0")
    expect(ui.metric(page, "Enterprises removed")).to_have_text("10")
    # Country staff submit for HQ's review (issue 23): nothing changes for anyone until HQ approves.
    assert not page.get_by_role("button", name="Publish Colombia").count()
    page.get_by_role("button", name="Submit Colombia for review").click()
    expect(page.locator(ui.MAIN).get_by_text(re.compile(r"^Submitted for review"))).to_be_visible(timeout=60_000)
    assert not page.locator(ui.EXCEPTION).count()
    assert RawData(data / "countries").kpis(countries={"COL"}) == before  # the published input is as it was
    pending = score_cli(data, "submissions")
    assert "COL" in pending.stdout and "e2e-colombia" in pending.stdout, pending.stdout
    score_cli(data, "approve", "COL", "--user", "e2e-hq")  # HQ approves (the browser review: test_review.py)

    # 3. The archive holds the uploaded bytes; the country folder is the new input.
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in valid} <= sha256s(data / "archive")
    after = RawData(data / "countries").kpis(countries={"COL"})
    assert after["enterprises"] == before["enterprises"] - 10

    # 4. Anybody opening the dashboard now sees the new figures (signed in: public figures carry the cell-key
    # adjustment of the disclosure control, so exact figures are compared for a viewer with detail rights): a new
    # page load is a new session, signed in by the cookie (a new browser context and a sign-in: 7 s of CPU more).
    ui.goto(page, f"{fresh_server.url}/?countries=COL")
    ui.signed_in(page, "e2e-colombia")
    expect(ui.metric(page, "Enterprises engaged")).to_have_text(ui.fmt_int(after["enterprises"]))
    expect(ui.metric(page, "Workers reached")).to_have_text(ui.fmt_int(after["workers_reached"]))
