"""`python -m score.ingest.check_worker`: check one upload for score.ingest.bounded, which watches and ends it.

Imports the validator, writes b"R" (ready), reads one pickled job from stdin (language, upload limit in MB,
country, {file name: bytes}) written by its own parent, and writes the pickled ValidationReport to stdout.
"""

from __future__ import annotations

import pickle
import sys


def main() -> None:
    from score import i18n, settings
    from score.ingest.validate import validate_submission

    sys.stdout.buffer.write(b"R")
    sys.stdout.buffer.flush()
    job = sys.stdin.buffer.read()
    if not job:
        return  # a spare the app never used: its parent ended
    language, limit_mb, country, files = pickle.loads(job)  # from our own parent, over a pipe
    i18n.set_language(language)
    settings.update(max_upload_mb=limit_mb)
    report = validate_submission(country, files)
    sys.stdout.buffer.write(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
