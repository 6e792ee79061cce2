"""What changed between two sets of a country's contract tables (no Streamlit): rows added, removed and changed per
table, the changed cells from -> to, the largest changes; and the history of one enterprise or logframe indicator
across the archived versions (who changed what, when, from what to what).

Rows are matched by the contract's key of each table (enterprises: enterprise_id; training: enterprise_id + module;
indicators: enterprise_id + indicator + period; logframe: indicator + period_end). Values are compared as the
text the upload format writes (ISO dates, plain numbers), so a float read back from a database and the same float
read from a CSV file compare equal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from score import config, contract, journal, labels
from score.access import Scope
from score.frames import joined
from score.ingest import validate_submission

KEY_SEPARATOR = " · "


@dataclass(frozen=True)
class CellChange:
    table: str
    key: str  # the row's key values joined by KEY_SEPARATOR (COL-0001 · WC)
    column: str
    old: str  # "" when the row is new
    new: str  # "" when the row was removed

    @property
    def size(self) -> float:
        """How large the change is: the absolute difference of two numbers, else 0."""
        try:
            return abs(float(self.new) - float(self.old))
        except ValueError:
            return 0.0


@dataclass(frozen=True)
class TableDiff:
    table: str
    added: list[str] = field(default_factory=list)  # keys
    removed: list[str] = field(default_factory=list)
    changed: list[CellChange] = field(default_factory=list)  # cells of rows in both

    @property
    def rows_changed(self) -> int:
        return len({c.key for c in self.changed})


def key_named(table: str, key: str) -> str:
    """A row's key as people read it, each code named as the rest of the page names it: a training row
    "COL-0001 · Coopération sur le lieu de travail (WC)" (was "COL-0001 · WC"), an indicator's period
    "Référence (baseline)"; ids and dates as they are. A key not of the table's shape stays as it is."""
    spec = contract.TABLES.get(table)
    parts = key.split(KEY_SEPARATOR)
    if spec is None or len(parts) != len(spec.key):
        return key
    return KEY_SEPARATOR.join(
        labels.value_named(table, column, part) for column, part in zip(spec.key, parts, strict=True)
    )


def canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Contract columns as comparable text, indexed by the table's key (same rules for DB rows and uploads)."""
    spec = contract.TABLES[table]
    out = {}
    for col in spec.columns:
        values = frame[col.name] if col.name in frame.columns else pd.Series(pd.NA, index=frame.index)
        if col.dtype == "date":
            text = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d")
        elif col.dtype == "float":
            text = pd.to_numeric(values, errors="coerce").round(6).astype("Float64").astype("string")
        elif col.dtype == "int":
            text = pd.to_numeric(values, errors="coerce").round().astype("Int64").astype("string")
        else:
            text = values.astype("string").str.strip()
        out[col.name] = text.fillna("").astype(str).to_numpy()
    shown = pd.DataFrame(out)
    shown.index = pd.Index(joined([shown[column] for column in spec.key], KEY_SEPARATOR), name="key")
    return shown


def diff_table(table: str, before: pd.DataFrame, after: pd.DataFrame) -> TableDiff:
    """Rows added, removed and the cells changed by replacing `before` with `after` (one contract table)."""
    old, new = canonical(table, before), canonical(table, after)
    old, new = old[~old.index.duplicated()], new[~new.index.duplicated()]
    common = new.index[new.index.isin(old.index)]
    compared = [c for c in contract.TABLES[table].column_names if c not in contract.TABLES[table].key]
    left, right = old.loc[common, compared], new.loc[common, compared]
    # The changed cells found in one array operation, in row then column order (a lookup per cell took 43 s for
    # 50,000 changed rows).
    rows, columns = np.nonzero(left.ne(right).to_numpy())
    old_values, new_values = left.to_numpy()[rows, columns], right.to_numpy()[rows, columns]
    keys, names = left.index.to_numpy()[rows], np.asarray(compared, dtype=object)[columns]
    changed = [
        CellChange(table, key, column, old, new)
        for key, column, old, new in zip(
            keys.tolist(), names.tolist(), old_values.tolist(), new_values.tolist(), strict=True
        )
    ]
    return TableDiff(
        table,
        added=list(new.index[~new.index.isin(old.index)]),
        removed=list(old.index[~old.index.isin(new.index)]),
        changed=changed,
    )


def diff_tables(before: Mapping[str, pd.DataFrame], after: Mapping[str, pd.DataFrame]) -> dict[str, TableDiff]:
    """diff_table for every contract table (a table missing on one side counts as empty)."""
    out = {}
    for name, spec in contract.TABLES.items():
        empty = pd.DataFrame(columns=spec.column_names)
        out[name] = diff_table(name, before.get(name, empty), after.get(name, empty))
    return out


def largest_changes(diffs: Mapping[str, TableDiff], limit: int = 10) -> list[CellChange]:
    """The changed cells with the largest absolute difference first (numbers), then the others in order."""
    cells = [c for d in diffs.values() for c in d.changed]
    return sorted(cells, key=lambda c: -c.size)[:limit]


# ---------------------------------------------------------------------------------------------- history of a value

_tables_of: dict[tuple[str, ...], dict[str, pd.DataFrame]] = {}  # archived files never change: keyed by their paths


def archived_tables(country: str, sources: list[str]) -> dict[str, pd.DataFrame] | None:
    """The contract tables of a country's archived files (paths relative to the data dir), or None when a file is
    missing or no longer validates (its history is then left out rather than guessed)."""
    key = (country, *sources)
    if key in _tables_of:
        return _tables_of[key]
    files: dict[str, bytes] = {}
    for relative in sources:
        path = config.data_dir() / relative
        try:
            meta = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
            files[str(meta["original_name"])] = path.read_bytes()
        except (OSError, ValueError, KeyError):
            return None
    report = validate_submission(country, files)
    tables = report.tables if report.ok else None
    if tables is not None:
        _tables_of[key] = tables
    return tables


HISTORY_COLUMNS = ["version", "at", "user", "submitted_by", "action", "table", "key", "column", "old", "new"]


def _rows_of(tables: Mapping[str, pd.DataFrame], subject: str, kind: str) -> dict[str, pd.DataFrame]:
    """The rows about one enterprise (every table with an enterprise_id) or one logframe indicator."""
    out = {}
    for name, frame in tables.items():
        if kind == "enterprise" and "enterprise_id" in frame.columns:
            out[name] = frame[frame["enterprise_id"].astype("string") == subject]
        elif kind == "indicator" and name == "logframe":
            out[name] = frame[frame["indicator"].astype("string") == subject]
    return out


def value_history(country: str, subject: str, kind: str, scope: Scope) -> pd.DataFrame:
    """Every change to one enterprise (kind "enterprise": its row, its training and indicator rows) or one logframe
    indicator (kind "indicator") of `country`, oldest first: version, when, who published it (and who submitted it,
    for an approved submission), what (build / publish / restore / approve), table, row key, column, from, to.
    Read from the archived files of each published version (publish history), never from the version files,
    which may be pruned. Only for viewers who may see the country's enterprises (HQ, its own staff): for anyone else
    an empty history."""
    rows: list[dict[str, object]] = []
    allowed = isinstance(scope, Scope) and country in scope.detail_countries
    if kind not in ("enterprise", "indicator") or not allowed:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    previous: dict[str, pd.DataFrame] | None = None
    for entry in journal.read_history():
        sources = entry.get("sources", {}).get(country)
        if not sources:
            continue
        tables = archived_tables(country, list(sources))
        if tables is None:
            continue
        mine = _rows_of(tables, subject, kind)
        if previous is not None or any(len(f) for f in mine.values()):
            before = previous or {name: frame.iloc[0:0] for name, frame in mine.items()}
            for diff in diff_tables(before, mine).values():
                spec = contract.TABLES[diff.table]
                cells = list(diff.changed)
                new = canonical(diff.table, mine.get(diff.table, pd.DataFrame(columns=spec.column_names)))
                old = canonical(diff.table, before.get(diff.table, pd.DataFrame(columns=spec.column_names)))
                cells += [CellChange(diff.table, key, "", "", _row_text(new.loc[key], spec)) for key in diff.added]
                cells += [CellChange(diff.table, key, "", _row_text(old.loc[key], spec), "") for key in diff.removed]
                for cell in cells:
                    rows.append(
                        {
                            "version": entry["version"],
                            "at": entry.get("at"),
                            "user": entry.get("user"),
                            "submitted_by": entry.get("submitted_by") or "",
                            "action": entry.get("action"),
                            "table": cell.table,
                            "key": cell.key,
                            "column": cell.column,
                            "old": cell.old,
                            "new": cell.new,
                        }
                    )
        previous = mine
    frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True, errors="coerce")
    return frame


def _row_text(row: pd.Series, spec: contract.Table) -> str:
    """A whole row added or removed, as "column=value" pairs (its key is shown apart)."""
    return ", ".join(f"{c}={row[c]}" for c in spec.column_names if c not in spec.key and row[c] != "")
