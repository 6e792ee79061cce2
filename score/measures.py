"""The programme's reach measures, each named once: its code (the query column), its label and unit, the kind of
number, the queries that hold it, its target and the note on how it is counted. Tiles, the map, the Upload
page's preview and the deck read them from here, so a measure is called the same everywhere.

The numbers themselves are defined in SQL (score/sql/schema.sql); this module only names them. Labels are marked
with N_ and translated where shown (`label`, `long_label`, `note`).
"""

from __future__ import annotations

from dataclasses import dataclass

from score.i18n import N_, _
from score.values import Kind


@dataclass(frozen=True)
class Measure:
    code: str  # the column in the queries that hold it
    label: str  # N_-marked; the tile's title
    unit: str  # N_-marked; what one of it is (enterprises, workers, people ...)
    kind: Kind = "int"
    query: str = "overview_kpis"  # the whole programme under the filters
    by_country: str | None = "country_totals"  # one row per country (the map, the country comparison)
    target: str | None = None  # the metric in overview_targets, when the programme set one
    note: str | None = None  # N_-marked; how it is counted (a tile's help, the deck's method notes)
    long_label: str | None = None  # N_-marked; the label with its qualifier, where no help can be hovered


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "enterprises",
            N_("Enterprises engaged"),
            N_("enterprises"),
            target="enterprises",
        ),
        Measure(
            "workers_reached",
            N_("Workers reached"),
            N_("workers"),
            target="workers_reached",
            note=N_("Headcount of participating enterprises when they joined."),
        ),
        Measure(
            "people_trained",
            N_("People trained"),
            N_("people"),
            target="people_trained",
            note=N_(
                "Conservative distinct estimate: per enterprise, role and sex, the largest group across its modules."
            ),
            long_label=N_("People trained (distinct estimate)"),
        ),
        Measure(
            "module_completions",
            N_("Modules delivered"),
            N_("modules"),
            by_country=None,
            note=N_("One per enterprise and module: classroom training plus in-factory consultations."),
        ),
        Measure(
            "participations",
            N_("Training participations"),
            N_("participations"),
            by_country=None,
            note=N_("Everyone in every classroom: a person in two modules counts twice."),
        ),
        Measure("consultation_visits", N_("Consultation visits"), N_("visits"), by_country=None),
    )
}
HEADLINE = ("enterprises", "workers_reached", "people_trained", "module_completions")  # the reach row


def label(code: str) -> str:
    """The measure's name in the current language."""
    return _(MEASURES[code].label)


def long_label(code: str) -> str:
    """The name with its qualifier ("People trained (distinct estimate)"), for a map legend, a slide, a
    printed tile: places where the note cannot be hovered."""
    measure = MEASURES[code]
    return _(measure.long_label or measure.label)


def note(code: str) -> str | None:
    """How the measure is counted, in the current language (None when its name says it all)."""
    text = MEASURES[code].note
    return _(text) if text else None
