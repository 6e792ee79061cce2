"""Synthetic demo data: realistic, clearly labelled country files calibrated to SCORE's published figures.

`python -m score demo` writes, per country, `data/countries/<ISO3>/{enterprises,training,indicators,logframe}.csv`
plus a `DEMO_DATA.txt` marker (the build shows a "demo data" notice while it is present), and the
reference files `data/reference/targets.csv` and `funding.csv`.

The package: `spec` (the programme's shape and the calibration targets; the countries, sectors and name
lists are data files beside it), `draws` (seeded streams), `enterprises`, `outcomes` (training, indicators),
`programme` (logframe, targets, funding), `dataset` (`build`: all of it in memory), `writing` (`generate`).

Calibration is by construction, not by luck of the seed: Phase I (enterprises joined 2009-01-01 to
2013-09-30) has exactly the enterprise count set in COUNTRIES, its workforce is scaled to an exact total,
the people-trained teams are adjusted to exact totals (and managers/women shares), the yes/no outcome
shares are assigned to exact counts, and follow-up values of the change indicators are adjusted unit by
unit until the summed follow-up over the summed baseline hits the published relative change.

Determinism: every random draw comes from a numpy Generator seeded with (seed, crc32 of a fixed label), so
one table or country can change without reshuffling the others; dates are computed against the fixed
AS_OF date, never today's date; the CSV output uses fixed decimals, sorted rows and "\n" line endings,
so running the generator twice gives byte-identical files.
"""

from score.demo.dataset import DemoData, build
from score.demo.spec import AS_OF, DEFAULT_SEED
from score.demo.writing import MARKER_FILE, check_owned, generate

__all__ = ["AS_OF", "DEFAULT_SEED", "MARKER_FILE", "DemoData", "build", "check_owned", "generate"]
