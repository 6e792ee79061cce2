"""Charts are built once per arguments and language (components.cached_figure), never served across either."""

from __future__ import annotations

import pandas as pd

from score import components as c
from score.i18n import set_language

FRAME = pd.DataFrame({"country": ["COL", "GHA"], "enterprises": [1200, 3400]})


def _bars(frame: pd.DataFrame, title: str = "Enterprises"):
    return c.bar_chart(frame, "country", "enterprises", title=title, labels={"COL": "Colombia", "GHA": "Ghana"})


def test_the_same_chart_is_built_once_and_not_changed_by_showing_it() -> None:
    set_language("en")
    first = _bars(FRAME.copy())
    assert _bars(FRAME.copy()) is first  # an equal frame: the cached figure
    assert first.layout.separators == ".,"
    assert set(first.data[0].y) == {"Colombia", "Ghana"}  # horizontal bars: the names on the category axis


def test_other_data_arguments_or_language_give_another_chart() -> None:
    set_language("en")
    english = _bars(FRAME)
    changed = FRAME.assign(enterprises=[1200, 3401])
    assert _bars(changed) is not english
    assert 3401 in list(_bars(changed).data[0].x) + list(_bars(changed).data[0].y)
    assert _bars(FRAME, title="Other").layout.title.text == "Other"
    set_language("fr")
    try:
        french = _bars(FRAME)
        assert french is not english
        assert french.layout.separators == ",\u202f" or french.layout.separators[0] == ","
        assert english.layout.separators == ".,"  # the English figure was not changed
    finally:
        set_language("en")
