"""`python -m score.build_worker JOB`: validate the country folders a full build listed in JOB (see
score.build.read_country_dirs).

JOB is a pickle the parent wrote into its private temporary folder: (language, upload limit in MB, folders). The
reports (score.ingest.ValidationReport, typed tables included) are written as a pickle next to it, JOB.out.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path


def main(job: Path) -> None:
    from score import i18n, settings
    from score.ingest import load_country_dir

    language, max_upload_mb, folders = pickle.loads(job.read_bytes())  # written by our own parent, 0700 folder
    i18n.set_language(language)
    settings.update(max_upload_mb=max_upload_mb)
    reports = [load_country_dir(Path(folder)) for folder in folders]
    job.with_suffix(".out").write_bytes(pickle.dumps(reports, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
