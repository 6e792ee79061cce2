"""Column operations on pandas frames that pandas itself runs row by row in Python: a lookup per distinct value,
and a key joined from several columns. Each replaced a loop that took tens of seconds on 100,000 rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


def map_distinct(values: pd.Series, mapping: Mapping[Any, object], dtype: str = "object") -> pd.Series:
    """values.map(mapping) (a missing key or value: None), looked up once per distinct value: codes, dates and
    amounts repeat, and pandas' own map of a string column goes value by value through Python.

    `dtype="string"`: a string column (a missing key or value: NA), put together by Arrow from the distinct values'
    results, not converted from one Python object per row."""
    codes, distinct = pd.factorize(values)
    looked_up = [mapping.get(value) for value in distinct.tolist()]
    if dtype == "string":
        return pd.Series(pd.array(looked_up, dtype="string").take(codes, allow_fill=True), index=values.index)
    table = np.array([*looked_up, None], dtype=object)
    return pd.Series(table[codes], index=values.index, dtype=object)  # code -1 (a missing value): the None


def joined(columns: Sequence[pd.Series], sep: str) -> pd.Series:
    """The text columns joined row by row with `sep`, computed column by column (a row-wise join runs Python per
    row: 27 s of CPU for 300,000 enterprises). `+`, not `Series.str.cat`, which drops a "\\0" separator on pandas'
    string columns. A missing value in any column gives a missing value."""
    result = columns[0]
    for column in columns[1:]:
        result = result + sep + column
    return result
