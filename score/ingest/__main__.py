"""python -m score.ingest FILES_OR_FOLDER [--country XXX] [--json]: validate one country's files."""

import argparse
import sys
from pathlib import Path

from score.ingest.validate import validate_paths

parser = argparse.ArgumentParser(description="Validate one country's SCORE files")
parser.add_argument("paths", nargs="+")
parser.add_argument("--country")
parser.add_argument("--json", action="store_true")
arguments = parser.parse_args()
result = validate_paths([Path(p) for p in arguments.paths], arguments.country)
print(result.to_json() if arguments.json else result.summary())
sys.exit(0 if result.ok else 1)
