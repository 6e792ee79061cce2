"""python -m score.demo [--out DIR] [--seed N]: write the demo set (the same as `python -m score demo`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from score.demo import __doc__ as demo_doc
from score.demo.spec import DEFAULT_SEED
from score.demo.writing import generate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m score.demo", description=(demo_doc or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default data/countries)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    written = generate(args.out, seed=args.seed)
    for table, rows in written.items():
        print(f"  {table:16} {rows:>10,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
