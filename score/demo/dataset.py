"""The whole demo set in memory: enterprises, their training and indicators, logframes, targets, funding."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from score import config
from score.demo.enterprises import Enterprise, assign_teams, assign_workforce, load_polygons, make_enterprises
from score.demo.outcomes import make_indicators, make_training
from score.demo.programme import make_funding, make_logframe, make_targets
from score.demo.spec import COHORTS, COUNTRIES, DEFAULT_SEED, read_reference


@dataclass
class DemoData:
    enterprises: list[Enterprise]
    training: list[dict[str, object]]
    indicators: list[dict[str, object]]
    logframe: dict[str, list[dict[str, object]]]
    targets: list[dict[str, object]]
    funding: list[dict[str, object]]


def build(seed: int = DEFAULT_SEED, reference_dir: Path = config.REFERENCE_DIR) -> DemoData:
    """The whole demo set in memory (no files written)."""
    polygons = load_polygons(reference_dir)
    module_codes = [r["code"] for r in read_reference(reference_dir, "modules.csv") if r.get("core", "1") == "1"]
    logframe_indicators = read_reference(reference_dir, "logframe_indicators.csv")

    enterprises = make_enterprises(seed, polygons)
    assign_workforce(seed, enterprises)
    training: list[dict[str, object]] = []
    indicators: list[dict[str, object]] = []
    for phase in sorted({c.phase for c in COHORTS}):
        group = [e for e in enterprises if e.phase == phase]
        assign_teams(seed, group, phase)
        training.extend(make_training(seed, group, phase, module_codes))
        indicators.extend(make_indicators(seed, group, phase))
    logframe = {spec.iso3: make_logframe(seed, spec.iso3, logframe_indicators) for spec in COUNTRIES}
    return DemoData(
        enterprises, training, indicators, logframe, make_targets(seed, enterprises), make_funding(enterprises)
    )
