"""From a grid of text cells to a raw frame per table: the header row, header mapping (forgiven spellings,
near-miss names, unknown and repeated columns) and the file's decimal mark."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from score.contract import Column, Table
from score.frames import fullmatch
from score.i18n import _, fmt_int, ngettext
from score.ingest.names import _letter, _suggest, header_meanings, header_names, norm_name
from score.ingest.report import ERROR, MAX_ISSUES_PER_RULE, WARNING, IssueCollector, _Source

_HEADER_SEARCH_ROWS = 10
# Characters that cannot be seen, dropped from every cell as it is read: a zero-width space, a word joiner or a
# byte-order mark (text pasted from a web page or Word), a soft hyphen, the marks and overrides that set the direction
# of text, and control characters (an escape sequence, a bell) but the tab and line breaks a cell may hold. Each is
# invisible, yet "Bogotá" followed by one would be a second province in the filters and a second name in a
# comparison, and a direction override shows a name backwards. Zero-width joiners are kept: Indic scripts need them.
_INVISIBLE_CHARS = (
    "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]))
    + "\u00ad\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_INVISIBLE = re.compile(f"[{re.escape(_INVISIBLE_CHARS)}]")
_SHORT_TEXT = 4096  # a cell: one regex search; a file's text: a scan at C speed per character (~10x faster)
# Those of the characters above that Latin-1 holds, as bytes: a text of Latin-1 characters only (most files: English,
# Spanish, French) is searched as its Latin-1 bytes in one pass deleting them, ~3x faster than a scan per character
# (x200's 226 MB of files: ~1 s of CPU less, BENCHMARKS.md "Validation's text scans").
_INVISIBLE_LATIN1 = bytes(sorted(ord(c) for c in _INVISIBLE_CHARS if ord(c) < 256))


def canonical(text: str) -> str:
    """`text` (a file's whole text, or one workbook cell) as it reads: without the invisible characters above, and
    composed as Unicode composes it (NFC). Excel for Mac, Vietnamese Windows' code page 1258 and some keyboards write
    "ệ" as "e" and two combining marks: it looks the same, but "Hà Nội" typed both ways would be two provinces, and a
    header so written would not be recognised. Done once as the text is read, so names, codes and headers alike."""
    # a cell: one regex search; a file's text: _holds_invisible, and the substitution only when needed (most have none)
    invisible = _INVISIBLE.search(text) is not None if len(text) < _SHORT_TEXT else _holds_invisible(text)
    if invisible:
        text = _INVISIBLE.sub("", text)
    if not unicodedata.is_normalized("NFC", text):  # a quick check at C speed; most files need nothing
        text = unicodedata.normalize("NFC", text)
    return text


def _holds_invisible(text: str) -> bool:
    """Whether a long text holds one of _INVISIBLE_CHARS."""
    try:
        latin1 = text.encode("latin-1")  # a copy at C speed where every character fits in a byte
    except UnicodeEncodeError:
        return any(char in text for char in _INVISIBLE_CHARS)
    return len(latin1.translate(None, _INVISIBLE_LATIN1)) != len(latin1)


def _empty_file(issues: IssueCollector, name: str, sheet: str | None, table: Table, problem: str) -> None:
    if table.required:
        issues.add(
            ERROR, name, problem, _("Export the {table} data again; see the template.", table=table.name), sheet=sheet
        )
    else:
        issues.add(WARNING, name, problem + " " + _("It was ignored."), _("Remove it or fill it in."), sheet=sheet)


def header_column(table: Table, header: str) -> str:
    """The contract column of `table` a header cell names (`header_meanings`: its name or a word for it in English,
    French or Spanish), else the cell as a name (norm_name), also when it may stand for two columns."""
    meanings = header_meanings(table, header)
    return meanings[0] if len(meanings) == 1 else header_names(header)[0]


def _column(table: Table, header: str) -> Column:
    return table.column(header_column(table, header))


# ---- grid -> source ------------------------------------------------------------------------


def _cells(columns: list[pd.Series]) -> pa.ChunkedArray:
    """Every cell of equally long text columns as one Arrow array, column after column: a check that runs Arrow's
    kernel once over all the cells costs what one column's does, where a pandas call per column cost ~0.3 ms each (a
    small upload's validation was mostly such fixed costs)."""
    return pa.chunked_array(
        [chunk for column in columns for chunk in column.array.__arrow_array__().chunks], type=pa.large_string()
    )


def _per_column(values: pa.ChunkedArray, columns: int, rows: int) -> np.ndarray:
    """An Arrow array of one value per cell (`_cells`' order) as a (columns, rows) array."""
    return values.to_numpy().reshape(columns, rows)


def _stripped_columns(grid: pd.DataFrame) -> tuple[dict[int, pd.Series], dict[int, np.ndarray]]:
    """Each column of the grid stripped (as `Series.str.strip` strips: Arrow's Unicode whitespace), and where each
    stripped cell is filled (not "", as `Series.ne("")`: a missing cell counts as filled)."""
    trimmed = pc.utf8_trim_whitespace(_cells([grid[c] for c in grid.columns]))
    filled = _per_column(pc.fill_null(pc.not_equal(trimmed, ""), True), *grid.shape[::-1])
    rows = len(grid)
    stripped = {
        c: pd.Series(
            pd.arrays.ArrowStringArray(trimmed.slice(at * rows, rows), dtype=grid[c].dtype),
            index=grid.index,
            name=grid[c].name,
            copy=False,
        )
        for at, c in enumerate(grid.columns)
    }
    return stripped, {c: filled[at] for at, c in enumerate(grid.columns)}


def _find_header(rows: list[list[str]], table: Table) -> int | None:
    """Index of the header row: the first non-empty row, unless a later one of the first few
    non-empty rows names more contract columns (a title line above the header)."""
    names = set(table.column_names)
    candidates = [i for i, r in enumerate(rows) if any(str(c).strip() for c in r)][:_HEADER_SEARCH_ROWS]
    if not candidates:
        return None
    scores = [sum(header_column(table, str(c)) in names for c in rows[i]) for i in candidates]
    best = max(range(len(candidates)), key=lambda k: (scores[k], -k))
    return candidates[best] if scores[best] > 0 else candidates[0]


HEADER_SHARE = 0.6  # a row names a table when it holds this share of its required columns (table_for_header)


def table_for_header(rows: list[list[str]]) -> str | None:
    """Which contract table a sheet or file named after none ("Hoja1", "Feuil1", "Libro1.csv") holds, from its
    header row: the one table of which one of the first few non-empty rows names at least HEADER_SHARE of the
    required columns; None when no table or more than one does (then the name decides, as before)."""
    from score.contract import TABLES

    candidates = [r for r in rows if any(str(c).strip() for c in r)][:_HEADER_SEARCH_ROWS]
    fits = []
    for table in TABLES.values():
        required = {c.name for c in table.columns if c.required}
        named = [{header_column(table, str(c)) for c in row} for row in candidates]
        if required and any(len(required & names) >= HEADER_SHARE * len(required) for names in named):
            fits.append(table.name)
    return fits[0] if len(fits) == 1 else None


def header_named(name: str, table: str) -> tuple[str, str]:
    """(problem, fix) telling that a sheet or file named after no table was read as `table` by its header row."""
    return (
        _("'{name}' names no table; its header row is that of the {table} table, so it was read as {table}.",
            name=name, table=table),
        _("Name it {table} so that it is always recognised.", table=table),
    )  # fmt: skip


# What a total row's first cell says, in the languages the countries write ("Total:", "TOTAL GENERAL", "Suma").
_TOTAL_WORDS = frozenset(
    ["total", "totals", "totales", "total general", "grand total", "totaux", "somme", "sum", "suma"]
)
# A cell holding an ASCII character that none of those words, ':', '.' or a space has (a digit, a dash, another letter)
# is no total: casefolding keeps it and neither the strip nor the spaces' collapse below removes it. Such cells (an
# enterprise id, a number) are left out before the exact test, which runs in Python per value.
_NOT_TOTAL = re.compile(
    "["
    + re.escape(
        "".join(
            c
            for c in map(chr, range(128))
            if c.casefold() not in "".join(_TOTAL_WORDS) + ":." and not re.fullmatch(r"\s", c)
        )
    )
    + "]"
)


def _repeats_header(stripped: dict[int, pd.Series], header: list[str], named: list[int], rows: int) -> np.ndarray:
    """Per row: each column of `named` holds its header, casefolded. Only the rows whose every such cell has a length
    that allows it are casefolded (casefold turns each character into one to three): numbers under a long name are
    not."""
    repeated = np.zeros(rows, dtype=bool)
    if not named or not rows:
        return repeated
    folded = [header[p].casefold() for p in named]
    cells = _cells([stripped[p] for p in named])
    lengths = _per_column(pc.utf8_length(cells), len(named), rows).astype(float)  # a missing cell: NaN, no header
    wanted = np.array([len(f) for f in folded], dtype=float)[:, None]
    candidates = np.flatnonzero(((lengths <= wanted) & (3 * lengths >= wanted)).all(axis=0))
    if len(candidates):
        at = (np.arange(len(named))[:, None] * rows + candidates).ravel()
        values = np.array(pc.take(cells, pa.array(at)).to_pylist(), dtype=object).reshape(len(named), -1)
        repeated[candidates] = np.logical_and.reduce(
            [
                [isinstance(v, str) and v.casefold() == f for v in column]
                for column, f in zip(values, folded, strict=True)
            ]
        )
    return repeated


def _not_data_rows(
    issues: IssueCollector,
    name: str,
    sheet: str | None,
    table: Table,
    stripped: dict[int, pd.Series],
    header: list[str],
    body: np.ndarray,
) -> np.ndarray:
    """The rows below the header that hold no data, each kind with one warning: the header again (files pasted
    together each keep theirs), or a total row that a spreadsheet adds (its first cell "Total"). Read as data, either
    gave an error in every column of its row. A total row's first cell says so and its key (enterprise id, level)
    is empty or that same cell."""
    named = [p for p, h in enumerate(header) if h and p in stripped]
    repeated = _repeats_header(stripped, header, named, len(body))
    maybe_total = np.flatnonzero(~stripped[0].str.contains(_NOT_TOTAL.pattern, na=True).to_numpy(dtype=bool))
    total = np.zeros(len(body), dtype=bool)
    if len(maybe_total):  # most files: an id or a number in every first cell
        first = stripped[0].iloc[maybe_total].str.casefold().str.rstrip(":. ").str.replace(r"\s+", " ", regex=True)
        total[maybe_total] = first.isin(_TOTAL_WORDS).to_numpy()
    # ... and no key of its own: in a file whose first column is the name, an enterprise called "Total" is data.
    key = next(
        (p for p, h in enumerate(header) if p and header_column(table, h) == table.column_names[0] and p in stripped),
        None,
    )
    if key is not None and total.any():
        total = total & stripped[key].eq("").to_numpy()
    dropped = np.zeros(len(body), dtype=bool)
    for mask, problem, fix in (
        (
            repeated & body,
            lambda n: ngettext(
                "{n} row repeats the header; it was ignored.", "{n} rows repeat the header; they were ignored.", n
            ),
            _("Delete the repeated header rows (files pasted together each keep their header)."),
        ),
        (
            total & body,
            lambda n: ngettext(
                "{n} row is a total row; it was ignored.", "{n} rows are total rows; they were ignored.", n
            ),
            _("Delete total rows: the dashboard adds up the rows itself."),
        ),
    ):
        rows = (np.flatnonzero(mask) + 1).tolist()
        if rows:
            issues.add(WARNING, name, problem(len(rows)), fix, sheet=sheet, row=rows[0], rows=rows)
            dropped |= mask
    return dropped


def _source_from_grid(
    issues: IssueCollector,
    name: str,
    sheet: str | None,
    table: Table,
    grid: pd.DataFrame,
    sep: str | None,
    typed: pd.DataFrame | None = None,
) -> _Source | None:
    """The table's source from a grid of text cells; `typed` (a sheet's): True where a cell was a number in Excel."""
    if grid.empty:
        _empty_file(issues, name, sheet, table, _("The file is empty.") if sheet is None else _("The sheet is empty."))
        return None
    stripped, filled = _stripped_columns(grid)  # cells are kept stripped from here on
    nonempty = np.logical_or.reduce(list(filled.values()))
    if not nonempty.any():
        _empty_file(issues, name, sheet, table, _("The file is empty.") if sheet is None else _("The sheet is empty."))
        return None
    first_rows = [grid.iloc[i].tolist() for i in range(min(len(grid), _HEADER_SEARCH_ROWS * 3))]
    header_index = _find_header(first_rows, table)
    assert header_index is not None
    header_row = header_index + 1
    header = [str(c).strip() for c in grid.iloc[header_index].tolist()]
    resplit = _rows_of_another_separator(grid, sep, header_index, header) if sep is not None else None
    if resplit is not None:
        grid = resplit.grid
        stripped, filled = _stripped_columns(grid)
    skipped_above = int(nonempty[:header_index].sum())
    if skipped_above:
        issues.add(
            WARNING,
            name,
            ngettext(
                "{n} row above the header (row {row}) was ignored.",
                "{n} rows above the header (row {row}) were ignored.",
                skipped_above,
                row=header_row,
            ),
            _("Keep the column names in row 1 and the data right below."),
            sheet=sheet,
            row=header_row,
        )

    body_mask = np.zeros(len(grid), dtype=bool)
    body_mask[header_index + 1 :] = True
    body_mask &= nonempty
    body_mask &= ~_not_data_rows(issues, name, sheet, table, stripped, header, body_mask)
    positions = np.flatnonzero(body_mask)
    n_body = len(positions)
    excel_rows = pd.Index(positions + 1, name="row")
    where = _Source(name, sheet, table, pd.DataFrame(index=excel_rows), header_row)

    mapping = _map_columns(issues, where, header, table)
    if resplit is not None:
        assert sep is not None
        issues.add_rows(
            ERROR,
            where,
            None,
            resplit.rows,
            None,
            _(
                "This row is separated by '{other}', but the file by '{sep}' (its header row): rows of two exports "
                "made with different settings were pasted together, and their numbers may use another decimal mark.",
                other=_shown_separator(resplit.separator),
                sep=_shown_separator(sep),
            ),
            _(
                "Open each export in Excel, copy the rows into one sheet and save it once as 'CSV UTF-8'; or "
                "correct these rows to use '{sep}' and the file's decimal mark.",
                sep=_shown_separator(sep),
            ),
        )
    last_named = max((i for i, h in enumerate(header) if h), default=-1)
    # Values under no header: a whole unnamed column (warning) or rows with too many values (error).
    for position in range(len(header)):
        if header[position]:
            continue
        has_value = filled[position][body_mask]
        count = int(has_value.sum())
        if not count:
            continue
        if sep is not None and position > last_named and count <= max(1, n_body // 2):
            continue  # reported per row below
        issues.add(
            WARNING,
            name,
            _(
                "Column {letter} has {count} values but no name in the header row; they were ignored.",
                letter=_letter(position),
                count=count,
            ),
            _("Give the column a name from the template, or delete it."),
            sheet=sheet,
            row=header_row,
        )
    if sep is not None and last_named + 1 < len(header):
        extra = np.logical_or.reduce([filled[p][body_mask] for p in range(last_named + 1, len(header))])
        extra_rows = excel_rows[extra]
        if 0 < len(extra_rows) <= max(1, n_body // 2):
            tails = grid.iloc[positions[extra][:MAX_ISSUES_PER_RULE], last_named + 1 :].agg(
                lambda r: sep.join(r).rstrip(sep), axis=1
            )
            issues.add_rows(
                ERROR,
                where,
                None,
                extra_rows,
                tails.tolist(),
                _("This row has more values than the header has columns; these values were left over."),
                _(
                    "A value probably contains the separator '{sep}': put such values in double quotes, "
                    "or export the file from Excel again.",
                    sep="\\t" if sep == "\t" else sep,
                ),
            )

    contiguous = n_body == 0 or n_body == positions[-1] - positions[0] + 1
    columns = {}
    for position, column in mapping.items():
        values = stripped[position].array
        values = values[positions[0] : positions[-1] + 1] if contiguous and n_body else values[body_mask]
        columns[column] = pd.Series(values, index=excel_rows, copy=False)
    frame = pd.DataFrame(columns, index=excel_rows)
    if not n_body:
        problem = (
            _("The file has a header but no data rows.")
            if sheet is None
            else _("The sheet has a header but no data rows.")
        )
        _empty_file(issues, name, sheet, table, problem)
        return None
    where.frame = frame
    country_at = next((p for p, cell in enumerate(header) if p not in mapping and norm_name(cell) in _COUNTRY), None)
    if country_at is not None:
        where.country_cells = (header[country_at], pd.Series(stripped[country_at].array[body_mask], index=excel_rows))
    if typed is None:
        where.decimal = _decimal_mark(frame, table, sep)
    else:  # a sheet: its number cells say nothing of how its numbers stored as text are written ("1.234")
        text_only = {
            column: frame[column].mask(typed[position].to_numpy(dtype=bool)[positions], "")
            for position, column in mapping.items()
        }
        where.decimal = _decimal_mark(pd.DataFrame(text_only, index=excel_rows), table, sep, default=None)
    return where


@dataclass(frozen=True)
class _Resplit:
    grid: pd.DataFrame  # the grid with those rows split by their own separator
    rows: list[int]  # their Excel row numbers
    separator: str


_SEPARATORS = (",", ";", "\t", "|")


def _shown_separator(sep: str) -> str:
    return "\\t" if sep == "\t" else sep


def _may_hold(cells: pa.ChunkedArray, character: str) -> bool:
    """Whether some cell may hold `character` (one ASCII character): one search at memchr speed of the bytes the
    cells are stored in, one after the other, where Arrow's kernel took a cell at a time (~15x slower over a large
    file). It may say yes for the bytes of a missing cell; the counts that follow are exact, so never wrongly no."""
    needle = character.encode("ascii")
    for chunk in cells.chunks:
        _validity, offsets, data = chunk.buffers()
        if data is None or not len(chunk):
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        ends = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        if needle in memoryview(data)[int(ends[0]) : int(ends[-1])].tobytes():
            return True
    return False


def _rows_of_another_separator(grid: pd.DataFrame, sep: str, header_index: int, header: list[str]) -> _Resplit | None:
    """Rows below the header written with another separator than the file's (two exports pasted together, one
    from a Spanish or French Excel that writes ";"), split by their own: read by the file's separator, a row's whole
    line sat in one or a few cells and gave an error in every column. A row is one when its cells hold the other
    separator at least as often as half the header's named columns, and more often than the file's own between them.
    Those rows are reported (an error: their decimal mark may differ too), not read as the file's."""
    named = sum(1 for cell in header if cell)
    threshold = max(2, (named - 1) // 2)
    body = np.zeros(len(grid), dtype=bool)
    body[header_index + 1 :] = True
    cells = _cells([grid[c] for c in grid.columns])
    others = [other for other in _SEPARATORS if other != sep and _may_hold(cells, other)]
    if not others:  # most files: no cell holds another separator
        return None
    filled = _per_column(pc.fill_null(pc.not_equal(cells, ""), True), *grid.shape[::-1]).sum(axis=0)
    for other in others:
        counts = _per_column(pc.count_substring(cells, other), *grid.shape[::-1]).sum(axis=0)
        found = np.flatnonzero(body & (counts >= threshold) & (counts > filled - 1))
        if not len(found):
            continue
        rows = {
            position: next(csv.reader([sep.join(grid.iloc[position].tolist()).rstrip(sep)], delimiter=other), [])
            for position in found.tolist()
        }
        width = max(grid.shape[1], *map(len, rows.values()))
        cells = grid.reindex(columns=range(width), fill_value="").to_numpy(dtype=object)
        for position, row in rows.items():
            cells[position] = row + [""] * (width - len(row))
        return _Resplit(pd.DataFrame(cells, dtype="str"), [p + 1 for p in rows], other)
    return None


_COLUMNS_LISTED = 20  # unknown columns reported one by one; the rest in one line
# Headers of a column saying each row's country, which the contract leaves out (the upload's country is chosen):
# still read, so that rows of another country are not accepted for this one (rules._check_named_countries).
_COUNTRY = {"country", "country_code", "iso3", "pais", "codigo_pais", "cod_pais", "pays", "code_pays", "code_pays_iso"}


def _renamed_columns(issues: IssueCollector, where: _Source, renamed: list[tuple[str, str]]) -> None:
    """One warning for the headers read as another name of their column ("Nombre de la empresa" as name): a file
    written in Spanish or French had one per column, a dozen warnings that said one thing."""
    if not renamed:
        return
    if len(renamed) == 1:
        ((cell, norm),) = renamed
        problem = _("The column name '{name}' was read as {column}.", name=cell, column=norm)
        fix = _("Use the exact name {column} to avoid surprises.", column=norm)
    else:
        pairs = "; ".join(_("'{name}' as {column}", name=cell, column=norm) for cell, norm in renamed)
        problem = _("{n} column names were read as the data contract's: {pairs}.", n=len(renamed), pairs=pairs)
        fix = _("Use the exact names ({columns}) to avoid surprises.", columns=", ".join(n for _c, n in renamed))
    issues.add(
        WARNING,
        where.file,
        problem,
        fix,
        sheet=where.sheet,
        row=where.header_row,
        column=", ".join(norm for _cell, norm in renamed),
        value=renamed[0][0] if len(renamed) == 1 else None,
    )


def _map_columns(issues: IssueCollector, where: _Source, header: list[str], table: Table) -> dict[int, str]:
    """Header cells -> contract columns (position -> name); reports missing, unknown, duplicate."""
    mapping: dict[int, str] = {}
    unknown: dict[int, str] = {}
    ambiguous: set[str] = set()  # columns an ambiguous header may be: its error stands for their "missing" ones
    renamed: list[tuple[str, str]] = []  # (header as written, the column it was read as)
    for position, cell in enumerate(header):
        if not cell:
            continue
        norm = header_column(table, cell)
        if norm in table.column_names:
            if norm in mapping.values():
                first = next(p for p, n in mapping.items() if n == norm)
                issues.add(
                    ERROR,
                    where.file,
                    _(
                        "The column {column} appears twice (columns {first} and {second}); the second was ignored.",
                        column=norm,
                        first=_letter(first),
                        second=_letter(position),
                    ),
                    _("Delete one of the two columns."),
                    sheet=where.sheet,
                    row=where.header_row,
                    column=norm,
                    value=cell,
                )
                continue
            mapping[position] = norm
            if cell != norm:
                renamed.append((cell, norm))
        elif len(meanings := header_meanings(table, cell)) > 1:
            ambiguous.update(meanings)
            issues.add(
                ERROR,
                where.file,
                _(
                    "The column name '{name}' may stand for more than one column ({columns}); it was not read.",
                    name=cell,
                    columns=", ".join(meanings),
                ),
                _("Rename it to the one it holds: {columns}.", columns=", ".join(meanings)),
                sheet=where.sheet,
                row=where.header_row,
                column=cell,
                value=cell,
            )
        else:
            unknown[position] = cell
    _renamed_columns(issues, where, renamed)

    used: set[int] = set()
    for col in table.columns:
        if col.name in mapping.values() or not col.required or col.name in ambiguous:
            continue
        candidates = {p: c for p, c in unknown.items() if p not in used}
        suggestion = _suggest(col.name, list(candidates.values()))
        if suggestion is not None:
            position = next(p for p, c in candidates.items() if c == suggestion)
            used.add(position)
            fix = _(
                "Column {letter} is called '{found}': did you mean {column}? Rename it.",
                letter=_letter(position),
                found=suggestion,
                column=col.name,
            )
        else:
            fix = _(
                "Add a column {column} ({description}); see the template.",
                column=col.name,
                description=_(col.description),
            )
        issues.add(
            ERROR,
            where.file,
            _("The required column {column} is missing.", column=col.name),
            fix,
            sheet=where.sheet,
            row=where.header_row,
            column=col.name,
            value=suggestion,
        )
    ignored = [(position, cell) for position, cell in unknown.items() if position not in used]
    for _position, cell in ignored[:_COLUMNS_LISTED]:
        missing_optional = [c.name for c in table.columns if c.name not in mapping.values()]
        suggestion = _suggest(cell, missing_optional)
        fix = (
            _("Did you mean {column}? Rename the column.", column=suggestion)
            if suggestion
            else _(
                "Remove the column, or check its name against the template ({columns}).",
                columns=", ".join(table.column_names),
            )
        )
        issues.add(
            WARNING,
            where.file,
            _("The column '{name}' is not part of the data contract and was ignored.", name=cell),
            fix,
            sheet=where.sheet,
            row=where.header_row,
            column=cell,
            value=cell,
        )
    if len(ignored) > _COLUMNS_LISTED:
        # A sheet with thousands of stray headings would otherwise be a report of thousands of lines.
        rest = len(ignored) - _COLUMNS_LISTED
        issues.add(
            WARNING,
            where.file,
            ngettext(
                "{count} more column is not part of the data contract and was ignored.",
                "{count} more columns are not part of the data contract and were ignored.",
                rest,
                count=fmt_int(rest),
            ),
            _(
                "Remove the columns, or check their names against the template ({columns}).",
                columns=", ".join(table.column_names),
            ),
            sheet=where.sheet,
            row=where.header_row,
        )
    return mapping


# ---- decimal mark --------------------------------------------------------------------------

_COMMA_DECIMAL = r"[+-]?(?:\d+,\d{1,2}|\d+,\d{4,}|0,\d+|\d{4,},\d+)"
_POINT_DECIMAL = r"[+-]?(?:\d+\.\d{1,2}|\d+\.\d{4,}|0\.\d+|\d{4,}\.\d+)"


_PERCENT_SIGN = r"\s*%$"


def without_percent_sign(col: Column, text: pd.Series) -> pd.Series:
    """A percentage column's text without the "%" Excel writes after each value it shows as a percentage
    ("88%", French "91,5 %"): a share of 0-100 is the number before it. Other columns keep their text."""
    if not col.percentage:
        return text
    # pandas runs this regex cell by cell in Python (Arrow's RE2 has no Python "$"): only on the cells with a "%".
    marked = text.str.contains("%", regex=False, na=False).to_numpy(dtype=bool)
    if not marked.any():
        return text
    return text.where(~marked, text[marked].str.replace(_PERCENT_SIGN, "", regex=True))


_BY_SEPARATOR = object()


def _decimal_mark(frame: pd.DataFrame, table: Table, sep: str | None, default: object = _BY_SEPARATOR) -> str | None:
    """The decimal mark of a file: from unambiguous numbers in its float columns, else `default`: by default from
    the separator (";" goes with a decimal comma), unknown for tab-separated text."""
    if default is _BY_SEPARATOR:
        default = {",": ".", ";": ",", None: "."}.get(sep)
    comma = point = False
    for col in table.columns:
        if col.dtype != "float" or col.name not in frame.columns:
            continue
        values = without_percent_sign(col, frame[col.name].iloc[:100_000]).str.strip()
        comma = comma or bool(fullmatch(values, _COMMA_DECIMAL).any())
        point = point or bool(fullmatch(values, _POINT_DECIMAL).any())
    if comma and not point:
        return ","
    if point and not comma:
        return "."
    return default if isinstance(default, str) else None
