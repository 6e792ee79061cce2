"""Data quality checks behind views/data_quality.py (no Streamlit here).

Each check is a `-- access: detail` named query (queries/dq_*.sql) returning the rows behind it, so
country staff only ever see their own countries and the public none; the page counts those rows per
country. When each country was last published comes from the publish history (data/versions/history.jsonl).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from score import journal
from score.access import Scope
from score.filter_options import sorted_by_name
from score.i18n import _
from score.labels import actor, code_names, reference_labels


@dataclass(frozen=True)
class Check:
    query: str
    title: str
    explanation: str


def checks() -> list[Check]:
    """The checks in the order the page shows them (titles translated at call time)."""
    return [
        Check(
            "dq_no_training",
            _("Enterprises without training"),
            _("Enterprises in enterprises.csv with no row in training.csv: a delivery missing, or a wrong id."),
        ),
        Check(
            "dq_no_follow_up",
            _("Training without a follow-up measurement"),
            _(
                "Module deliveries whose enterprise has no follow_up value in indicators.csv yet. Recent "
                "deliveries are not yet due: see how many months ago the training was."
            ),
        ),
        Check(
            "dq_outliers",
            _("Indicator values flagged as outliers"),
            _(
                "A follow-up more than 10 times its baseline, or a value far out of line with the same indicator "
                "in the same country (robust z-score above 3.5 on a log scale). Check the unit and the digits."
            ),
        ),
        Check(
            "dq_missing_sex",
            _("Missing breakdown by sex"),
            _(
                "Enterprises whose female and male workers are both 0, and module deliveries whose four "
                "participant groups (managers and workers, female and male) are all 0."
            ),
        ),
    ]


def may_view(scope: object) -> bool:
    """HQ and country staff (with at least one country); never the public view or a broken scope."""
    return isinstance(scope, Scope) and scope.role in ("hq", "country") and bool(scope.detail_countries)


def last_publishes(scope: Scope, countries: frozenset[str], now: dt.datetime | None = None) -> pd.DataFrame:
    """Per country the viewer may see in detail: the newest version that changed its data, who, when, age."""
    now = now or dt.datetime.now(dt.UTC)
    detail = sorted(countries & scope.detail_countries) if may_view(scope) else []
    allowed = sorted_by_name(detail, reference_labels("country"))  # by name in the reader's language
    rows = []
    for country in allowed:
        latest = next((row for row in journal.country_history(country) if row["changed"]), None)
        at = pd.to_datetime(latest["at"], utc=True, errors="coerce") if latest else pd.NaT
        rows.append(
            {
                "country": country,
                "version": latest["version"] if latest else None,
                "action": latest["action"] if latest else None,
                "user": actor(latest["user"]) if latest else None,
                "published_at": at,
                "age_days": None if pd.isna(at) else (now - at.to_pydatetime()).days,
            }
        )
    columns = ["country", "version", "action", "user", "published_at", "age_days"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)  # datetime even when empty
    return frame


def summary(publishes: pd.DataFrame, frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per country with data: last publish and its age, then the number of rows behind each check."""
    out = publishes.set_index("country")
    for query, frame in frames.items():
        counts = frame.groupby("country").size() if len(frame) else pd.Series(dtype="int64")
        out[query] = counts.reindex(out.index).fillna(0).astype("int64")
    has_data = out["version"].notna() | out[list(frames)].gt(0).any(axis=1)
    return out[has_data].reset_index()


def action_label(action: object) -> str:
    """A history action (publish.py writes build / publish / restore) in the viewer's language: the words of
    both the Upload page's history and the data quality page."""
    labels = {"publish": _("Upload"), "restore": _("Restore"), "build": _("Rebuild")}
    return labels.get(str(action), "" if action is None else str(action))


def detail_texts() -> dict[str, str]:
    """The fixed texts the dq_* queries write into their rows (problem and reason codes), translated."""
    return {
        # the columns by name, their codes beside (the code sum alone read as jargon on a French page)
        "workers_female + workers_male = 0": _("No female or male workers (workers_female + workers_male = 0)"),
        "all four participant groups are 0": _("all four participant groups are 0"),
        "follow_up_10x_baseline": _("Follow-up more than 10 times the baseline"),
        "robust_z_above_3_5": _("Far from the other enterprises (robust z-score above 3.5)"),
        **code_names("period"),  # a row's period: baseline / follow_up
    }
