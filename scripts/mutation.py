"""Mutation check: plant known bugs one at a time in a temporary copy of the repository and check that the
tests notice each one (`make mutation`; not part of `make test`: it runs the relevant tests once per bug).

Each mutation names its target by a regular expression that must match exactly once in one file. When the
code has moved (a refactor renamed a variable, split a file), the script stops with "mutation target not
found" instead of reporting a bug as caught that was never planted: update the pattern, keep the bug.

The checkout is never modified: the tracked and untracked (not ignored) files are copied into a temporary
directory, the venv is linked, and the tests run there with no SCORE_* variables and no byte-code caches. First
the tests of every mutation run unmodified (they must pass), then each bug is planted, its tests run until the
first failure, and the file is restored.

    .venv/bin/python scripts/mutation.py             # all mutations; exit 1 if one is not caught
    .venv/bin/python scripts/mutation.py --list      # what would be planted, and where
    .venv/bin/python scripts/mutation.py --only partner_filter_ignored year_to_off_by_one
    .venv/bin/python scripts/mutation.py --all-failures   # every test that catches each bug, not just the first
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

ORACLE = "tests/test_queries_oracle.py"
SCOPE = "tests/test_queries_scope.py"
MATRIX = "tests/test_access_matrix.py"
BOUNDS = "tests/test_contract_bounds.py"
PAGES_PUBLIC = "tests/test_pages_public.py"
PAGES_SIGNED_IN = "tests/test_pages_signed_in.py"
PAGES_LANGUAGES = "tests/test_pages_charts_and_languages.py"
MAP = "tests/test_map_page.py"
COUNTRY = "tests/test_country_profile_page.py"
DISCLOSURE = "tests/test_disclosure.py"


@dataclass(frozen=True)
class Mutation:
    name: str
    bug: str  # the planted bug, in words
    path: str  # file, relative to the repository
    pattern: str  # regular expression; must match exactly once
    replacement: str  # re.sub replacement (may use \1 ...)
    tests: tuple[str, ...]  # pytest node ids or files, the cheapest expected catcher first


MUTATIONS: tuple[Mutation, ...] = (
    # ---- the six bugs of issue 16
    Mutation(
        "detail_reads_aggregate_countries",
        "detail queries get the aggregate countries (every country) instead of the detail ones",
        "score/db.py",
        r'allowed = scope\.detail_countries if query\.access == "detail" else scope\.aggregate_countries',
        "allowed = scope.aggregate_countries",
        (
            f"{SCOPE}::test_enterprise_list_only_for_detail_countries",
            f"{MATRIX}::test_every_query_under_every_scope",
        ),
    ),
    Mutation(
        "exact_when_any_country_is_own",
        "figures are exact when ANY selected country is the viewer's own (not all of them)",
        "score/access.py",
        r"return not set\(countries\) <= self\.detail_countries",
        "return not (set(countries) & self.detail_countries)",
        (f"{MATRIX}::test_every_query_under_every_scope",),
    ),
    Mutation(
        "hidden_cells_show_their_values",
        "a hidden cell blanks its count but still shows its values (e.g. the workers of 3 enterprises)",
        "score/access.py",
        r"blanked = \{count_column, \*value_columns\}",
        "blanked = {count_column}",
        (
            f"{MATRIX}::test_suppression_examples",
            f"{MATRIX}::test_exactly_the_small_cells_are_hidden",
            f"{PAGES_PUBLIC}::test_enterprises_public_summary_hides_small_cells",
        ),
    ),
    Mutation(
        "range_minimum_off_by_one",
        "the range check accepts one below the minimum (a head count of -1)",
        "score/ingest/conversion.py",
        r"below = ok & \(values < low\)",
        "below = ok & (values < low - 1)",
        (BOUNDS, "tests/test_bad_files.py"),
    ),
    Mutation(
        "year_to_off_by_one",
        "the year filter reads BETWEEN year_from AND year_to - 1",
        "score/sql/schema.sql",
        r"\bjoin_year BETWEEN year_from AND year_to\b",
        "join_year BETWEEN year_from AND year_to - 1",
        (ORACLE,),
    ),
    Mutation(
        "partner_filter_ignored",
        "the partner filter is ignored by the filter macros",
        "score/sql/schema.sql",
        r"\(partners IS NULL OR list_contains\(partners, (e\.)?partner\)\)",
        "(partners IS NULL OR TRUE)",
        (ORACLE,),
    ),
    # ---- more bugs a test must catch
    Mutation(
        "scope_dropped_in_sql",
        "the enterprise filter ignores $countries (the viewer's scope)",
        "score/sql/schema.sql",
        r"\blist_contains\(countries, (e\.)?country\)(?=\s+AND \(provinces IS NULL)",
        "TRUE",
        (f"{SCOPE}::test_missing_scope_returns_nothing", f"{MATRIX}::test_every_query_under_every_scope"),
    ),
    Mutation(
        "suppression_never_applied",
        "the runner never protects public figures: no adjustment, no hiding (scope check dropped)",
        "score/db.py",
        r"protect = query\.access == \"aggregate\" and scope\.suppresses\(countries\)",
        "protect = False",
        (
            f"{MATRIX}::test_kpi_tiles_blank_for_small_public_selection",
            f"{MATRIX}::test_small_selections_are_suppressed",
        ),
    ),
    Mutation(
        "min_cell_four",
        "the small-cell threshold is 4 instead of 5 (a cell of 4 enterprises is shown)",
        "score/disclosure.py",
        r"^MIN_CELL = 5\b",
        "MIN_CELL = 4",
        (f"{MATRIX}::test_suppression_examples", f"{MATRIX}::test_exactly_the_small_cells_are_hidden"),
    ),
    Mutation(
        "public_hides_too_much",
        "public tables hide every cell under 50 enterprises, not just those of 1-4 (the tiles still show)",
        "score/access.py",
        r"blank = unknown \| \(counts < MIN_CELL\)",
        "blank = unknown | (counts < 10 * MIN_CELL)",
        (
            f"{PAGES_PUBLIC}::test_enterprises_public_summary_hides_small_cells",
            f"{PAGES_PUBLIC}::test_training_public_module_table_hides_small_cells",
            f"{MAP}::test_map_share_improving_public_hides_small_countries",
            f"{MAP}::test_map_public_suppression_is_hatched_and_hides_numbers",
        ),
    ),
    Mutation(
        "people_trained_off_by_one",
        "people trained counts one male worker too many per enterprise",
        "score/sql/schema.sql",
        r"max\(workers_male\) AS workers_male",
        "max(workers_male) + 1 AS workers_male",
        (
            ORACLE,
            f"{PAGES_SIGNED_IN}::test_training_tiles_and_module_table_for_hq",
            f"{MAP}::test_map_other_metrics_filtered_match_oracle",
            f"{COUNTRY}::test_country_profile_from_link_matches_oracle",
        ),
    ),
    Mutation(
        "module_filter_ignored_in_training",
        "filtered_training keeps the deliveries of modules outside the module filter",
        "score/sql/schema.sql",
        r"WHERE modules IS NULL OR list_contains\(modules, t\.module\);",
        "WHERE TRUE;",
        (ORACLE,),
    ),
    Mutation(
        "range_maximum_off_by_one",
        "the range check accepts one above the maximum",
        "score/ingest/conversion.py",
        r"above = ok & \(values > high\)",
        "above = ok & (values > high + 1)",
        (BOUNDS,),
    ),
    Mutation(
        "earliest_date_rejected",
        "the earliest allowed date itself is rejected (<= instead of <)",
        "score/ingest/conversion.py",
        r"result < pd\.Timestamp\(contract\.EARLIEST_DATE\)",
        "result <= pd.Timestamp(contract.EARLIEST_DATE)",
        (BOUNDS,),
    ),
    Mutation(
        "today_rejected_as_future",
        "a date of today is rejected as in the future (>= instead of >)",
        "score/ingest/conversion.py",
        r"result > pd\.Timestamp\(dt\.date\.today\(\)\)",
        "result >= pd.Timestamp(dt.date.today())",
        (BOUNDS,),
    ),
    Mutation(
        "contract_count_maximum_loosened",
        "the contract allows head counts up to 10,000,000 (a typo of one zero)",
        "score/contract.py",
        r'(Column\(name, "int", description, "12", minimum=0, maximum=)1_000_000\)',
        r"\g<1>10_000_000)",
        (f"{BOUNDS}::test_bounds_here_are_the_contracts", BOUNDS),
    ),
    Mutation(
        "empty_told_from_small",
        "the public sees an empty cell as 0 and a cell of 1-4 enterprises as hidden (presence disclosed)",
        "score/access.py",
        r"blank = unknown \| \(counts < MIN_CELL\)",
        "blank = unknown | ((counts > 0) & (counts < MIN_CELL))",
        (f"{DISCLOSURE}::test_an_empty_cell_and_a_small_one_look_the_same_to_the_public",),
    ),
    Mutation(
        "public_reads_exact_magnitudes",
        "protected views read the exact tables: sums of exact contributions, differences give workers back",
        "score/db.py",
        r"_noisy_reading\(scope\.detail_countries, stored\) if protect",
        r'_Reading("stored,main" if stored else "") if protect',
        (f"{DISCLOSURE}::test_country_staff_see_other_countries_adjusted_and_their_own_exact",),
    ),
    Mutation(
        "own_country_suppressed",
        "country staff get suppressed figures for their own country too (strict subset instead of subset)",
        "score/access.py",
        r"return not set\(countries\) <= self\.detail_countries",
        "return not set(countries) < self.detail_countries",
        (f"{MATRIX}::test_every_query_under_every_scope",),
    ),
    Mutation(
        "country_comparison_loses_a_country",
        "the country comparison drops its last country",
        "queries/country_comparison.sql",
        r"ORDER BY f\.enterprises DESC, f\.country$",
        "ORDER BY f.enterprises DESC, f.country LIMIT 8",
        (f"{ORACLE}::test_country_comparison_figures_and_targets",),
    ),
    Mutation(
        "outcome_changes_loses_empty_indicators",
        "outcome changes drop the indicators no matching enterprise has (inner instead of left join)",
        "queries/outcome_changes.sql",
        r"^LEFT JOIN a ON a\.indicator = i\.code",
        "JOIN a ON a.indicator = i.code",
        (f"{SCOPE}::test_nothing_matches_keeps_code_rows_at_zero", f"{ORACLE}::test_outcome_changes_in_full"),
    ),
    Mutation(
        "sso_sign_in_audit_without_detail",
        "the audit log records an SSO sign-in without its role and time at the identity provider",
        "score/web/signin.py",
        r'(audit\.record\("sign_in", session\.user, method="sso"), role=session\.scope\.role, at_idp=[^)]*\)\)',
        r"\1)",
        ("tests/test_auth.py::test_oidc_identity_maps_to_users_file",),
    ),
    Mutation(
        "audit_write_failure_silent",
        "a failed audit write is neither raised nor logged (lost without a trace)",
        "score/audit.py",
        r'LOG\.exception\("could not write the audit log %s \(event %s\)", path, event\)',
        "pass",
        ("tests/test_auth.py::test_audit_log_write_failure_does_not_raise",),
    ),
    Mutation(
        "rejected_upload_reported_ok",
        "a validation report with errors says ok",
        "score/ingest/report.py",
        r"return not any\(i\.severity == ERROR for i in self\.issues\)",
        "return True",
        ("tests/test_fuzz_ingest.py::test_random_bytes_give_a_report",),
    ),
    Mutation(
        "thousands_separator_dropped",
        "whole numbers are shown without the thousands separator (54321)",
        "score/i18n.py",
        r'return _formatted\(0\.0 if abs\(number\) < 0\.5 else number, "#,##0"\)',
        'return _formatted(0.0 if abs(number) < 0.5 else number, "0")',
        (
            f"{PAGES_SIGNED_IN}::test_overview_tiles_against_targets",
            f"{PAGES_SIGNED_IN}::test_enterprises_tiles_and_summary_table_for_hq",
            f"{PAGES_SIGNED_IN}::test_training_tiles_and_module_table_for_hq",
            f"{MAP}::test_map_other_metrics_filtered_match_oracle",
            f"{COUNTRY}::test_country_profile_from_link_matches_oracle",
        ),
    ),
    Mutation(
        "numbers_ignore_the_language",
        "numbers are always formatted the English way (54,321 on a French page)",
        "score/i18n.py",
        r"parsed, locale = _number_format\(_locale\(\), pattern\)",
        'parsed, locale = _number_format("en", pattern)',
        (f"{PAGES_LANGUAGES}::test_pages_in_french",),
    ),
    # ---- the narrative summary (issue 24)
    Mutation(
        "narrative_change_direction_flipped",
        "the summary says a fall is a rise (work accidents 'rose' by 18%)",
        "score/narrative.py",
        r'return "fell" if change_pct < 0 else "rose"',
        'return "rose" if change_pct < 0 else "fell"',
        ("tests/test_narrative.py::test_a_change_is_said_in_its_direction",),
    ),
    Mutation(
        "narrative_counts_every_baseline",
        "the summary's n counts enterprises without a follow-up too (the published change is over those with both)",
        "score/narrative.py",
        r'counts = \[int\(row\["n_enterprises"\]\) for row in rows\]',
        'counts = [int(row["n_enterprises"]) + int(row.get("n_without_follow_up") or 0) for row in rows]',
        ("tests/test_narrative.py::test_every_number_of_every_summary_equals_the_raw_files",),
    ),
)


class MutationTargetMissing(RuntimeError):
    pass


def plant(text: str, mutation: Mutation) -> str:
    mutated, count = re.subn(mutation.pattern, mutation.replacement, text, flags=re.MULTILINE)
    if count != 1:
        found = "not found" if count == 0 else f"found {count} times (must be unique)"
        raise MutationTargetMissing(
            f"mutation target {found}: {mutation.name}: /{mutation.pattern}/ in {mutation.path}. "
            "The code moved: update the pattern in scripts/mutation.py so the same bug is planted again."
        )
    return mutated


def copy_repo(target: Path) -> None:
    """The working tree as it is (tracked and untracked, not ignored files) in `target`, with the venv linked."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not source.is_file() or name == ".venv" or name.startswith(".venv/"):
            continue  # deleted in the working tree, or the venv itself
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    venv = REPO / ".venv"
    if venv.exists():
        (target / ".venv").symlink_to(venv.resolve())


def run_tests(root: Path, tests: tuple[str, ...] | list[str], first_failure: bool) -> tuple[str, list[str], str]:
    """("passed" | "failed" | "error", failing node ids, output tail)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCORE_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a restored file must never be shadowed by a mutated .pyc
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=no", "-rfE", "--timeout=900"]
    if first_failure:
        command.append("-x")
    result = subprocess.run([*command, *tests], cwd=root, env=env, capture_output=True, text=True)
    lines = result.stdout.splitlines()
    failed = [line.removeprefix("FAILED ").split(" - ")[0] for line in lines if line.startswith("FAILED ")]
    errors = [line.removeprefix("ERROR ").split(" - ")[0] for line in lines if line.startswith("ERROR ")]
    tail = "\n".join(lines[-15:] + result.stderr.splitlines()[-5:])
    if result.returncode == 0:
        return "passed", [], tail
    if result.returncode == 1 and failed:
        return "failed", failed, tail
    return "error", failed + errors, tail  # collection or fixture errors, interrupted, no tests: not a catch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutations and check their targets exist")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutations")
    parser.add_argument("--all-failures", action="store_true", help="run every test of a mutation, list all catchers")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    unknown = set(args.only or ()) - {m.name for m in MUTATIONS}
    if unknown:
        parser.error(f"unknown mutations: {sorted(unknown)}")
    for mutation in chosen:  # fail before copying anything when a target has moved
        plant((REPO / mutation.path).read_text(encoding="utf-8"), mutation)
    if args.list:
        for mutation in chosen:
            print(f"{mutation.name:36} {mutation.path:22} {mutation.bug}")
        return 0

    with tempfile.TemporaryDirectory(prefix="score-mutation-") as tmp:
        root = Path(tmp)
        copy_repo(root)
        every_test = list(dict.fromkeys(t for m in chosen for t in m.tests))
        started = time.monotonic()
        status, failed, tail = run_tests(root, every_test, first_failure=False)
        if status != "passed":
            print(f"The tests fail without any mutation ({failed}); fix them first.\n{tail}")
            return 2
        print(f"baseline: {len(every_test)} test selections pass unmutated ({time.monotonic() - started:.0f} s)\n")
        results = []
        for mutation in chosen:
            path = root / mutation.path
            original = path.read_text(encoding="utf-8")
            path.write_text(plant(original, mutation), encoding="utf-8")
            started = time.monotonic()
            try:
                status, failed, tail = run_tests(root, mutation.tests, first_failure=not args.all_failures)
            finally:
                path.write_text(original, encoding="utf-8")
            seconds = time.monotonic() - started
            caught = status == "failed"
            verdict = "caught" if caught else ("NOT CAUGHT" if status == "passed" else "ERROR (not a catch)")
            by = ", ".join(failed) if args.all_failures else (failed[0] if failed else "-")
            print(f"{verdict:11} {mutation.name:36} by {by}  ({seconds:.0f} s)")
            print(f"{'':11} {mutation.path}: {mutation.bug}")
            if not caught:
                print(tail)
            results.append(caught)
        print(f"\n{sum(results)} of {len(results)} planted bugs caught")
        return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
