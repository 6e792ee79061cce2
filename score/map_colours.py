"""The map's colour classes: round class breaks over the values in view and the sequential palette they are
drawn with (ColorBrewer YlGnBu, colour-blind safe and print friendly), with the legend's words for each class.
No Streamlit and no geometry here: score.maps draws them, score.presentation and the report read the same scale."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from score.i18n import _, fmt_int, fmt_pct

# ColorBrewer YlGnBu (9 classes), colour-blind safe and print friendly; the palest step is skipped so the
# lowest class still stands out from the grey context countries.
SEQUENTIAL = ("#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58")
MAX_CLASSES = 5


def nice_step(span: float, classes: int = MAX_CLASSES, whole: bool = False) -> float:
    """A round class width (1, 2, 2.5 or 5 times a power of ten; no 2.5 for whole numbers under 10) giving
    at most `classes` classes over `span`."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / classes
    power = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 5, 10) if whole and power <= 1 else (1, 2, 2.5, 5, 10)
    step = next(factor * power for factor in factors if factor * power >= raw - 1e-12)
    return max(1.0, step) if whole else step


def nice_breaks(low: float, high: float, classes: int = MAX_CLASSES, whole: bool = True) -> list[float]:
    """Class limits from a round number at or below `low` to one at or above `high`."""
    if high < low:
        low, high = high, low
    if high == low:
        step = nice_step(abs(high) or 1.0, 1, whole)
        start = math.floor(low / step) * step
        return [start, start + step]
    step = nice_step(high - low, classes, whole)
    start = math.floor(low / step) * step
    breaks = [start]
    while breaks[-1] < high - 1e-9 or len(breaks) < 2:
        breaks.append(breaks[-1] + step)
    return [round(b, 10) for b in breaks]


@dataclass(frozen=True)
class ColourScale:
    """Classed sequential scale: class i covers [breaks[i], breaks[i + 1]) (the last class is closed)."""

    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    kind: str  # "count" | "percent"

    def class_of(self, value: float) -> int:
        for i in range(len(self.colours)):
            if value < self.breaks[i + 1]:
                return i
        return len(self.colours) - 1

    def colour(self, value: float) -> str:
        return self.colours[self.class_of(value)]

    def format(self, value: float) -> str:
        return fmt_pct(value) if self.kind == "percent" else fmt_int(value)

    def legend(self) -> list[tuple[str, str]]:
        """(colour, label) per class, lowest first, no two sharing an edge: counts "100 – 149", "150 – 199" ...
        (a class holds its lower limit, not its upper one; the last holds both), percentages "70% to under 75%"."""
        out = []
        last = len(self.colours) - 1
        for i, colour in enumerate(self.colours):
            low, high = self.breaks[i], self.breaks[i + 1]
            if i == last:
                label = f"{self.format(low)} – {self.format(high)}"
            elif self.kind == "percent":
                label = _("{low} to under {high}", low=self.format(low), high=self.format(high))
            else:
                top = math.ceil(high) - 1  # whole counts: the class ends one below the next one's start
                label = self.format(low) if top <= low else f"{self.format(low)} – {self.format(top)}"
            out.append((colour, label))
        return out


def pick_colours(classes: int) -> tuple[str, ...]:
    """`classes` colours spread evenly over the sequential ramp (light to dark)."""
    if classes <= 1:  # one value (e.g. the country profile): a light tint, so enterprise points stand out
        return (SEQUENTIAL[2],)
    last = len(SEQUENTIAL) - 1
    first = 1 if classes <= 6 else 0
    return tuple(SEQUENTIAL[round(first + i * (last - first) / (classes - 1))] for i in range(classes))


def colour_scale(values: list[float] | pd.Series, kind: str = "count") -> ColourScale | None:
    """The scale for the shown (not suppressed, not missing) values; None when there is nothing to colour."""
    shown = [float(v) for v in values if v is not None and not pd.isna(v)]
    if not shown:
        return None
    low, high = min(shown), max(shown)
    if kind == "percent":
        low, high = max(0.0, low), min(100.0, high)
    breaks = nice_breaks(low, high, whole=True)
    if kind == "percent":
        breaks = [b for b in breaks if b <= 100.0] or [low, 100.0]
        if breaks[-1] < high or len(breaks) < 2:
            breaks.append(100.0)
    return ColourScale(tuple(breaks), pick_colours(len(breaks) - 1), kind)
