"""The data contract: the single definition of what a country submits.

The validator (score.ingest), the database build (score.build), the README's data section
(`python -m score contract --markdown`) and the downloadable templates (score.templates) all read
these objects, so a column added here shows up everywhere at once.
Code lists live in data/reference/*.csv so that, e.g., a new module is data, not code.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from score.config import REFERENCE_DIR

EARLIEST_DATE = dt.date(2005, 1, 1)  # SCORE started in 2009; allow pilots and back-dated baselines.
ENTERPRISE_ID_PATTERN = r"^[A-Z]{3}-[A-Za-z0-9]{1,12}$"
PHASE_CODES = ("I", "II", "III", "IV", "V")
PERIOD_CODES = ("baseline", "follow_up")
LOGFRAME_LEVELS = ("objective", "outcome", "output")
# Longest text a cell may hold, by kind of text: longer values are rejected by the validator (a pasted
# paragraph or a 1 MB cell in a name column is a mistake, and every page, export and chart label shows it).
NAME_CHARS = 200
PLACE_CHARS = 100
COMMENT_CHARS = 500


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Marks a description as a message for the catalogue; score.i18n translates it where it is shown."""
    return message


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # text | int | float | date | code
    description: str
    example: str
    required: bool = True  # the column must be present in the file
    nullable: bool = False  # an empty cell is allowed
    codes: str | None = None  # name of a code list (see code_list)
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    references: str | None = None  # "table.column" that must contain this value
    max_length: int | None = None  # text columns: at most this many characters
    # What a person calls the column where its description says what the file holds ("Sector code", "Latitude in
    # decimal degrees"): a changed column reads "Secteur (sector): Confection (garments) → Textiles (textiles)", not
    # "Code de secteur (sector)" before named values. None: the description up to a bracket or colon (labels).
    heading: str | None = None

    @property
    def percentage(self) -> bool:
        """A share written as a percentage, 0-100 (a spreadsheet may show it as "88%")."""
        return self.dtype == "float" and self.minimum == 0 and self.maximum == 100


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True  # the file must be part of a country submission
    checks: tuple[str, ...] = field(default=())  # human-readable cross-row rules, for the README
    title: str = field(kw_only=True)  # the table's name for people (tabs, summaries), translated where shown

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _count(name: str, description: str) -> Column:
    return Column(name, "int", description, "12", minimum=0, maximum=1_000_000)


def _enterprise_reference() -> Column:
    """The enterprise_id column of a table whose rows belong to an enterprise of enterprises.csv."""
    return Column(
        "enterprise_id",
        "text",
        N_("Enterprise id from enterprises"),
        "COL-0001",
        references="enterprises.enterprise_id",
        heading=N_("Enterprise id"),
    )


ENTERPRISES = Table(
    "enterprises",
    N_("One row per participating enterprise (SME)."),
    (
        Column(
            "enterprise_id",
            "text",
            N_("Unique id: the country's ISO3 code, a dash, then letters or digits"),
            "COL-0001",
            pattern=ENTERPRISE_ID_PATTERN,
            heading=N_("Enterprise id"),
        ),
        Column(
            "name",
            "text",
            N_("Enterprise name (never shown to the public)"),
            "Confecciones Andinas S.A.S.",
            max_length=NAME_CHARS,
        ),
        Column("sector", "code", N_("Sector code"), "garments", codes="sector", heading=N_("Sector")),
        Column("province", "text", N_("Province, department or state"), "Antioquia", max_length=PLACE_CHARS),
        Column("city", "text", N_("City or town"), "Medellín", nullable=True, max_length=PLACE_CHARS),
        Column(
            "latitude",
            "float",
            N_("Latitude in decimal degrees (WGS84), inside the country"),
            "6.2442",
            minimum=-90,
            maximum=90,
            nullable=True,
            heading=N_("Latitude"),
        ),
        Column(
            "longitude",
            "float",
            N_("Longitude in decimal degrees (WGS84), inside the country"),
            "-75.5812",
            minimum=-180,
            maximum=180,
            nullable=True,
            heading=N_("Longitude"),
        ),
        _count("workers_female", N_("Female workers (headcount when joining)")),
        _count("workers_male", N_("Male workers (headcount when joining)")),
        Column("joined_on", "date", N_("Date the enterprise joined SCORE (YYYY-MM-DD)"), "2011-03-15"),
        Column("phase", "code", N_("Programme phase: I, II, III ..."), "I", codes="phase"),
        Column("partner", "text", N_("Implementing organisation"), "SENA", max_length=NAME_CHARS),
    ),
    key=("enterprise_id",),
    checks=(
        N_("enterprise_id is unique and starts with the country's ISO3 code"),
        N_("latitude/longitude lie inside the country (with a small margin for the coast)"),
        N_("a province, city or partner written two ways (case or accents aside) is flagged as a warning"),
    ),
    title=N_("Enterprises"),
)

TRAINING = Table(
    "training",
    N_("One row per enterprise and module delivered (classroom training plus in-factory consultations)."),
    (
        _enterprise_reference(),
        Column("module", "code", N_("Module code"), "WC", codes="module", heading=N_("Module")),
        Column("classroom_date", "date", N_("First day of the joint classroom training (YYYY-MM-DD)"), "2011-05-10"),
        _count("managers_female", N_("Female managers trained in the classroom")),
        _count("managers_male", N_("Male managers trained in the classroom")),
        _count("workers_female", N_("Female workers trained in the classroom")),
        _count("workers_male", N_("Male workers trained in the classroom")),
        Column(
            "consultation_visits",
            "int",
            N_("Expert consultation visits to the enterprise for this module"),
            "4",
            minimum=0,
            maximum=100,
            heading=N_("Consultation visits"),
        ),
        Column(
            "satisfaction_pct",
            "float",
            N_("Share of participants satisfied with the module (0-100); optional column"),
            "88",
            required=False,
            nullable=True,
            minimum=0,
            maximum=100,
        ),
    ),
    key=("enterprise_id", "module"),
    checks=(
        N_("each enterprise_id exists in enterprises"),
        N_("classroom_date is not before the enterprise joined"),
    ),
    title=N_("Training"),
)

INDICATORS = Table(
    "indicators",
    N_("Outcome measurements in long form: one row per enterprise, indicator and period."),
    (
        _enterprise_reference(),
        Column("indicator", "code", N_("Indicator code"), "accidents", codes="indicator", heading=N_("Indicator")),
        Column("period", "code", N_("Period: baseline or follow_up"), "baseline", codes="period"),
        Column("measured_on", "date", N_("Date of the measurement (YYYY-MM-DD)"), "2011-03-20"),
        Column(
            "value",
            "float",
            N_("Measured value in the indicator's unit"),
            "7",
            minimum=0,
            maximum=1e12,
            heading=N_("Measured value"),
        ),
    ),
    key=("enterprise_id", "indicator", "period"),
    checks=(
        N_("each enterprise_id exists in enterprises"),
        N_("yes/no indicators (kind share) are 0 or 1 and measured at follow_up only"),
        N_("a follow-up value more than 10 times the baseline is flagged as a warning"),
    ),
    title=N_("Indicators"),
)

LOGFRAME = Table(
    "logframe",
    N_("Optional: the country's logframe, targets and actuals at each reporting date."),
    (
        Column("level", "code", N_("Level: objective, outcome or output"), "output", codes="logframe_level"),
        Column(
            "indicator",
            "code",
            N_("Logframe indicator code"),
            "mous_signed",
            codes="logframe_indicator",
            heading=N_("Logframe indicator"),
        ),
        Column("period_end", "date", N_("Reporting date (YYYY-MM-DD)"), "2013-09-30"),
        Column("target", "float", N_("Target for the reporting date"), "5", minimum=0, maximum=1e9),
        Column("actual", "float", N_("Actual at the reporting date"), "4", minimum=0, maximum=1e9, nullable=True),
        Column(
            "female_share",
            "float",
            N_("Share of women (0-100) where the indicator counts people"),
            "35",
            required=False,
            nullable=True,
            minimum=0,
            maximum=100,
        ),
        Column(
            "comment", "text", N_("Short comment"), "On track", required=False, nullable=True, max_length=COMMENT_CHARS
        ),
    ),
    key=("indicator", "period_end"),
    required=False,
    title=N_("Logframe"),
)

TABLES: dict[str, Table] = {t.name: t for t in (ENTERPRISES, TRAINING, INDICATORS, LOGFRAME)}


@cache
def _reference_rows(file_name: str) -> tuple[dict[str, str], ...]:
    with open(REFERENCE_DIR / file_name, encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def reference_rows(file_name: str) -> list[dict[str, str]]:
    """Rows of a reference CSV in data/reference (cached; the files are part of the release)."""
    return [dict(row) for row in _reference_rows(file_name)]


_CODE_FILES = {
    "sector": "sectors.csv",
    "module": "modules.csv",
    "indicator": "indicators.csv",
    "logframe_indicator": "logframe_indicators.csv",
}


def code_list(name: str) -> tuple[str, ...]:
    """Allowed values of a code list, in their display order."""
    if name == "phase":
        return PHASE_CODES
    if name == "period":
        return PERIOD_CODES
    if name == "logframe_level":
        return LOGFRAME_LEVELS
    if name == "country":
        return tuple(row["iso3"] for row in reference_rows("countries.csv"))
    key = "code"
    return tuple(row[key] for row in reference_rows(_CODE_FILES[name]))


def code_file(name: str) -> str | None:
    """The reference file of a code list that has names in EN/FR/ES (None for fixed lists such as phase)."""
    return _CODE_FILES.get(name)


def code_words(name: str) -> list[tuple[str, str]]:
    """(word, code) pairs people may write for a code of list `name`: the code, its names in every language of
    the reference file, and the synonyms in data/reference/code_synonyms.csv. For "did you mean" only: an
    upload must use the codes themselves."""
    codes = code_list(name)
    pairs = [(code, code) for code in codes]
    if name in _CODE_FILES:
        for row in reference_rows(_CODE_FILES[name]):
            pairs += [(value, row["code"]) for key, value in row.items() if key.startswith("name_") and value]
    if name == "country":  # countries.csv keys its rows by iso3, not code
        for row in reference_rows("countries.csv"):
            pairs += [(value, row["iso3"]) for key, value in row.items() if key.startswith("name_") and value]
    pairs += [(row["synonym"], row["code"]) for row in reference_rows("code_synonyms.csv") if row["list"] == name]
    return [(word, code) for word, code in pairs if code in codes]


def column_words(table: str) -> list[tuple[str, str]]:
    """(word, column) pairs people write in a header for a column of `table`, in English, French or Spanish
    ("Nombre de la empresa", "Effectif féminin"), from data/reference/column_names.csv: a row with no table holds
    for every table with that column. A word may stand for two columns of one table ("Mujeres" in training:
    managers or workers); the validator then names both and reads neither (score.ingest.names.header_meanings)."""
    columns = TABLES[table].column_names
    return [
        (row["name"], row["column"])
        for row in reference_rows("column_names.csv")
        if row["table"] in ("", table) and row["column"] in columns
    ]


def indicator_kind(code: str) -> str:
    return next(row["kind"] for row in reference_rows("indicators.csv") if row["code"] == code)


def _bound(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def contract_markdown() -> str:
    """The data section of the README, generated so it cannot drift from the validator."""
    lines: list[str] = []
    for table in TABLES.values():
        optional = "" if table.required else " (optional)"
        lines.append(f"#### `{table.name}.csv`{optional}\n\n{table.description} Key: `{', '.join(table.key)}`.\n")
        lines.append("| column | type | required | rule | example |\n|---|---|---|---|---|")
        for col in table.columns:
            rule = col.description
            if col.codes:
                rule += f" (one of: {', '.join(code_list(col.codes))})"
            if col.minimum is not None and col.dtype != "date":
                rule += f"; {_bound(col.minimum)} to {_bound(col.maximum)}"
            if col.max_length:
                rule += f"; at most {col.max_length:,} characters"
            if col.nullable:
                rule += "; may be empty"
            needed = "yes" if col.required else "no"
            lines.append(f"| `{col.name}` | {col.dtype} | {needed} | {rule} | `{col.example}` |")
        if table.checks:
            lines.append("")
        lines.extend(f"- {check}" for check in table.checks)
        lines.append("")
    return "\n".join(lines)


README_START, README_END = "<!-- contract:start -->", "<!-- contract:end -->"


def readme_with_contract(readme: str) -> str:
    """README text with the generated contract section between its markers."""
    head, _, rest = readme.partition(README_START)
    _, _, tail = rest.partition(README_END)
    return f"{head}{README_START}\n{contract_markdown()}\n{README_END}{tail}"
