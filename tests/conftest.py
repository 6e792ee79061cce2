"""Shared fixtures: a real DuckDB database built from the committed country files in a temp data dir."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from score import settings
from tests import built

REPO = Path(__file__).resolve().parent.parent
COUNTRIES = REPO / "data" / "countries"

# In CI (a fresh clone, `.ci/run`) the property tests draw the same examples every run, so a landing is decided by the
# change and not by the draw; on a developer's machine they draw anew each run and keep what failed in .hypothesis/
# (a parser disagreement was found that way). `make fuzz` explores further.
# Everywhere, a property test is never failed for the machine's speed: no per-example deadline (off in every test
# already) and no "too slow to generate" health check (its 1 s for drawing the first examples is a quiet machine's;
# at load 30 a process runs 10 to 30 times slower).
LOAD_PROOF = hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("ci", LOAD_PROOF, derandomize=True, database=None)
hypothesis_settings.register_profile("developer", LOAD_PROOF)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "developer")


def make_data_dir(root: Path, countries: Path = COUNTRIES) -> Path:
    """A private copy of the data tree, so tests never touch data/ in the checkout."""
    data = root / "data"
    shutil.copytree(countries, data / "countries")
    return data


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory, built_template: Path) -> Iterator[Path]:
    """A data dir with the demo set built into a published version (session-wide, read-only use)."""
    from score import db

    data = built.copy_built(built_template, tmp_path_factory.mktemp("demo") / "data")
    with settings.overridden(data_dir=data):
        yield data
        db.close_all()


@pytest.fixture
def settings_override() -> Iterator[Callable[..., settings.Settings]]:
    """`settings_override(data_dir=..., max_upload_mb=...)`: this test's settings (score.settings field names),
    the previous ones back after it. A child process a test starts reads them from
    `{**os.environ, **settings.get().env()}`."""
    previous = settings.get()
    yield settings.update
    settings.use(previous)


@pytest.fixture(scope="session", autouse=True)
def run_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """This run's temp dir (pytest-N/), shared by its xdist workers: where tests/built.py keeps its builds."""
    root = tmp_path_factory.getbasetemp()
    root = root if worker_id == "master" else root.parent
    built.RUN_DIR[:] = [root]
    return root


@pytest.fixture(scope="session")
def built_template(run_dir: Path) -> Path:
    """The demo set built once per run, its connections closed: what `demo_data_dir` and `fresh_data_dir` copy."""
    return built.once_per_run("demo", built.build_countries)


@pytest.fixture
def fresh_data_dir(tmp_path: Path, built_template: Path, settings_override: Callable[..., settings.Settings]) -> Path:
    """A private, writable data dir with the demo set built (for publish/restore tests): a copy of the one build,
    since a build takes seconds and a copy a fraction of one."""
    data = built.copy_built(built_template, tmp_path / "data")
    settings_override(data_dir=data)
    return data


# Passwords in-process are hashed with argon2id at its cheapest: the product's (argon2-cffi's defaults, about a
# quarter of a second a check here) is what the sign-in tests would otherwise spend their time on. A test marked
# `real_argon2` keeps the product's hasher (tests/test_auth.py checks its parameters); child processes (the CLI,
# the browser tests' servers) always use it.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
CHEAP_DUMMY_HASH = CHEAP_HASHER.hash("not a password: only here to spend the same time as a real check")


@pytest.fixture(autouse=True)
def cheap_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_argon2") is None:
        from score import auth

        monkeypatch.setattr(auth, "_hasher", CHEAP_HASHER)
        monkeypatch.setattr(auth, "_DUMMY_HASH", CHEAP_DUMMY_HASH)


@pytest.fixture(scope="session")
def raw(demo_data_dir: Path):
    from tests.oracle import RawData

    return RawData(demo_data_dir / "countries")


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir() -> None:
    """Overrides pytest-playwright's: with `-n 2` one worker would delete the other's failure screenshots
    in test-results/ (tests/e2e writes them there); `make test` clears the folder once instead."""


def _start_order(item: pytest.Item) -> int:
    """Longest first, so that no worker starts a two-minute test when the others are nearly done: the long walks
    (marked slow) among the browser tests, the other browser tests, slow unit tests, then everything else."""
    browser = item.get_closest_marker("e2e") is not None
    slow = item.get_closest_marker("slow") is not None
    return (0 if slow else 1) if browser else (2 if slow else 3)


# A rough cost per start-order group (a quiet machine's seconds: a long walk 40-100, a browser test 5-20, a slow unit
# test 5-15, the rest under 2), enough to share the long tests out evenly between the workers; a long walk says its
# own (`@pytest.mark.slow(150)`: its seconds in a quiet `make test`), as they differ threefold.
_GROUP_COST = (60, 10, 8, 1)


def _cost(item: pytest.Item, group: int) -> float:
    slow = item.get_closest_marker("slow")
    return float(slow.args[0]) if slow is not None and slow.args else _GROUP_COST[group]


def _shares(count: int, workers: int) -> list[int]:
    """How `--dist worksteal` hands out a list at the start: worker i takes the next len(rest) // (workers - i)
    tests, in list order (xdist/scheduler/worksteal.py, check_schedule); an idle worker later takes the second
    half of the longest list left."""
    shares, left = [], count
    for i in range(workers):
        shares.append(left // (workers - i))
        left -= shares[-1]
    return shares


def _spread(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """The list laid out so that each worker's first share starts with its part of the long tests: the long walks
    one by one and the other browser and slow tests a module at a time (its module-wide fixtures, a server or a
    report, are made once) dealt out, costliest first, to the share with the least cost so far; then the quick tests
    in collection order. Sorted alone, the first worker took every long test one after the other."""
    shares = _shares(len(items), workers)
    units: dict[tuple[int, str], list[pytest.Item]] = {}
    for item in sorted(items, key=_start_order):
        group = _start_order(item)
        units.setdefault((group, item.nodeid if group == 0 else str(item.path)), []).append(item)
    unit_costs = {key: sum(_cost(item, key[0]) for item in unit) for key, unit in units.items()}
    lists: list[list[pytest.Item]] = [[] for _ in shares]
    costs = [0.0] * workers
    # costliest first within a group (stable: the quick tests keep their collection order)
    for key in sorted(units, key=lambda key: (key[0], -unit_costs[key] if key[0] < 3 else 0)):
        group, unit, cost = key[0], units[key], unit_costs[key]
        for item in unit:
            room = [w for w in range(workers) if len(lists[w]) < shares[w]]
            if group < 3 and item is unit[0]:
                target = min(room, key=lambda w: costs[w])
            elif item is not unit[0] and len(lists[target]) < shares[target]:
                pass  # the rest of the module where its first test went
            else:
                target = room[0]  # the quick tests fill the shares in order
            lists[target].append(item)
        costs[target] += cost
    return [item for share in lists for item in share]


@pytest.hookimpl(trylast=True)  # after tests/e2e/conftest.py has marked its tests e2e
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_start_order)  # stable: within a group, the collection order
    # Under xdist the workers collect (the controller only hands out indices), so this runs in each worker, where
    # the worker count is known (the dist mode is not: `make test` uses worksteal, and `load` also hands out runs
    # of the list in order)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1 and hasattr(config, "workerinput"):
        items[:] = _spread(items, workers)


TIMELINE = os.environ.get("SCORE_TEST_TIMELINE")  # a file: one line per test, for finding idle workers and costs
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _tree_cpu() -> float:
    """CPU seconds used so far by this process, its children that ended and the live processes under it (the
    browser tests' Streamlit servers and Chromium): the difference over a test is what the test cost the machine."""
    import resource

    own, ended = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # ended meanwhile
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        ticks[pid] = sum(int(f) for f in fields[11:15])  # utime stime, and cutime cstime of what it reaped
    under, todo = set(), [os.getpid()]
    while todo:
        parent = todo.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in under]
        under.update(children)
        todo += children
    return total + sum(ticks[pid] for pid in under) / _TICK


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """With SCORE_TEST_TIMELINE=path, append "worker start end cpu nodeid" per test, its fixtures' set-up and
    tear-down included (DEVELOPERS.md: the suite's time)."""
    started, cpu = time.time(), _tree_cpu() if TIMELINE else 0.0
    yield
    if TIMELINE:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        used = _tree_cpu() - cpu
        with open(TIMELINE, "a", encoding="utf-8") as timeline:
            timeline.write(f"{worker} {started:.2f} {time.time():.2f} {used:.2f} {item.nodeid}\n")
