"""English texts of the reference files that pages show through `_()`: units and indicator definitions.

Names of codes have their own columns per language in data/reference/*.csv; these longer texts are
translated in the catalogue instead, so they are listed here for the extractor (`make i18n`).
tests/test_i18n.py fails when a reference file gains a text that is not listed.
"""

from __future__ import annotations

from score.i18n import N_

INDICATOR_UNITS = (
    N_("accidents per year"),
    N_("% of work days"),
    N_("% of output"),
    N_("% per year"),
    N_("kWh per month"),
    N_("1 = yes"),
)

LOGFRAME_UNITS = (
    N_("%"),
    N_("institutions"),
    N_("sponsors"),
    N_("clusters"),
    N_("MoUs"),
    N_("people"),
    N_("plans"),
    N_("trainers"),
    N_("1 = yes"),
)

INDICATOR_DEFINITIONS = (
    N_("Recorded work accidents in the last 12 months"),
    N_("Share of scheduled work days missed (%)"),
    N_("Share of output rejected (%)"),
    N_("Share of workers leaving per year (%)"),
    N_("Electricity used per month (kWh)"),
    N_("Enterprise adopted good management practices (1 yes / 0 no) at follow-up"),
    N_("Enterprise reports improved workplace relations (1 yes / 0 no) at follow-up"),
    N_("Enterprise reports cost savings such as energy or fewer defects (1 yes / 0 no) at follow-up"),
)
