"""Command line: `python -m score validate|build|demo|publish|history|restore|download|contract|deck|report|users|
submissions|approve|return`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from score import config, settings


def _refuse(message: str, status: int = 1) -> int:
    """A command that does nothing: why, on stderr, and the exit status (1; 2 for arguments that cannot work)."""
    print(message, file=sys.stderr)
    return status


def _submissions(paths: list[Path]) -> list[list[Path]]:
    """What `validate` checks, one submission each: the paths as given; or, for one folder holding no contract file
    of its own but sub-folders that do (what `download` writes: csv/ and xlsx/), each such sub-folder on its own (a
    workbook and CSV files together are two uploads, not one)."""
    from score.ingest.names import contract_file

    def holds_files(folder: Path) -> bool:
        return any(child.is_file() and contract_file(child.name) for child in folder.iterdir())

    if len(paths) == 1 and paths[0].is_dir() and not holds_files(paths[0]):
        sets = [[child] for child in sorted(paths[0].iterdir()) if child.is_dir() and holds_files(child)]
        if sets:
            return sets
    return [paths]


def _cmd_validate(args: argparse.Namespace) -> int:
    from score.ingest import validate_paths

    ok = True
    for submission in _submissions([Path(p) for p in args.paths]):
        report = validate_paths(submission, country=args.country)
        if len(submission) == 1 and submission[0] != Path(args.paths[0]):
            print(f"== {submission[0]}")
        print(report.to_json() if args.json else report.summary())
        ok = ok and report.ok
    return 0 if ok else 1


def _cmd_build(args: argparse.Namespace) -> int:
    from score.build import BuildError
    from score.publish import build_all

    try:
        result = build_all(user=args.user)
    except BuildError as error:
        print(error.summary(), file=sys.stderr)
        return _refuse("Build refused: the current database is unchanged.")
    print(f"Built version {result.version}: {result.path}")
    for table, rows in result.counts.items():
        print(f"  {table:16} {rows:>10,}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from score.demo import generate

    if args.scale is not None:
        return _demo_scaled(args)
    written = generate(Path(args.out) if args.out else config.countries_dir(), seed=args.seed)
    for table, rows in written.items():
        print(f"  {table:16} {rows:>10,}")
    return 0


def _demo_scaled(args: argparse.Namespace) -> int:
    """`demo --scale N --out DIR`: the demo set N times as a complete data dir DIR, built."""

    from score.scaled import write_scaled_demo

    if not args.out:
        return _refuse("--scale needs --out DIR: a data dir of its own (the demo data stay as they are).", status=2)
    out = Path(args.out)
    try:
        written = write_scaled_demo(args.scale, out, seed=args.seed)
    except (ValueError, FileExistsError) as error:
        return _refuse(f"Refused: {error}", status=2)
    for table, rows in written.items():
        print(f"  {table:16} {rows:>10,}")
    if args.no_build:
        return 0
    settings.update(data_dir=out.resolve(), db_path=None)  # build workers get it through settings.env()
    args.user = "demo"
    return _cmd_build(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    from score.serve import serve

    return serve(args.processes, args.port, args.host)


def _cmd_publish(args: argparse.Namespace) -> int:
    from score.access import Scope
    from score.publish import PublishError, RejectedUpload, publish_country

    files = {Path(p).name: Path(p).read_bytes() for p in args.paths}
    try:
        # The command line acts as HQ: whoever can run it can write data/ anyway.
        result = publish_country(args.country.upper(), files, Scope.hq(args.user))
    except RejectedUpload as rejected:
        print(rejected.report.summary(), file=sys.stderr)
        return _refuse("Upload rejected: nothing was changed.")
    except PublishError as error:
        return _refuse(f"Publish failed, the previous version stays current: {error}")
    print(f"Published version {result.version} for {args.country.upper()}")
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    from score.publish import read_history

    country = args.country.upper() if args.country else None
    print(f"{'version':>7}  {'action':8} {'when':25} {'user':20} {'country':7} enterprises")
    for entry in read_history():
        if country and country not in entry.get("countries", {}):
            continue
        rows = entry.get("countries", {}).get(country, "") if country else sum(entry.get("countries", {}).values())
        print(
            f"{entry['version']:>7}  {entry['action']:8} {entry['at']:25} {entry['user'][:20]:20} "
            f"{entry.get('country', '') or '':7} {rows}"
        )
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from score.access import Scope
    from score.publish import PublishError, RejectedUpload, restore_country

    try:
        result = restore_country(args.country.upper(), args.version, Scope.hq(args.user))
    except (PublishError, RejectedUpload) as error:
        return _refuse(f"Restore failed, nothing changed: {error}")
    print(f"Restored {args.country.upper()} from version {args.version} as version {result.version}")
    return 0


def _cmd_submissions(args: argparse.Namespace) -> int:
    from score import submissions

    items = submissions.all_submissions(args.country.upper() if args.country else None)
    if not args.all:
        items = [s for s in items if s.state == "pending"]
    if not items:
        print("No pending submission." if not args.all else "No submission.")
        return 0
    print(f"{'country':7} {'state':9} {'kind':6} {'when':25} {'who':20} {'id':32} files / comment")
    for item in items:
        files = ", ".join(str(f["name"]) for f in item.files)
        note = f" / {item.comment}" if item.comment else ""
        print(
            f"{item.country:7} {item.state:9} {item.kind:6} {item.at:25} {item.user[:20]:20} {item.id:32} {files}{note}"
        )
    return 0


def _cmd_approve(args: argparse.Namespace) -> int:
    from score import submissions
    from score.access import Scope
    from score.publish import PublishError, RejectedUpload

    try:
        item, result = submissions.approve(args.country.upper(), Scope.hq(args.user))
    except (submissions.SubmissionError, PublishError, RejectedUpload) as error:
        return _refuse(f"Not approved, nothing changed: {error}")
    print(f"Approved {item.country} (submitted by {item.user} at {item.at}): published as version {result.version}")
    return 0


def _cmd_return(args: argparse.Namespace) -> int:
    from score import submissions
    from score.access import Scope

    try:
        item = submissions.return_submission(args.country.upper(), Scope.hq(args.user), args.comment)
    except submissions.SubmissionError as error:
        return _refuse(f"Not returned: {error}")
    print(f"Returned {item.country} to {item.user} with the comment: {item.comment}")
    return 0


def _cmd_download(args: argparse.Namespace) -> int:
    """A country's published data in upload format: a CSV per table in --out/csv, one workbook in --out/xlsx (two
    uploads of the same data: `validate --out` checks each, `publish` takes either folder's files)."""
    from score import contract, db
    from score.access import Scope
    from score.upload import current_files

    country = args.country.upper()
    if country not in contract.code_list("country"):
        return _refuse(f"Unknown country {country!r}; one of {', '.join(contract.code_list('country'))}")
    out = Path(args.out)
    scope = Scope.hq(args.user)  # the command line acts as HQ: whoever can run it can read data/ anyway
    try:
        path = db.check_database()
        files = {kind: current_files(country, scope, kind, path) for kind in ("csv", "xlsx")}
    except db.DatabaseUnavailable as error:
        return _refuse(f"The database cannot be read ({error}); run `python -m score build` first.")
    for kind, written in files.items():
        (out / kind).mkdir(parents=True, exist_ok=True)
        for name, data in written.items():
            (out / kind / name).write_bytes(data)
            print(f"  {out / kind / name}  {len(data):>10,} bytes")
    print(f"Wrote {country}'s current data (version {path.name}) in upload format to {out}")
    return 0


def _cmd_contract(args: argparse.Namespace) -> int:
    from score.contract import contract_markdown, readme_with_contract

    if args.update_readme:
        readme = config.REPO_ROOT / "README.md"
        readme.write_text(readme_with_contract(readme.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated {readme}")
    else:
        print(contract_markdown())
    return 0


def _cmd_users(args: argparse.Namespace) -> int:
    """Local users: add (password from getpass or --password-stdin), remove, list, demo."""
    import getpass

    from score import auth

    if args.action == "list":
        print(f"{'user':32} {'role':8} {'countries':16} sign-in")
        for user in auth.list_users():
            how = "sso" if user.sso else ("password" if user.has_password else "none")
            print(f"{user.username:32} {user.role:8} {','.join(user.countries) or '-':16} {how}{' (demo)' * user.demo}")
        return 0
    if args.action == "remove":
        if not auth.remove_user(args.username):
            return _refuse(f"no user {args.username!r}")
        print(f"removed {args.username}; their open sessions end at their next click")
        return 0
    if args.action == "demo":
        if not auth.demo_accounts_allowed():
            return _refuse(
                "Refused: the loaded data set is not the demo set (a country folder has no DEMO_DATA.txt). Demo\n"
                "accounts have published passwords and would not work on real data anyway."
            )
        for name, role, codes, secret in auth.DEMO_USERS:
            auth.add_user(name, secret, role, codes, demo=True)
        print("Demo users (valid only while the demo data set is loaded):")
        for name, role, codes, secret in auth.DEMO_USERS:
            print(f"  {name:10} password {secret:20} {role}{' ' + ','.join(codes) if codes else ''}")
        return 0
    # add
    countries = [c for c in (args.countries or "").split(",") if c.strip()]
    password = None
    if not args.sso:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass(f"Password for {args.username}: ")
            if getpass.getpass("Again: ") != password:
                return _refuse("The passwords differ; nothing changed.")
    try:
        user = auth.add_user(args.username, password, args.role, countries, sso=args.sso)
    except auth.UserError as error:
        return _refuse(f"{error}; nothing changed.")
    print(f"saved {user.username} ({user.role}{': ' + ','.join(user.countries) if user.countries else ''})")
    return 0


def _cmd_deck(args: argparse.Namespace) -> int:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime" notes: this is not the app
    from score.presentation import deck_from_link

    def progress(done: int, total: int) -> None:
        print(f"  slide {done}/{total}", file=sys.stderr)

    try:
        deck = deck_from_link(args.query or "", language=args.lang, role=args.role, progress=progress)
    except ValueError as error:
        return _refuse(f"{error}; no deck written.")
    Path(args.out).write_bytes(deck)
    print(f"wrote {args.out} ({len(deck):,} bytes)")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    import time

    from streamlit import logger

    logger.set_log_level("error")  # "no runtime" notes of every cached function: this is not the app
    from score.web.report_cli import page_report

    out, started = Path(args.out), time.monotonic()
    try:
        recipe = page_report(args.query or "", args.lang, args.role, args.page)
    except ValueError as error:
        return _refuse(f"{error}; no report written.")
    document = recipe.html()
    out.write_bytes(document)
    print(f"wrote {out} ({len(document):,} bytes, {time.monotonic() - started:.1f} s)")
    if args.pdf:
        printed = recipe.pdf()
        out.with_suffix(".pdf").write_bytes(printed)
        print(f"wrote {out.with_suffix('.pdf')} ({len(printed):,} bytes, {time.monotonic() - started:.1f} s)")
    return 0


def _add_view_arguments(p: argparse.ArgumentParser) -> None:
    """Whose view of which dashboard link, in which language: what `deck` and `report` draw alike."""
    p.add_argument("--lang", default="en", choices=["en", "fr", "es"])
    p.add_argument("--query", help='filters as in a dashboard link, e.g. "countries=COL&phases=I"')
    p.add_argument("--role", default="public", choices=["public", "hq"], help="whose view (default: the public)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m score", description="SCORE results data tools")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="validate country files (exit 0 valid, 1 invalid)")
    p.add_argument("paths", nargs="+", help="files, a country folder, or a folder of `download` (each set on its own)")
    p.add_argument("--country", help="ISO3 code (default: from the folder name or the enterprise ids)")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("build", help="consolidate data/countries/* into a new database version")
    p.add_argument("--user", default="cli")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("demo", help="write the synthetic demo data set")
    p.add_argument("--out", help="output folder (default data/countries); with --scale: a data dir")
    p.add_argument("--seed", type=int, default=2013)
    p.add_argument("--scale", type=int, help="N copies of the demo set as a complete data dir --out DIR (built)")
    p.add_argument("--no-build", action="store_true", help="with --scale: write the CSV files only")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("serve", help="N Streamlit processes behind nginx on one port (sticky sessions)")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="0.0.0.0", help="address nginx listens on (default all)")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("publish", help="validate, archive and publish one country's files")
    p.add_argument("--country", required=True)
    p.add_argument("--user", default="cli")
    p.add_argument("paths", nargs="+")
    p.set_defaults(func=_cmd_publish)

    p = sub.add_parser("history", help="published versions (optionally for one country)")
    p.add_argument("country", nargs="?")
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser("restore", help="publish again a country's data from an earlier version")
    p.add_argument("country")
    p.add_argument("version", type=int)
    p.add_argument("--user", default="cli")
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser("download", help="write a country's current data in upload format (CSV files + workbook)")
    p.add_argument("country", help="ISO3 code, e.g. COL")
    p.add_argument("--out", required=True, help="folder to write into (created if missing): csv/ and xlsx/ in it")
    p.add_argument("--user", default="cli")
    p.set_defaults(func=_cmd_download)

    p = sub.add_parser("contract", help="print the data contract as Markdown")
    p.add_argument("--update-readme", action="store_true", help="rewrite the README's contract section")
    p.set_defaults(func=_cmd_contract)

    p = sub.add_parser("deck", help="the Presentation page's PowerPoint deck for the filters of a dashboard link")
    p.add_argument("--out", required=True, help="the .pptx file to write")
    _add_view_arguments(p)
    p.set_defaults(func=_cmd_deck)

    p = sub.add_parser("report", help="one self-contained HTML file (and a PDF) of a page for a dashboard link")
    p.add_argument("--out", required=True, help="the .html file to write (the PDF beside it, with --pdf)")
    _add_view_arguments(p)
    p.add_argument("--page", default="overview", help="overview (default), enterprises, training ... country")
    p.add_argument("--pdf", action="store_true", help="also print it to PDF (A4 landscape) with Chromium")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("submissions", help="submissions waiting for HQ's review (--all: every state)")
    p.add_argument("country", nargs="?", help="ISO3 code: only this country")
    p.add_argument("--all", action="store_true", help="also approved, returned and withdrawn ones")
    p.set_defaults(func=_cmd_submissions)

    p = sub.add_parser("approve", help="publish a country's pending submission (as HQ)")
    p.add_argument("country", help="ISO3 code, e.g. COL")
    p.add_argument("--user", default="cli", help="recorded as the approver (default: cli)")
    p.set_defaults(func=_cmd_approve)

    p = sub.add_parser("return", help="return a country's pending submission to its submitter with a comment")
    p.add_argument("country", help="ISO3 code, e.g. COL")
    p.add_argument("--comment", required=True, help="what the submitter should change")
    p.add_argument("--user", default="cli", help="recorded as the reviewer (default: cli)")
    p.set_defaults(func=_cmd_return)

    p = sub.add_parser("users", help="local users of the dashboard (add, remove, list, demo)")
    users = p.add_subparsers(dest="action", required=True)
    q = users.add_parser("add", help="add or replace a user")
    q.add_argument("username", help="user name, or the e-mail address for single sign-on")
    q.add_argument("--role", required=True, choices=["public", "country", "hq"])
    q.add_argument("--countries", help="ISO3 codes for a country user, e.g. COL,PER")
    q.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    q.add_argument("--sso", action="store_true", help="signs in through the identity provider (no password)")
    q = users.add_parser("remove", help="remove a user")
    q.add_argument("username")
    users.add_parser("list", help="list users (never the password hashes)")
    users.add_parser("demo", help="create the demo users (only for the demo data set)")
    p.set_defaults(func=_cmd_users)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
