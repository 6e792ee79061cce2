"""KPI tiles as data: the Tile spec and the tile sets of the pages, the deck and the strip (headline figures against
targets, women's shares, outcomes, training, workers). No Streamlit here: `score.web.components.tiles` draws them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from score import measures
from score.i18n import _, fmt_int, fmt_pct, ngettext
from score.values import Kind, format_value, missing, ordered


@dataclass(frozen=True)
class Tile:
    """One KPI tile. `value` None/NaN shows as "–" (suppressed). With `target` and `progress_pct` (the actual
    as a % of the target, from the query) the tile shows '97% of target 12,600' and a progress bar.
    `note` is a short grey line under the value instead (e.g. '41% of workers reached')."""

    label: str
    value: object
    help: str | None = None
    kind: Kind = "int"
    target: object = None
    progress_pct: object = None
    note: str | None = None
    # for the deck and the headline strip (presentation.headline_kpis), where no help can be hovered and
    # women's shares sit on the tile; the pages show those shares in tiles of their own
    printed_label: str | None = None
    women_pct: object = None

    @property
    def has_target(self) -> bool:
        return not missing(self.target) and not missing(self.progress_pct)

    @property
    def detail(self) -> str | None:
        """The grey line under the value: progress against the target, else the note."""
        if not self.has_target:
            return self.note
        return _("{pct} of target {target}", pct=fmt_pct(self.progress_pct), target=fmt_int(self.target))


def headline_tiles(
    kpis: Mapping[str, object] | pd.Series,
    targets: pd.DataFrame,
    *,
    with_targets: bool,
    participations: bool = False,
) -> list[Tile]:
    """The headline figures against targets: enterprises engaged, workers reached, people trained, modules
    (the reach row of the pages, the deck's headline slide, the headline strip). `kpis`: the row of
    overview_kpis; `targets`: overview_targets indexed by metric; progress only when `with_targets`. With
    `participations` the modules tile explains itself and counts the training participations under it."""

    def target(metric: str) -> dict[str, Any]:
        if not with_targets or metric not in targets.index:
            return {}
        return {"target": targets.loc[metric, "target"], "progress_pct": targets.loc[metric, "progress_pct"]}

    return [
        Tile(measures.label("enterprises"), kpis["enterprises"], **target("enterprises")),
        Tile(
            measures.label("workers_reached"),
            kpis["workers_reached"],
            help=measures.note("workers_reached"),
            women_pct=kpis.get("workers_female_pct"),
            **target("workers_reached"),
        ),
        Tile(
            measures.label("people_trained"),
            kpis["people_trained"],
            help=measures.note("people_trained"),
            printed_label=measures.long_label("people_trained"),
            women_pct=kpis.get("people_trained_female_pct"),
            **target("people_trained"),
        ),
        Tile(
            measures.label("module_completions"),
            kpis["module_completions"],
            help=measures.note("module_completions") if participations else None,
            note=ngettext("{n} training participation", "{n} training participations", kpis["participations"])
            if participations
            else None,
        ),
    ]


def training_tiles(kpis: Mapping[str, object] | pd.Series) -> list[Tile]:
    """The Training page's headline row: modules, people trained, participations, consultation visits."""
    return [
        Tile(
            measures.label("module_completions"),
            kpis["module_completions"],
            help=measures.note("module_completions"),
        ),
        Tile(
            measures.long_label("people_trained"),
            kpis["people_trained"],
            help=_(
                "Per enterprise, role and sex, the largest classroom group across its modules: someone in two "
                "modules is counted once (a conservative estimate)."
            ),
        ),
        Tile(
            measures.label("participations"),
            kpis["participations"],
            help=measures.note("participations"),
        ),
        Tile(measures.label("consultation_visits"), kpis["consultation_visits"]),
    ]


def workers_tiles(kpis: Mapping[str, object] | pd.Series) -> list[Tile]:
    """The Enterprises page's headline row: enterprises, workers reached, women and men among them."""
    return [
        Tile(measures.label("enterprises"), kpis["enterprises"]),
        Tile(
            measures.label("workers_reached"),
            kpis["workers_reached"],
            help=measures.note("workers_reached"),
        ),
        Tile(
            _("Women among workers reached"),
            kpis["workers_female"],
            note=_("{pct} of workers reached", pct=format_value(kpis["workers_female_pct"], "pct")),
        ),
        Tile(_("Men among workers reached"), kpis["workers_male"]),
    ]


def women_share_tiles(kpis: Mapping[str, object] | pd.Series) -> list[Tile]:
    """Women's shares of the workers reached and of the people trained, with the number of women under each."""
    shares = (
        (
            _("Women's share of workers reached"),
            "workers",
            _("Women among the workers of the participating enterprises when they joined."),
        ),
        (
            _("Women's share of people trained"),
            "people_trained",
            _("Women among the people trained (distinct estimate), managers and workers."),
        ),
    )
    return [
        Tile(
            label,
            kpis[f"{measure}_female_pct"],
            kind="pct",
            help=help_,
            note=ngettext("{n} woman", "{n} women", kpis[f"{measure}_female"]),
        )
        for label, measure, help_ in shares
    ]


def outcome_tiles(shares: pd.DataFrame, changes: pd.DataFrame, labels: Mapping[str, str]) -> list[Tile]:
    """Outcomes at follow-up as tiles: the share answering yes per indicator (outcome_shares, in `labels`
    order), then the change in accidents and absenteeism (outcome_changes indexed by indicator), with n."""
    tiles = [
        Tile(labels[item.indicator], item.share_pct, kind="pct", note=_("n = {n}", n=format_value(item.n_enterprises)))
        for item in ordered(shares, "indicator", list(labels)).itertuples()
    ]
    for code in ("accidents", "absenteeism"):
        item = changes.loc[code]
        tiles.append(
            Tile(
                labels[code],
                item["change_pct"],
                kind="signed_pct",
                help=_("Summed follow-up against summed baseline, over the enterprises with both."),
                note=_("n = {n}", n=format_value(item["n_enterprises"])),
            )
        )
    return tiles
