"""Screenshots of every page for the README: docs/screenshots/<page>.png at 1600x1000 (`make screenshots`).

Starts the app on a private copy of the demo data (as `make run` would, on a free port), opens it in
Debian's chromium with the network blocked, and saves each page of the navigation once its charts are
drawn: the public pages as the public sees them (no enterprise names), the staff pages (upload, data
quality, audit log) signed in as the demo HQ user. File names are the pages' URL names, so the README's
links stay valid when titles or languages change.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only overview,map] [--lang fr|es]
                                            [--size 1280x720]

With `--lang fr` (or es) the public pages open from a `?lang=fr` link and the staff pages switch language
with the sidebar picker after signing in; files are then named <page>-fr.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import Page, Route, ViewportSize, sync_playwright  # noqa: E402

from tests.e2e import dashboard as ui  # noqa: E402
from tests.e2e.app_server import (  # noqa: E402
    LAUNCH,
    AppServer,
    leaves_machine,
    prepare_data_dir,
    users_command_available,
)

NO_CHART = {"upload", "review", "data_quality", "audit", "present"}  # present opens on a KPI slide


def _offline(blocked: list[str]):
    def handle(route: Route) -> None:
        url = route.request.url
        if leaves_machine(url):
            blocked.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    return handle


def wait_until_drawn(page: Page, slug: str) -> None:
    ui.settle(page)
    if slug not in NO_CHART:
        try:
            page.locator(ui.CHART).first.wait_for(state="visible", timeout=30_000)
        except Exception:
            print(f"  warning: {slug}: no chart drawn")
    if page.locator(ui.DECK_CANVAS).count():
        time.sleep(3)  # deck.gl draws in software here: give the canvas its frames
    else:
        time.sleep(1)  # Plotly's transitions
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("[data-testid='stMain']").evaluate("e => e.scrollTo(0, 0)")


def shoot(page: Page, link: ui.NavLink, out: Path, lang: str = "en") -> Path:
    ui.open_nav(page, link)
    wait_until_drawn(page, link.slug)
    path = out / (f"{link.slug}.png" if lang == "en" else f"{link.slug}-{lang}.png")
    page.screenshot(path=str(path))
    problems = ui.page_problems(page, expect_chart=link.slug not in NO_CHART, chart_timeout=1000)
    print(
        f"  {path.relative_to(REPO) if path.is_relative_to(REPO) else path}"
        + (f"  PROBLEMS: {problems}" if problems else "")
    )
    return path


PRESENT_SIZES = ((1920, 1080), (1280, 720))  # a projector and a laptop screen


def shoot_present_mode(browser, server: AppServer, out: Path, blocked: list[str]) -> list[Path]:
    """Present mode full screen at each projector size, on the headline slide (`?slide=2`)."""
    saved = []
    for width, height in PRESENT_SIZES:
        context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        context.route("**/*", _offline(blocked))
        page = context.new_page()
        page.goto(f"{server.url}/present?slide=2", wait_until="domcontentloaded")
        page.locator("[data-testid='slide-counter']").wait_for(timeout=60_000)
        ui.settle(page)
        time.sleep(1)
        path = out / f"present-{width}x{height}.png"
        page.screenshot(path=str(path))
        saved.append(path)
        print(f"  {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
        context.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--only", help="comma-separated page names (default: every page)")
    parser.add_argument("--lang", choices=("en", "fr", "es"), default="en")
    parser.add_argument("--size", default="1600x1000", help="viewport WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    viewport: ViewportSize = {"width": width, "height": height}
    only = set(args.only.split(",")) if args.only else None
    args.out.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="score-screens-") as tmp:
        data = prepare_data_dir(Path(tmp))
        with AppServer(data, Path(tmp) / "streamlit.log") as server, sync_playwright() as pw:
            browser = pw.chromium.launch(**LAUNCH)
            public_seen: set[str] = set()
            for role in ("public", "hq"):
                context = browser.new_context(viewport=viewport, device_scale_factor=1)
                context.route("**/*", _offline(blocked))
                page = context.new_page()
                link_lang = f"?lang={args.lang}" if args.lang != "en" and role == "public" else ""
                ui.goto(page, server.url + link_lang)
                if role == "hq":
                    if not users_command_available():
                        break
                    from score.auth import DEMO_USERS

                    name, _role, _countries, password = next(u for u in DEMO_USERS if u[1] == "hq")
                    ui.sign_in(page, name, password)  # the e2e helper reads the English form
                    if args.lang != "en":
                        ui.choose(page, "Language", {"fr": "Français", "es": "Español"}[args.lang])
                print(f"{role}:")
                for link in ui.nav_links(page):
                    if link.slug in public_seen or (only and link.slug not in only):
                        continue
                    saved.append(shoot(page, link, args.out, args.lang))
                    if role == "public":
                        public_seen.add(link.slug)
                context.close()
            if not only or "present" in only:
                saved += shoot_present_mode(browser, server, args.out, blocked)
            browser.close()
    print(f"{len(saved)} screenshots in {args.out}")
    if blocked:
        print(f"warning: the pages asked for {len(set(blocked))} outside address(es), blocked: {sorted(set(blocked))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
