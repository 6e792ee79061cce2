"""What the bench scripts share: running a measuring script in a fresh Python and reading its RESULT line,
and writing a measured section between markers in BENCHMARKS.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

Results = TypeVar("Results")

REPO = Path(__file__).resolve().parent.parent


def run_result(script: str, args: list[str], env: Mapping[str, str], timeout: float) -> tuple[Any, str]:
    """Run `python -c script *args` in the repo; (the JSON after the first "RESULT" line on stdout, or None
    when there is none, and stderr or stdout to say why)."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT")), None)
    return (None if line is None else json.loads(line[len("RESULT") :])), done.stderr or done.stdout


def write_section(path: Path, text: str, markers: tuple[str, str]) -> None:
    """Replace the text between `markers` in `path` (append the section when the markers are not there)."""
    content = path.read_text(encoding="utf-8")
    start, end = markers
    if start in content and end in content:
        before, rest = content.split(start, 1)
        content = before + start + "\n" + text + "\n" + end + rest.split(end, 1)[1]
    else:
        content = content.rstrip("\n") + f"\n\n{start}\n{text}\n{end}\n"
    path.write_text(content, encoding="utf-8")


def report_and_write(script: str, text_of: Callable[[str], str], path: Path | None, markers: tuple[str, str]) -> int:
    """Print a bench script's report, made by `text_of(command)` (the command line that made it), and write it
    between `markers` in `path` when given; the script's exit code."""
    text = text_of(" ".join([".venv/bin/python", script, *sys.argv[1:]]))
    print(text)
    if path:
        write_section(path, text, markers)
    return 0


def measure_and_report(
    script: str,
    measure: Callable[[], Results],
    report: Callable[[Results, str, float, tuple[float, float]], str],
    path: Path | None,
    markers: tuple[str, str],
) -> int:
    """Run `measure()`, noting when it started and the 1-minute load average before and after (a busy machine
    is said in the report), then `report(results, command, started, loads)` printed and written as in
    `report_and_write`; the script's exit code."""
    started, load_start = time.time(), os.getloadavg()[0]
    results = measure()
    loads = (load_start, os.getloadavg()[0])
    return report_and_write(script, lambda command: report(results, command, started, loads), path, markers)
