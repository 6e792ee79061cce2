"""Read and validate one country's submission: CSV files or one XLSX workbook.

Everything is read as text first (pandas never infers a type), then each column is converted
as score.contract says. Every problem is collected, none raises: the report names file, sheet,
Excel row (header = row 1), column, the offending value, what is wrong and how to fix it, all
through `_()`. Typed frames are handed out only when there is no error.

Choices worth knowing (see the tests in tests/test_ingest.py and the corpus in tests/bad_files):
- Encodings: BOM first (UTF-8, UTF-16), then strict UTF-8, then charset-normalizer. When it
  proposes any Latin single-byte code page we read Windows-1252 (what Excel writes in Western locales;
  short texts cannot tell cp1250 from cp1252 and a wrong guess mangles "Ñ"), unless Mac Roman or DOS
  cp850 reads the accents inside words as letters where Windows-1252 reads symbols ("Pl‡sticos").
  Text is composed (NFC): decomposed "ệ" (a Mac, code page 1258) would be another province otherwise.
  A file that mixes UTF-8 and another encoding is rejected instead of half-mangled.
- Numbers: the decimal mark is taken from unambiguous values such as "6,2442" in the file's
  decimal columns, else from the separator (";" goes with a decimal comma). "1.234" (one group of
  three digits) is thousands when the file's decimal mark is the other one; when the mark is unknown
  it is taken only if the column admits just one reading (a latitude cannot be 6244, a headcount
  cannot be 1.234), otherwise it is reported as ambiguous; a known mark gives way the same way (a ";"
  file from Excel in Swiss settings writes "6.244"). Counts must be whole numbers.
- Headers: case, spaces and punctuation are forgiven ("Enterprise ID" is read as enterprise_id, with
  a warning); a real near-miss ("worker_female") is an error that suggests the right name.
- Dates: YYYY-MM-DD, DD/MM/YYYY, a month by name in English, French or Spanish ("15-Mar-2011", "15 mars
  2011", "15 de marzo de 2011"), Excel date cells and Excel serial numbers. A column that holds
  month-first dates (03/15/2011) is not guessed: those rows and the ambiguous ones are errors.
- Row loops only ever run over distinct bad values or over the capped issue list, so a file with
  a million rows is validated with vectorised pandas operations.

Layout (one concern per module; this package re-exports the public names):
- report.py: Issue, ValidationReport (grouping, the table for people, summaries), the issue collector.
- names.py: file, sheet, column and code names; near-miss suggestions; files that cannot be read.
- reading.py: the submission's files, text files (encodings, separators, widths).
- workbooks.py: Excel workbooks (Strict ones read as Transitional) and their caps against workbook bombs.
- columns.py: header row and header mapping, the decimal mark: grid of text -> raw frame per table.
- conversion.py: text, code, number and date conversion per column.
- rules.py: cross-row and cross-table checks.
- validate.py: validate_submission, validate_paths, load_country_dir, with_kept_files.
"""

from score.ingest.conversion import suggest_code
from score.ingest.names import TEXT_SUFFIXES, WORKBOOK_SUFFIXES, contract_file, contract_files, norm_name
from score.ingest.reading import MAX_COLUMNS, decode_text, parse_delimited
from score.ingest.report import (
    ERROR,
    ISSUE_COLUMNS,
    MAX_ISSUES_PER_RULE,
    MAX_ROWS_PER_ISSUE,
    ROWS_SHOWN,
    VALUE_CHARS,
    WARNING,
    Issue,
    IssueCollector,
    ValidationReport,
    rows_text,
)
from score.ingest.rules import COORDINATE_MARGIN_DEG, FOLLOW_UP_JUMP
from score.ingest.validate import load_country_dir, validate_paths, validate_submission, with_kept_files
from score.ingest.workbooks import (
    MAX_WORKBOOK_CELLS,
    MAX_WORKBOOK_RATIO,
    MAX_WORKBOOK_ROWS,
    MAX_WORKBOOK_UNPACKED_MB,
    transitional,
)

__all__ = [
    "COORDINATE_MARGIN_DEG",
    "ERROR",
    "FOLLOW_UP_JUMP",
    "ISSUE_COLUMNS",
    "MAX_COLUMNS",
    "MAX_ISSUES_PER_RULE",
    "MAX_ROWS_PER_ISSUE",
    "MAX_WORKBOOK_CELLS",
    "MAX_WORKBOOK_RATIO",
    "MAX_WORKBOOK_ROWS",
    "MAX_WORKBOOK_UNPACKED_MB",
    "ROWS_SHOWN",
    "TEXT_SUFFIXES",
    "VALUE_CHARS",
    "WARNING",
    "WORKBOOK_SUFFIXES",
    "Issue",
    "IssueCollector",
    "ValidationReport",
    "contract_file",
    "contract_files",
    "decode_text",
    "load_country_dir",
    "norm_name",
    "parse_delimited",
    "rows_text",
    "suggest_code",
    "transitional",
    "validate_paths",
    "validate_submission",
    "with_kept_files",
]
