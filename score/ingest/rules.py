"""Cross-row and cross-table checks: keys, country ids, references, coordinates, training dates, indicators
and the logframe."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from score import config, contract
from score.frames import joined, map_distinct
from score.i18n import _, fmt_int, fmt_number, label, ngettext
from score.ingest.conversion import _fmt, indicators_of_kind
from score.ingest.names import countries_named
from score.ingest.report import ERROR, MAX_ISSUES_PER_RULE, WARNING, IssueCollector, _Source, _Submission
from score.labels import column_named

COORDINATE_MARGIN_DEG = 0.5  # coasts and the coarse 1:110m outlines
FOLLOW_UP_JUMP = 10  # a follow-up value above 10x its baseline is flagged


# --------------------------------------------------------------------------------------------
# Cross-row and cross-table checks
# --------------------------------------------------------------------------------------------


def _check_keys(src: _Source, typed: pd.DataFrame, issues: IssueCollector) -> None:
    """One error per repeated key value, naming every row that has it (the first included)."""
    key = list(src.table.key)
    keyed = typed[key].dropna()
    if keyed.empty:
        return
    repeated = keyed[keyed.duplicated(key, keep=False)]
    if repeated.empty:
        return
    label_ = ", ".join(key)
    shown = joined([repeated[column].astype(str) for column in key], ", ")

    def problem(value: str, n: int) -> str:
        return ngettext(
            "Duplicate {key}: {value} appears in {n} row.",
            "Duplicate {key}: {value} appears in {n} rows.",
            n,
            key=label_,
            value=value,
        )

    def fix(value: str, n: int) -> str:
        return _("Keep one row per {key}: delete the repeated rows or correct their {key}.", key=label_)

    before = len(issues.items)
    issues.add_groups(ERROR, src, label_, shown, pd.Series(True, index=shown.index), problem, fix)
    for position in range(before, len(issues.items)):  # knock-on errors in other files name these as their cause
        issue = issues.items[position]
        issues.items[position] = replace(issue, key=f"duplicate:{src.display}:{issue.value}")


def _check_country_ids(sources: Sequence[_Source], submission: _Submission, country: str) -> None:
    """enterprise_id values must start with the chosen country's code."""
    issues = submission.issues
    whole_files: list[tuple[_Source, int, str, str]] = []
    for src in sources:
        typed = src.typed
        assert typed is not None
        if "enterprise_id" not in typed.columns:
            continue
        ids = typed["enterprise_id"]
        head = ids.str.slice(0, 3)
        # Each part is filled before combining: a blank id is NA, and NA & <arrow bool> raises TypeError.
        parts = (head.str.isalpha(), head.str.isascii(), ids.str.slice(3, 4).eq("-"))
        has = np.logical_and.reduce([part.fillna(False).astype(bool).to_numpy() for part in parts])
        has = pd.Series(has, index=ids.index)
        prefix = head.str.upper().where(has)
        foreign = (has & prefix.ne(country)).fillna(False).astype(bool)
        src.foreign = foreign
        if not foreign.any():
            continue
        if foreign.sum() == has.sum():
            other = prefix[foreign].value_counts().index[0]
            whole_files.append((src, int(foreign.sum()), other, str(ids[foreign].iloc[0])))
            continue
        issues.add_rows(
            ERROR,
            src,
            "enterprise_id",
            foreign,
            ids,
            prefix[foreign].map(
                {
                    p: _("This id names another country ({other}), not {country}.", other=p, country=country)
                    for p in prefix[foreign].unique().tolist()
                }
            ),
            _(
                "Use ids of the form {country}-0001 for {country}'s "
                "enterprises, and upload other countries separately.",
                country=country,
            ),
        )
    if not whole_files:
        return
    others = {other for _s, _n, other, _v in whole_files}
    if (
        submission.workbook
        and len(others) == 1
        and len(whole_files) == len([s for s in sources if "enterprise_id" in s.table.column_names])
    ):
        other = others.pop()
        count = sum(n for _s, n, _o, _v in whole_files)
        _names_another_country(issues, submission.workbook, None, count, other, country, whole_files[0][3], True)
        return
    for src, count, other, value in whole_files:
        _names_another_country(issues, src.file, src.sheet, count, other, country, value, False)


def _names_another_country(
    issues: IssueCollector,
    file: str,
    sheet: str | None,
    count: int,
    other: str,
    country: str,
    value: object,
    whole_workbook: bool,
) -> None:
    """One error for a file (or a whole workbook) whose every enterprise id starts with another country's code."""
    if whole_workbook:
        problem = _(
            "This workbook names another country ({other}): all {count} "
            "enterprise ids start with {other}, not {country}.",
            other=other,
            count=fmt_int(count),
            country=country,
        )
    else:
        problem = _(
            "This file names another country ({other}): all {count} enterprise ids start with {other}, not {country}.",
            other=other,
            count=fmt_int(count),
            country=country,
        )
    fix = _(
        "If this is {other}'s file, choose {other} as the country; otherwise upload {country}'s own file.",
        other=other,
        country=country,
    )
    issues.add(ERROR, file, problem, fix, sheet=sheet, column="enterprise_id", value=value)


def _check_named_countries(submission: _Submission, country: str) -> None:
    """A file or sheet named after another country ("PER.xlsx", "datos Perú.csv"), or a country column saying
    another country, in an upload for `country`: an error, as for enterprise ids of another country. Staff upload
    their own country's files only (DESIGN, Access), and a file that says Peru is Peru's or misnamed: either way
    someone must look before it is published as Colombia's. Files whose ids named another country are told so
    already (`_check_country_ids`) and not told again."""
    issues = submission.issues
    by_ids = {src.file for src in submission.sources.values() if src.foreign is not None and src.foreign.any()}
    names: list[tuple[str, str | None]] = [
        (src.file, None) for src in submission.sources.values() if src.file != submission.workbook
    ]
    if submission.workbook:
        names.insert(0, (submission.workbook, None))
        names += [(submission.workbook, src.sheet) for src in submission.sources.values() if src.sheet]
    ours = _country_name(country)
    for file, sheet in names:
        others = countries_named(sheet or Path(file).stem)
        if file in by_ids or not others or country in others:
            continue
        other, words = others[0], {"other_name": _country_name(others[0]), "country_name": ours}
        issues.add(
            ERROR,
            file,
            _(
                "The sheet name '{name}' names {other_name} ({other}), not {country_name} ({country}).",
                name=sheet,
                other=other,
                country=country,
                **words,
            )
            if sheet
            else _(
                "The file name '{name}' names {other_name} ({other}), not {country_name} ({country}).",
                name=file,
                other=other,
                country=country,
                **words,
            ),
            _other_country_fix(other, country),
            sheet=sheet,
            value=sheet or file,
        )
    for src in submission.sources.values():
        if src.country_cells is None or src.file in by_ids:
            continue
        column, cells = src.country_cells
        named = map_distinct(cells, {value: _cell_country(value, country) for value in cells.unique().tolist()})
        foreign = named.ne("").fillna(False).astype(bool)
        if not foreign.any():
            continue
        others = named[foreign]
        if foreign.sum() == cells.ne("").sum() and others.nunique() == 1:
            other = str(others.iloc[0])
            issues.add(
                ERROR,
                src.file,
                _(
                    "The column '{column}' says {other_name} ({other}) in all {count} rows, not {country_name}.",
                    column=column,
                    other_name=_country_name(other),
                    other=other,
                    count=fmt_int(int(foreign.sum())),
                    country_name=ours,
                ),
                _other_country_fix(other, country),
                sheet=src.sheet,
                column=column,
                value=cells[foreign].iloc[0],
            )
            continue
        problems = {
            o: _(
                "This row's country is {other_name} ({other}), not {country_name}.",
                other_name=_country_name(o),
                other=o,
                country_name=ours,
            )
            for o in others.unique().tolist()
        }
        issues.add_rows(
            ERROR,
            src,
            column,
            foreign,
            cells,
            others.map(problems),
            _(
                "Upload {country}'s rows only; other countries' rows are uploaded for their own country.",
                country=country,
            ),
        )


def _cell_country(value: str, country: str) -> str:
    """The other country a country cell names ("PER", "per", "Perú"), "" when it names `country` or none."""
    code = value.strip().upper()
    found = [code] if code in contract.code_list("country") else countries_named(value)
    return "" if not found or country in found else found[0]


def _other_country_fix(other: str, country: str) -> str:
    return _(
        "If these are {country}'s data, correct the name; if they are {other}'s, they are uploaded for {other}, "
        "by its own staff or HQ.",
        other=other,
        country=country,
    )


def _check_references(submission: _Submission, issues: IssueCollector) -> None:
    """Rows naming an enterprise that is not in enterprises: one error per missing id and file, with its rows.

    When enterprises itself repeats an id, a missing id is most often its knock-on (a row copied and its id
    left unchanged): the errors then name the duplicates as their cause and the report shows them under it.
    """
    for src in submission.sources.values():
        assert src.typed is not None
        for col in src.table.columns:
            if not col.references:
                continue
            ref_table, ref_column = col.references.split(".")
            target = submission.sources.get(ref_table)
            if target is None or target.typed is None:
                continue  # a missing or unreadable file is reported already
            values = src.typed[col.name]
            unknown = values.notna() & ~_isin(values, target.typed[ref_column].dropna())
            if src.foreign is not None:
                unknown &= ~src.foreign
            unknown = unknown.fillna(False).astype(bool)
            if not unknown.any():
                continue
            causes = [
                i for i in issues.items if i.key and i.key.startswith(f"duplicate:{target.display}:") and i.count > 1
            ]
            cause = causes[0] if causes else None
            if cause is not None:
                repeated = "; ".join(
                    _("{value} in rows {rows}", value=i.value, rows=i.rows_text) for i in causes[:MAX_ISSUES_PER_RULE]
                )

                def knock_on(value: str, n: int, repeated: str = repeated, file: str = target.display) -> str:
                    return _(
                        "Probably a knock-on of the duplicate ids in {file} ({repeated}): if one of those rows is "
                        "{value}, correct its id there and this error goes away; otherwise add {value} to {file}.",
                        file=file,
                        repeated=repeated,
                        value=value,
                    )

                fix: Callable[[str, int], str] = knock_on
            else:

                def add_or_correct(value: str, n: int, file: str = target.display) -> str:
                    return ngettext(
                        "Add {value} to {file}, or correct the id in this row.",
                        "Add {value} to {file}, or correct the id in these {n} rows.",
                        n,
                        file=file,
                        value=value,
                    )

                fix = add_or_correct

            # the column named as the other problems name theirs ("Enterprise id (enterprise_id)"), not by its code
            referenced = column_named(ref_table, ref_column)

            def problem(value: str, n: int, column: str = referenced, file: str = target.display) -> str:
                return ngettext(
                    "There is no row with this {column} in {file} ({n} row refers to it).",
                    "There is no row with this {column} in {file} ({n} rows refer to it).",
                    n,
                    column=column,
                    file=file,
                )

            issues.add_groups(
                ERROR, src, col.name, values, unknown, problem, fix, cause=cause.key if cause is not None else None
            )


def _isin(values: pd.Series, known: pd.Series) -> pd.Series:
    """values.isin(known), fast for millions of ids (pyarrow's hash lookup instead of pandas' object path)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        found = pc.is_in(
            pa.array(values.astype("string[pyarrow]").array), value_set=pa.array(known.astype("string[pyarrow]").array)
        )
        return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index).fillna(False).astype(bool)
    except (ImportError, TypeError, ValueError):
        return pd.Series(pd.Index(known.unique()).get_indexer(values) >= 0, index=values.index)


def _check_coordinates(src: _Source, country: str, issues: IssueCollector) -> None:
    typed = src.typed
    assert typed is not None
    if not {"latitude", "longitude"} <= set(typed.columns):
        return
    lat = typed["latitude"].astype("float64")
    lon = typed["longitude"].astype("float64")
    if not {"latitude", "longitude"} <= set(src.frame.columns):
        return  # the missing column is reported already
    raw_lat, raw_lon = src.frame["latitude"].str.strip(), src.frame["longitude"].str.strip()
    lat_given, lon_given = raw_lat.ne(""), raw_lon.ne("")
    fix = _("Fill in both latitude and longitude, or leave both empty.")
    issues.add_rows(
        ERROR, src, "latitude", lon_given & ~lat_given, None, _("Longitude is filled in but latitude is empty."), fix
    )
    issues.add_rows(
        ERROR, src, "longitude", lat_given & ~lon_given, None, _("Latitude is filled in but longitude is empty."), fix
    )
    if src.foreign is not None and src.foreign.any() and src.foreign.sum() == typed["enterprise_id"].notna().sum():
        return  # a file of another country: reported once already
    both = lat.notna() & lon.notna() & lat.between(-90, 90) & lon.between(-180, 180)
    if not both.any():
        return
    shape = _country_shape(country)
    if shape is None:
        issues.add(
            WARNING,
            src.file,
            _("The coordinates could not be checked: there is no outline for {country}.", country=country),
            _("Ask HQ to add the country to data/reference/countries.geojson."),
            sheet=src.sheet,
            column="latitude, longitude",
        )
        return
    import shapely

    inside = pd.Series(True, index=typed.index)
    inside[both] = shapely.contains_xy(shape, lon[both].to_numpy(), lat[both].to_numpy())
    outside = both & ~inside
    if not outside.any():
        return
    rows = outside[outside].index
    o_lat, o_lon = lat[rows[:MAX_ISSUES_PER_RULE]].to_numpy(), lon[rows[:MAX_ISSUES_PER_RULE]].to_numpy()
    swapped = shapely.contains_xy(shape, o_lat, o_lon)
    lon_sign = shapely.contains_xy(shape, -o_lon, o_lat)
    lat_sign = shapely.contains_xy(shape, o_lon, -o_lat)
    both_sign = shapely.contains_xy(shape, -o_lon, -o_lat)
    name = _country_name(country)
    min_x, min_y, max_x, max_y = shape.bounds
    m = COORDINATE_MARGIN_DEG
    generic = _(
        "Check the coordinates: {name} lies between latitude {lat_min} and {lat_max} "
        "and longitude {lon_min} and {lon_max} (decimal degrees).",
        name=name,
        lat_min=fmt_number(min_y + m, 1),
        lat_max=fmt_number(max_y - m, 1),
        lon_min=fmt_number(min_x + m, 1),
        lon_max=fmt_number(max_x - m, 1),
    )
    fixes = []
    for k in range(len(o_lat)):
        if swapped[k]:
            fixes.append(
                _(
                    "Latitude and longitude look swapped: put {lat} in latitude and {lon} in longitude.",
                    lat=f"{o_lon[k]:g}",
                    lon=f"{o_lat[k]:g}",
                )
            )
        elif lon_sign[k]:
            fixes.append(
                _("The longitude is probably missing its minus sign (west of Greenwich): {lon}.", lon=f"{-o_lon[k]:g}")
            )
        elif lat_sign[k]:
            fixes.append(
                _(
                    "The latitude is probably missing its minus sign (south of the equator): {lat}.",
                    lat=f"{-o_lat[k]:g}",
                )
            )
        elif both_sign[k]:
            fixes.append(_("Latitude and longitude are probably both missing their minus sign."))
        else:
            fixes.append(generic)
    shown = raw_lat[rows[:MAX_ISSUES_PER_RULE]] + " / " + raw_lon[rows[:MAX_ISSUES_PER_RULE]]  # decimal commas
    issues.add_rows(
        ERROR,
        src,
        "latitude, longitude",
        rows,
        shown.tolist(),
        _("This point lies outside {name}.", name=name),
        fixes,
    )


_SHAPES: dict[str, Any] = {}


def _country_shape(iso3: str) -> Any:
    """The country's outline from data/reference/countries.geojson, grown by the margin (cached)."""
    if iso3 in _SHAPES:
        return _SHAPES[iso3]
    path = config.REFERENCE_DIR / "countries.geojson"
    if not path.exists():
        return None
    import shapely
    from shapely.geometry import shape

    with open(path, encoding="utf-8") as handle:
        features = json.load(handle).get("features", [])
    for feature in features:
        if (feature.get("properties") or {}).get("iso3") == iso3:
            geometry = shape(feature["geometry"]).buffer(COORDINATE_MARGIN_DEG)
            shapely.prepare(geometry)
            _SHAPES[iso3] = geometry
            return geometry
    return None


def _country_name(iso3: str) -> str:
    row = next((r for r in contract.reference_rows("countries.csv") if r["iso3"] == iso3), None)
    return label(row) if row else iso3


def _check_training_dates(submission: _Submission, issues: IssueCollector) -> None:
    training, enterprises = submission.sources.get("training"), submission.sources.get("enterprises")
    if training is None or enterprises is None:
        return
    assert training.typed is not None and enterprises.typed is not None
    joined = enterprises.typed.dropna(subset=["enterprise_id"]).drop_duplicates("enterprise_id")
    by_id = joined.set_index("enterprise_id")["joined_on"]
    joined_on = pd.Series(by_id.reindex(training.typed["enterprise_id"]).to_numpy(), index=training.typed.index)
    classroom = training.typed["classroom_date"]
    early = (classroom.notna() & joined_on.notna() & (classroom < joined_on)).astype(bool)
    if early.any():
        first = early[early].index[:MAX_ISSUES_PER_RULE]
        problems = [
            _(
                "The classroom training ({date}) is before the enterprise joined SCORE ({joined}).",
                date=f"{c:%Y-%m-%d}",
                joined=f"{j:%Y-%m-%d}",
            )
            for c, j in zip(classroom[first], joined_on[first], strict=True)
        ]
        issues.add_rows(
            WARNING,
            training,
            "classroom_date",
            early[early].index,
            training.frame["classroom_date"],
            problems,
            _("Check the classroom date here and joined_on in {file}.", file=enterprises.display),
        )


def _check_indicators(src: _Source, issues: IssueCollector) -> None:
    """A yes/no indicator's value is 0 or 1 and measured at follow-up; a measured indicator's follow-up is checked
    against the first baseline of its enterprise and indicator. The masks are NumPy arrays and the pairs are found
    by position (a pandas mask, merge and copy per check were most of this rule's ~0.4 s a country at x200)."""
    typed = src.typed
    assert typed is not None
    rows = typed.index
    share = indicators_of_kind(typed["indicator"], "share")
    value = typed["value"].to_numpy(dtype="float64", na_value=np.nan)
    period = typed["period"]
    if share.any():
        not_binary = share & ~np.isnan(value) & (value != 0) & (value != 1)
        issues.add_rows(
            ERROR,
            src,
            "value",
            rows[not_binary],
            src.frame.get("value"),
            _("This indicator is a yes/no answer: the value must be 1 (yes) or 0 (no)."),
            _("Write 1 for yes and 0 for no."),
        )
        not_follow_up = share & period.ne("follow_up").to_numpy(dtype=bool, na_value=False)
        issues.add_rows(
            ERROR,
            src,
            "period",
            rows[not_follow_up],
            src.frame.get("period"),
            _("This yes/no indicator is measured at follow-up only."),
            _("Set period to follow_up, or delete the baseline row."),
        )

    change = indicators_of_kind(typed["indicator"], "change")
    base = np.flatnonzero(change & period.eq("baseline").to_numpy(dtype=bool, na_value=False))
    follow = np.flatnonzero(change & period.eq("follow_up").to_numpy(dtype=bool, na_value=False))
    if not len(base) or not len(follow):
        return
    # One key per (enterprise_id, indicator), a missing id a value of its own (as a merge pairs missing with missing)
    ids, _distinct_ids = pd.factorize(typed["enterprise_id"], use_na_sentinel=False)
    codes, distinct_codes = pd.factorize(typed["indicator"], use_na_sentinel=False)
    key = ids.astype(np.int64) * max(1, len(distinct_codes)) + codes
    keys, first = np.unique(key[base], return_index=True)  # each key's first baseline row
    at = np.minimum(np.searchsorted(keys, key[follow]), len(keys) - 1)
    paired = keys[at] == key[follow]
    follow, base = follow[paired], base[first[at[paired]]]  # each follow-up row (in row order) and its baseline
    if not len(follow):
        return
    jump = (value[base] > 0) & (value[follow] > FOLLOW_UP_JUMP * value[base])
    _flag_against_baseline(
        issues,
        src,
        WARNING,
        "value",
        rows[follow[jump]],
        value[base[jump][:MAX_ISSUES_PER_RULE]].tolist(),
        rows[base[jump][:MAX_ISSUES_PER_RULE]].tolist(),
        lambda baseline, row: _(
            "The follow-up value is more than {factor} times the baseline ({baseline}, row {row}).",
            factor=FOLLOW_UP_JUMP,
            baseline=_fmt(baseline),
            row=row,
        ),
        _("Check both values and their units (e.g. a yearly total against a monthly one)."),
    )
    measured_on = typed["measured_on"].to_numpy(dtype="datetime64[ns]")
    before = measured_on[follow] < measured_on[base]  # a missing date (NaT) compares False
    _flag_against_baseline(
        issues,
        src,
        ERROR,
        "measured_on",
        rows[follow[before]],
        [pd.Timestamp(date) for date in measured_on[base[before][:MAX_ISSUES_PER_RULE]]],
        rows[base[before][:MAX_ISSUES_PER_RULE]].tolist(),
        lambda baseline, row: _(
            "The follow-up is dated before its baseline ({date}, row {row}).", date=f"{baseline:%Y-%m-%d}", row=row
        ),
        _("Check the two dates, or whether baseline and follow_up were swapped."),
    )


def _flag_against_baseline(
    issues: IssueCollector,
    src: _Source,
    severity: str,
    column: str,
    flagged: pd.Index,
    baselines: Sequence[Any],
    baseline_rows: Sequence[int],
    problem: Callable[[Any, int], str],
    fix: str,
) -> None:
    """Follow-up rows `flagged` (Excel row numbers) as issues on `column`; the first MAX_ISSUES_PER_RULE say what
    their baseline holds (`problem(baselines[k], baseline_rows[k])`, both given for those only)."""
    if not len(flagged):
        return
    issues.add_rows(
        severity,
        src,
        column,
        flagged,
        src.frame[column],
        [problem(b, r) for b, r in zip(baselines, baseline_rows, strict=True)],
        fix,
    )


def _check_logframe(src: _Source, issues: IssueCollector) -> None:
    typed = src.typed
    assert typed is not None
    levels = {row["code"]: row["level"] for row in contract.reference_rows("logframe_indicators.csv")}
    expected = typed["indicator"].map(levels)
    wrong = (typed["level"].notna() & expected.notna() & typed["level"].ne(expected)).fillna(False).astype(bool)
    if wrong.any():
        issues.add_rows(
            WARNING,
            src,
            "level",
            wrong,
            src.frame.get("level"),
            expected[wrong].map(lambda e: _("The reference logframe puts this indicator at level {level}.", level=e)),
            _("Use the level from data/reference/logframe_indicators.csv, or tell HQ if the reference is wrong."),
        )


SPELLING_COLUMNS = ("province", "city", "partner")  # names the filters and charts group enterprises by


def _loose(name: str) -> str:
    """A name as people mean it: case, accents and runs of spaces aside ("SENA", "Sena"; "Bogotá", "Bogota")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(ch for ch in folded if not unicodedata.combining(ch)).split())


def _check_spellings(src: _Source, issues: IssueCollector) -> None:
    """A province, city or partner written two ways in one file would be two in the filters and charts, each with
    its own (smaller, perhaps hidden) count: a warning at the rows of a less used spelling, naming the most used."""
    typed = src.typed
    assert typed is not None
    for column in SPELLING_COLUMNS:
        if column not in typed.columns:
            continue
        counts = typed[column].dropna().value_counts()
        spellings: dict[str, list[str]] = {}
        for name in counts.index:  # the distinct names only, most used first
            spellings.setdefault(_loose(str(name)), []).append(str(name))
        usual = {other: names[0] for names in spellings.values() if len(names) > 1 for other in names[1:]}
        if not usual:
            continue
        instead = typed[column].map(usual)
        flagged = instead.notna()
        issues.add_rows(
            WARNING,
            src,
            column,
            flagged,
            src.frame.get(column),
            instead[flagged].map(lambda name: _("Other rows of this file write it '{usual}'.", usual=name)),
            _("Write it one way in every row: written two ways, it is two in the filters and charts."),
        )
