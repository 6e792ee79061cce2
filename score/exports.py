"""Exports of what the viewer sees: CSV and Excel as data, chart PNGs with their caption, the export context.

Every export is built from query results the viewer's scope already allowed (and suppressed), never from
a separate data path. Machine-read files are data, not formatted text: plain numbers with `.` decimals and
no grouping, ISO dates, codes beside their labels, an empty cell where a value is hidden (with a column
saying why), UTF-8 with a BOM so that Excel opens accents. Text that came from an upload (partner names,
enterprise names, comments) is neutralised so that a spreadsheet never runs it as a formula.

The PowerPoint deck built from the same context is score.deck.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pyarrow.compute as pc

from score import settings
from score.chart_text import text_of
from score.charts import LEGEND_BAND, TITLE_LINE_PX, legend_above, plain, title_lines_for
from score.disclosure import PEOPLE_HIDDEN
from score.filters import YEAR_MAX, YEAR_MIN, Filters
from score.formulas import formula_cells, formula_starts, neutralise_text, write_sheet_text
from score.i18n import N_, _, fmt_date

LOG = logging.getLogger(__name__)
INTERNAL_COLUMNS = frozenset({"suppressed", PEOPLE_HIDDEN})  # query bookkeeping, not data for the reader
HIDDEN_REASON = "hidden_reason"
SOURCE = N_("ILO SCORE programme monitoring data (SCORE results dashboard)")


# --------------------------------------------------------------------------------------------- context


@dataclass(frozen=True)
class ExportContext:
    """What every export says about itself: the filters in words, the data version as a date, the date of
    the export, the source and whether the figures are demo data. Every text is translated when the context
    is made (`export_context`), because a deferred download runs outside the viewer's session and language."""

    filters: str
    data_date: str
    exported_on: str
    source: str
    demo: str = ""  # e.g. "Demo data: synthetic enterprises, not real results"; empty for real data
    details: str = ""  # "Source: ... · Data of ... · Exported ..."
    about: tuple[tuple[str, str], ...] = ()  # (label, value) rows of a workbook's About sheet
    about_sheet: str = "About"
    demo_mark: str = ""  # the short mark for a corner of each slide ("Demo data"), empty for real data
    # The viewer's "figures are slightly adjusted" sentence (score.disclosure), in full for notes and method
    # text and short for a footer; empty where the viewer sees exact figures (HQ).
    adjusted: str = ""
    adjusted_mark: str = ""

    @property
    def is_demo(self) -> bool:
        return bool(self.demo)

    def caption(self) -> str:
        """One line for a slide footer or a figure: filters, source, dates, demo status."""
        return " · ".join(part for part in (self.filters, self.details, self.demo) if part)


def file_stem(words: str, limit: int = 60) -> str:
    """Words as a file name's stem in the reader's language ("Entreprises par secteur (entreprises)" ->
    "entreprises-par-secteur-entreprises"): lower case, letters and digits kept (accents too), every other run a
    single "-", cut at a word within `limit` characters. Empty when the words have no letter or digit."""
    stem = "-".join(re.findall(r"[^\W_]+", words.lower()))
    if len(stem) > limit:
        stem = stem[: limit + 1].rsplit("-", 1)[0][:limit]
    return stem


def download_stem(words: str) -> str:
    """A download's name without its extension, from its words in the reader's language: "score-résultats"."""
    return "score-" + file_stem(words)


def csv_name(words: str) -> str:
    """A CSV download's name from its words in the reader's language: "score-formation-par-module.csv"."""
    return download_stem(words) + ".csv"


def filters_in_words(filters: Filters, labels: Mapping[str, Mapping[str, str]]) -> str:
    """The filters as a sentence in the current language, e.g. 'Colombia, Ghana · Phase I · joined 2011–2013'.
    `labels[kind]` maps codes to names for country, sector and module."""
    parts: list[str] = []

    def names(kind: str, codes: Sequence[str]) -> str:
        return ", ".join(labels.get(kind, {}).get(code, code) for code in codes)

    if filters.countries:
        parts.append(names("country", filters.countries))
    if filters.regions:
        parts.append(", ".join(_(region) for region in filters.regions))
    if not filters.countries and not filters.regions:
        parts.append(_("All countries"))
    if filters.provinces:
        parts.append(_("Provinces: {names}", names=", ".join(filters.provinces)))
    if filters.sectors:
        parts.append(_("Sectors: {names}", names=names("sector", filters.sectors)))
    if filters.phases:
        parts.append(_("Phase {phases}", phases=", ".join(filters.phases)))
    if filters.partners:
        parts.append(_("Partners: {names}", names=", ".join(filters.partners)))
    if filters.modules:
        parts.append(_("Modules: {names}", names=names("module", filters.modules)))
    if filters.year_from != YEAR_MIN or filters.year_to != YEAR_MAX:
        first = "" if filters.year_from == YEAR_MIN else str(filters.year_from)
        last = "" if filters.year_to == YEAR_MAX else str(filters.year_to)
        parts.append(_("joined {first}–{last}", first=first, last=last))
    else:
        parts.append(_("all years"))
    return " · ".join(parts)


def demo_countries_in_view(status: Mapping[str, object] | None, filters: Filters | None = None) -> list[str]:
    """The demo countries (a row of queries/data_status.sql) that `filters` leave in view (their country and
    region filters), in the status' order: a notice about Ghana's view names Ghana, not all eight."""
    codes = [code for code in str((status or {}).get("demo_country_codes") or "").split(",") if code]
    if filters is None:
        return codes
    in_view = filters.countries_within(frozenset(codes))
    return [code for code in codes if code in in_view]


def demo_statement(
    status: Mapping[str, object] | None, country_names: Mapping[str, str], filters: Filters | None = None
) -> str:
    """What to say about demo data, from a row of queries/data_status.sql ('' when all data is real); with
    `filters`, about the countries in view only ('' when none of them is demo data)."""
    if not status:
        return ""
    if bool(status.get("is_demo")):
        return _("Demo data: synthetic enterprises, not real results")
    codes = demo_countries_in_view(status, filters)
    if status.get("demo_countries") and codes:
        return _(
            "Demo data for {countries}: synthetic enterprises, not real results",
            countries=", ".join(country_names.get(code, code) for code in codes),
        )
    return ""


def data_date(status: Mapping[str, object] | None) -> str:
    """The data version as a date people read (the day the version was built), never a file name."""
    built = str((status or {}).get("built_at") or "")
    try:
        return fmt_date(dt.datetime.fromisoformat(built).date())
    except ValueError:
        return "–"


def export_context(
    filters: Filters,
    labels: Mapping[str, Mapping[str, str]],
    status: Mapping[str, object] | None,
    today: dt.date | None = None,
    adjusted: tuple[str, str] = ("", ""),
) -> ExportContext:
    """The context of an export in the current language (call it in the viewer's session). `adjusted`: the
    viewer's sentence saying the figures are slightly adjusted, in full and short (empty for exact figures)."""
    words, data_of, exported = filters_in_words(filters, labels), data_date(status), fmt_date(today or dt.date.today())
    source, demo = _(SOURCE), demo_statement(status, labels.get("country", {}), filters)
    details = " · ".join(
        (
            _("Source: {source}", source=source),
            _("Data of {date}", date=data_of),
            _("Exported {date}", date=exported),
        )
    )
    about = (
        (_("Filters"), words),
        (_("Data version (date)"), data_of),
        (_("Exported on"), exported),
        (_("Source"), source),
        (_("Demo data"), demo or _("No: real programme data")),
        *(((_("Adjusted figures"), adjusted[0]),) if adjusted[0] else ()),
    )
    mark = _("Demo data") if demo else ""
    return ExportContext(words, data_of, exported, source, demo, details, about, _("About"), mark, *adjusted)


# --------------------------------------------------------------------------------------------- data frames


# A plain decimal number written as text ("-5" in a validation report's Value column) is no formula: a spreadsheet
# reads it as the number the person typed, so it is left as it is (an apostrophe would show: `'-5`).
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise(value: object) -> object:
    """Text that a spreadsheet could run as a formula in any locale, made inert (score.formulas); a plain
    number stays as it is."""
    if not isinstance(value, str) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return neutralise_text(value)


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and headings) cannot start a formula; numeric columns are untouched."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        marked = formula_starts(values)
        if marked is None:
            out[column] = values.map(neutralise)
        elif marked.any():  # only text with a formula start changes: each such value as before, the rest kept
            changed = values.copy()
            changed[marked] = values[marked].map(neutralise).to_numpy()
            out[column] = changed
    out.columns = [neutralise(str(column)) for column in out.columns]
    return out


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _typed(values: pd.Series) -> pd.Series:
    """A column as data: whole numbers as integers, other numbers as floats, dates as ISO text."""
    if pd.api.types.is_bool_dtype(values):
        return values
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.to_datetime(values)
        at_midnight = (stamps.dropna() == stamps.dropna().dt.normalize()).all()
        return stamps.dt.strftime("%Y-%m-%d" if at_midnight else "%Y-%m-%dT%H:%M:%S").where(stamps.notna(), None)
    present = values.dropna()
    if len(present) and all(isinstance(v, dt.date) for v in present):
        return values.map(lambda v: v.isoformat() if isinstance(v, dt.date) else None)
    if pd.api.types.is_numeric_dtype(values) or (len(present) and all(_is_number(v) for v in present)):
        numbers = pd.to_numeric(values, errors="coerce").astype(float)
        finite = numbers.dropna()
        if len(finite) and (finite == finite.round()).all() and finite.abs().max() < 2**53:
            return numbers.astype("Int64")
        return numbers
    return values


def data_table(
    frame: pd.DataFrame,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    columns: Sequence[str] | None = None,
    hidden_reason: str | None = None,
    people_reason: str | None = None,
) -> pd.DataFrame:
    """A query result as data for CSV/Excel: language-neutral column codes, each code column in `labels`
    followed by `<column>_name` (its label in the viewer's language), numbers typed, hidden (suppressed)
    values left empty and `hidden_reason` saying why (`hidden_reason_text()` unless given: outside the viewer's
    session, pass it translated); a row with a number of people hidden as too small says so (`people_reason`,
    `hidden_people_reason_text()` unless given)."""
    labels = labels or {}
    wanted = list(columns) if columns is not None else [c for c in frame.columns if c not in INTERNAL_COLUMNS]
    out = pd.DataFrame(index=frame.index)
    for column in wanted:
        out[column] = _typed(frame[column])
        if column in labels:
            names = labels[column]
            out[f"{column}_name"] = frame[column].map(lambda v, names=names: names.get(v, v) if pd.notna(v) else None)
    no = pd.Series(False, index=frame.index)
    hidden = frame["suppressed"].fillna(True).astype(bool) if "suppressed" in frame.columns else no
    people = frame[PEOPLE_HIDDEN].fillna(True).astype(bool) if PEOPLE_HIDDEN in frame.columns else no
    if hidden.any() or people.any():
        reasons = (hidden_reason or hidden_reason_text(), people_reason or hidden_people_reason_text())
        out[HIDDEN_REASON] = [
            reasons[0] if h else reasons[1] if p else None for h, p in zip(hidden, people, strict=True)
        ]
    return out.reset_index(drop=True)


def hidden_reason_text() -> str:
    """Why a cell of an export is empty, in the current language (the same for 0 and 1-4 enterprises)."""
    from score import access

    return access.hidden_cell_text()


def hidden_people_reason_text() -> str:
    """Why a number of people is empty in an export, in the current language (score.disclosure.small_people)."""
    from score import access

    return access.hidden_people_text()


def page_tables(
    results: Mapping[tuple, pd.DataFrame | Callable[[], pd.DataFrame]],
    labels: Mapping[str, Mapping[str, str]],
    hidden_reason: str | None = None,
    people_reason: str | None = None,
) -> dict[str, pd.DataFrame]:
    """The query results a page drew from (ui.query keys them by name, parameters and filters) as data
    tables named after the query, e.g. `country_comparison` or `logframe-2013-09-30`."""
    tables: dict[str, pd.DataFrame] = {}
    for (name, params, *_rest), result in results.items():
        frame = result() if callable(result) else result  # a sheet made only now (ui.sheet_on_click)
        suffix = "-".join(str(value) for _key, value in params if value is not None and not isinstance(value, int))
        tables[f"{name}-{suffix}" if suffix else name] = data_table(
            frame, labels, hidden_reason=hidden_reason, people_reason=people_reason
        )
    return tables


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV as data: `.` decimals, no grouping, ISO dates, formulas neutralised, text quoted (OWASP), UTF-8 with
    BOM (Excel then opens Bogotá and Hà Nội correctly)."""
    buffer = io.StringIO()
    neutralised(frame).to_csv(
        buffer, index=False, lineterminator="\r\n", date_format="%Y-%m-%d", quoting=csv.QUOTE_NONNUMERIC
    )
    return buffer.getvalue().encode("utf-8-sig")


def _number_format(values: pd.Series) -> str | None:
    if pd.api.types.is_integer_dtype(values):
        return "#,##0"
    if pd.api.types.is_float_dtype(values):
        return "#,##0.0"
    return None


def _sheet_name(name: str, taken: set[str]) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet"
    base, number = cleaned[:31], 2
    candidate = base
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.casefold())
    return candidate


def to_excel(sheets: Mapping[str, pd.DataFrame], context: ExportContext | None = None) -> bytes:
    """One workbook: a sheet per table (numbers stored as numbers, shown with a thousands format) and, with a
    `context`, a first sheet saying which filters, data version, date, source and demo status it holds.

    XlsxWriter writes the workbook (styles, header rows, column widths, frozen header); the data rows are then
    written as the sheet's XML column by column (`_rows_xml`), not cell by cell through a library: the full
    enterprise list at 200x the demo (300,000 rows x 13 columns) takes seconds instead of ~50 s (openpyxl) or
    ~50 s of CPU (XlsxWriter's own per-cell calls). Text is always an inline string, escaped (never a formula,
    a link, a number or markup); text a spreadsheet could run as a formula (score.formulas.formula_cells) is written
    as typed with Excel's "text" mark, the style quotePrefix: it shows as typed (no apostrophe in the cell), and
    editing the cell keeps it text, so it never runs."""
    import xlsxwriter

    buffer = io.BytesIO()
    tables: list[tuple[str, pd.DataFrame, dict[int, float]]] = []
    taken: set[str] = set()
    if context is not None:
        about = pd.DataFrame(list(context.about), columns=[context.about_sheet, ""])
        tables.append((_sheet_name(context.about_sheet, taken), about, {0: 24, 1: 90}))
    for title, frame in sheets.items():
        widths: dict[int, float] = {i: min(max(len(str(c)) + 2, 12), 40) for i, c in enumerate(frame.columns)}
        tables.append((_sheet_name(title, taken), frame, widths))
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        heading_style = {"bold": True, "border": 1, "align": "center", "valign": "top"}
        header = book.add_format(heading_style)
        quoted_header = book.add_format(heading_style | {"quote_prefix": True})
        formats = {code: book.add_format({"num_format": code}) for code in ("#,##0", "#,##0.0")}
        formats[QUOTE_PREFIX] = book.add_format({"quote_prefix": True})
        for fmt in formats.values():  # the rows below refer to these styles by index: make sure they exist
            fmt._get_xf_index()
        for index, (name, frame, widths) in enumerate(tables):
            sheet = book.add_worksheet(name)
            for column, width in widths.items():
                sheet.set_column(column, column, width)
            for column, heading in enumerate(frame.columns):
                write_sheet_text(sheet, 0, column, str(heading), header, quoted_header)
            if index or context is None:  # every data sheet; not the About sheet
                sheet.freeze_panes(1, 0)
    styles = {code: fmt.xf_index for code, fmt in formats.items()}
    rows = {f"xl/worksheets/sheet{i + 1}.xml": (frame, styles) for i, (_name, frame, _w) in enumerate(tables)}
    return _with_rows(buffer.getvalue(), rows)


_CONTROL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")  # as Excel (and XlsxWriter) escape text
_CONTROL_CHARACTERS = re.compile(r"([\x00-\x08\x0b-\x1f])")
_XML_SPECIAL = re.compile(r"[&<>\x00-\x1f]|_x[0-9a-fA-F]{4}_")


def _xml_text(text: str) -> str:
    """Text as the content of an inline string: XML-escaped, control characters as Excel's _xHHHH_."""
    if not _XML_SPECIAL.search(text):
        return text
    text = _CONTROL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL_CHARACTERS.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


QUOTE_PREFIX = "quote_prefix"  # the page workbook's style for text that could start a formula (to_excel)


def _cells(letter: str, rows: pa.Array, values: pd.Series, style: str, quoted: np.ndarray, quote: str) -> pa.Array:
    """One column's cells as sheet XML, one string per row (empty for a missing value: no cell). Text and integer
    columns are assembled by Arrow's string kernels (3.9 million cells of the full list at x200: ~3 s as Python
    f-strings); booleans, other numbers and mixed objects cell by cell. The `quoted` cells (text that could start a
    formula) get the style `quote` (quotePrefix)."""
    if pd.api.types.is_integer_dtype(values):  # written in full (_number_text), always finite
        numbers = pc.cast(pa.array(values, type=pa.int64(), from_pandas=True), pa.string())
        return pc.binary_join_element_wise(f'<c r="{letter}', rows, f'"{style}><v>', numbers, "</v></c>", "").fill_null(
            ""
        )
    marked = _xml_special(values)
    if marked is not None:  # a text column: the few values to escape escaped here, the rest as they are
        if marked.any():
            values = values.copy()
            values[marked] = values[marked].map(_xml_text).to_numpy()
        texts = pa.array(values, type=pa.string(), from_pandas=True)
        head = ' t="inlineStr"><is><t xml:space="preserve">'
        styles = pa.array(np.where(quoted, f'"{quote}', '"'), type=pa.string())
        return pc.binary_join_element_wise(f'<c r="{letter}', rows, styles, head, texts, "</t></is></c>", "").fill_null(
            ""
        )
    numbers = rows.to_pylist()
    if pd.api.types.is_bool_dtype(values) and not values.isna().any():
        cells = [f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>' for r, v in zip(numbers, values.tolist(), strict=True)]
    elif pd.api.types.is_float_dtype(values):
        present = values.notna().tolist()
        cells = [
            f'<c r="{letter}{r}"{style}><v>{_number_text(v)}</v></c>' if ok and math.isfinite(v) else ""
            for r, v, ok in zip(numbers, values.astype(object).tolist(), present, strict=True)
        ]
    else:
        cells = [
            _cell(letter, r, v, quote if q else "" if isinstance(v, str) else style)
            for r, v, q in zip(numbers, values.tolist(), quoted.tolist(), strict=True)
        ]
    return pa.array(cells, type=pa.string())


def _xml_special(values: pd.Series) -> np.ndarray | None:
    """Which values of a text column need escaping (_XML_SPECIAL), searched in bulk; None for other columns."""
    if not pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        return None
    return values.str.contains(_XML_SPECIAL.pattern, regex=True).fillna(False).astype(bool).to_numpy()


def _cell(letter: str, row: str, value: object, style: str) -> str:
    if isinstance(value, str):
        return f'<c r="{letter}{row}"{style} t="inlineStr"><is><t xml:space="preserve">{_xml_text(value)}</t></is></c>'
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return f'<c r="{letter}{row}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | np.integer | np.floating):
        return f'<c r="{letter}{row}"{style}><v>{_number_text(value)}</v></c>' if math.isfinite(value) else ""
    return _cell(letter, row, str(value), "")


def _number_text(value: object) -> str:
    """A number as a cell value: whole numbers in full, others to 16 significant digits (as XlsxWriter and
    openpyxl write them)."""
    return str(value) if isinstance(value, int | np.integer) else f"{value:.16G}"


ROWS_PER_CHUNK = 20_000  # rows turned into XML at a time: the sheet is streamed into the file, never held whole


def _rows_xml(frame: pd.DataFrame, styles: Mapping[str, int]) -> Iterator[str]:
    """The data rows of a sheet (row 2 on) as sheet XML, built column by column, a chunk of rows at a time."""
    from xlsxwriter.utility import xl_col_to_name

    letters = [xl_col_to_name(i) for i in range(frame.shape[1])]
    codes = [_number_format(frame.iloc[:, i]) for i in range(frame.shape[1])]
    column_styles = [f' s="{styles[code]}"' if code else "" for code in codes]
    quote = f' s="{styles[QUOTE_PREFIX]}"'
    quoted = [formula_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
    for start in range(0, len(frame) if letters else 0, ROWS_PER_CHUNK):
        part = frame.iloc[start : start + ROWS_PER_CHUNK]
        rows = pc.cast(pa.array(np.arange(start + 2, start + 2 + len(part))), pa.string())
        columns = [
            _cells(letters[i], rows, part.iloc[:, i], column_styles[i], quoted[i][start : start + len(part)], quote)
            for i in range(len(letters))
        ]
        yield "".join(pc.binary_join_element_wise('<row r="', rows, '">', *columns, "</row>", "").to_pylist())


def _with_rows(workbook: bytes, rows: Mapping[str, tuple[pd.DataFrame, Mapping[str, int]]]) -> bytes:
    """The workbook with each sheet's data rows streamed in after its header row (and its dimension made whole)."""
    from xlsxwriter.utility import xl_col_to_name

    sheets = {
        name: (f"A1:{xl_col_to_name(len(frame.columns) - 1)}{len(frame) + 1}", _rows_xml(frame, styles))
        for name, (frame, styles) in rows.items()
        if frame is not None and not frame.empty  # no rows to add (a sheet without columns has no header either)
    }
    return splice_rows(workbook, sheets)


def splice_rows(workbook: bytes, sheets: Mapping[str, tuple[str, Iterable[str]]]) -> bytes:
    """The workbook with rows of sheet XML added after the rows a library wrote into each named sheet (its
    dimension set to the range given): a large sheet's rows written in bulk, not cell by cell through the library.
    {sheet's path in the archive: (its dimension, e.g. "A1:L300001"; the rows' XML in chunks)}."""
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename not in sheets:
                target.writestr(item, data)
                continue
            dimension, chunks = sheets[item.filename]
            text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', data.decode("utf-8"), count=1)
            head, tail = text.split("</sheetData>", 1)
            # By name, so the ZipFile's compresslevel applies (an entry passed as ZipInfo keeps zlib's default, 6):
            # level 1 deflates the full list's 330 MB of sheet XML in 0.7 s instead of 2.3 s, 19.5 MB instead of 16.4.
            with target.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(head.encode("utf-8"))
                for chunk in chunks:
                    sheet.write(chunk.encode("utf-8"))
                sheet.write(("</sheetData>" + tail).encode("utf-8"))
    return out.getvalue()


# --------------------------------------------------------------------------------------------- chart images


PNG_WIDTH = 1400  # px: a chart's image (at scale 2)


def captioned(fig: go.Figure, context: ExportContext, width: int = PNG_WIDTH) -> go.Figure:
    """A copy of `fig` that carries its context in the image: under the title (wrapped for an image `width` px
    wide), the filters, the source, the data date, the export date and (when loaded) a demo-data mark. Text from
    uploads is escaped: it is shown, never read as markup."""
    out = _title_rewrapped(go.Figure(fig), width)
    lines = [plain(context.filters), plain(context.details)]
    if context.adjusted_mark:  # the public's figures are slightly adjusted: the image says so, as the deck does
        lines.append(plain(context.adjusted_mark))
    if context.demo:
        lines.append(f"<b>{plain(context.demo.upper())}</b>")
    title = out.layout.title
    existing = title.subtitle.text if title and title.subtitle and title.subtitle.text else ""
    subtitle = "<br>".join([*([existing] if existing else []), *lines])
    # The title block is pinned to the top of the image and the plot starts below it, with a band of its own
    # for a legend drawn above the plot ("Target"): left to Plotly, the title sits mid-margin and its caption
    # lines run into that legend. Plotly centres a title of several lines on its anchor: half a line more of
    # padding per extra line keeps the first one in the image.
    title_lines = (title.text or "").count("<br>") + 1 if title else 1
    pad = CAPTION_PAD + (title_lines - 1) * TITLE_LINE // 2
    block = pad + TITLE_LINE * title_lines + CAPTION_LINE * (subtitle.count("<br>") + 1) + 8
    margin = out.layout.margin.t if out.layout.margin.t is not None else 56
    spec = out.to_dict()
    top = max(margin, block + (LEGEND_BAND if legend_above(spec["layout"], spec["data"]) else 0))
    out.update_layout(
        title={
            "subtitle": {"text": subtitle, "font": {"size": 13, "color": "#52606d"}},
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": pad},
        },
        margin={"t": top},
        height=(out.layout.height or 450) + top - margin,  # the plot keeps its height under the caption
        modebar={"remove": ["toImage"]},
    )
    return out


# Heights in px of the caption block of an exported chart: the title lines (19 px type), the caption lines
# (13 px type) and the space above the title (the band for a legend drawn above the plot: charts.LEGEND_BAND).
TITLE_LINE, CAPTION_LINE, CAPTION_PAD = 26, 19, 12


def _title_rewrapped(fig: go.Figure, width: int) -> go.Figure:
    """`fig` (changed) with its title wrapped for `width` px rather than the narrowest chart a page has, and the
    room the lines saved took at the top given back: a 1400 px image read "Enterprises joining SCORE, per" over
    "year"."""
    title = fig.layout.title.text if fig.layout.title else None
    if not title:
        return fig
    lines = title_lines_for(text_of(title), width)
    saved = TITLE_LINE_PX * (title.count("<br>") + 1 - len(lines))
    fig.update_layout(title_text="<br>".join(plain(line) for line in lines))
    if saved > 0 and isinstance(fig.layout.margin.t, int | float) and isinstance(fig.layout.height, int | float):
        fig.update_layout(margin_t=fig.layout.margin.t - saved, height=fig.layout.height - saved)
    return fig


def chart_png(fig: go.Figure, context: ExportContext, width: int = PNG_WIDTH, scale: float = 2) -> bytes:
    """The chart as a PNG with its caption (kaleido, with the system Chromium: works offline)."""
    figure = captioned(fig, context, width)
    return figure_png(figure, width=width, height=int(figure.layout.height or 500), scale=scale)


# A chart draws in 1-3 s. Kaleido's Chromium has been seen to drop a message and then wait for it forever (a full
# test run stuck for 10 minutes on a deck); its own time limit covers the drawing, not the browser's start and
# close. So each try has a time limit here, and a second try starts a new browser.
PNG_SECONDS = 60.0
PNG_TRIES = 2


def figure_png(fig: go.Figure, width: int, height: int, scale: float = 2) -> bytes:
    """A Plotly figure as PNG bytes (kaleido drives the system Chromium; no network needed). Raises TimeoutError
    when no try finishes in PNG_SECONDS (the hung try's thread is left behind: it cannot be stopped)."""
    settings.show_kaleido_the_browser()
    for attempt in range(1, PNG_TRIES + 1):
        outcome: dict[str, object] = {}

        def draw(outcome: dict[str, object] = outcome) -> None:
            try:
                outcome["png"] = fig.to_image(format="png", width=width, height=height, scale=scale)
            except BaseException as error:  # handed to the caller's thread below
                outcome["error"] = error

        worker = threading.Thread(target=draw, name="chart-png", daemon=True)
        worker.start()
        worker.join(PNG_SECONDS)
        if "error" in outcome:
            raise cast(BaseException, outcome["error"])
        if "png" in outcome:
            return cast(bytes, outcome["png"])
        LOG.warning("a chart image took over %.0f s (try %d of %d)", PNG_SECONDS, attempt, PNG_TRIES)
    raise TimeoutError(f"drawing a chart image took over {PNG_SECONDS:.0f} s, {PNG_TRIES} times")
