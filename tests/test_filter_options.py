"""The sidebar's filters follow each other: each offers only the values with enterprises under the other filters
(counted as tests/oracle.py counts them), the public is offered no value of fewer than 5 enterprises, names sort
as a reader of the language expects, and an empty view names the filter that emptied it."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from score import db, filter_options
from score.access import Scope
from score.filter_options import empty_reason, options, sort_key, without
from score.filters import Filters, from_query_params
from score.i18n import set_language
from tests.query_cases import oracle_filters

FACET_COLUMNS = {
    "country": "country",
    "province": "province",
    "sector": "sector",
    "phase": "phase",
    "partner": "partner",
}


def _run(scope: Scope):
    def run(chosen: Filters, params):
        return db.run_query("filter_options", scope, chosen, **params)

    return run


def _oracle_counts(raw, facet: str, chosen: Filters) -> Counter:
    ids = raw.enterprise_ids(**oracle_filters(chosen))
    if facet == "module":
        return Counter(m for e, m in {(t["enterprise_id"], t["module"]) for t in raw.training} if e in ids)
    return Counter(e[FACET_COLUMNS[facet]] for e in raw.enterprises if e["enterprise_id"] in ids)


@pytest.mark.parametrize(
    "chosen",
    [
        Filters(),
        Filters(countries=("COL",)),
        Filters(provinces=("Antioquia",), sectors=("garments",)),
        Filters(countries=("GHA", "ZAF"), modules=("OSH",), year_from=2012, year_to=2016),
        Filters(countries=("COL", "PER"), modules=("OSH", "QM")),  # two modules: counted from the enterprises
    ],
    ids=lambda f: str(f.to_query_params()) or "all",
)
@pytest.mark.parametrize("facet", ["country", "province", "sector", "phase", "partner", "module"])
def test_each_filters_options_are_the_values_with_enterprises_under_the_others(raw, facet, chosen) -> None:
    field = f"{facet}s" if facet != "country" else "countries"
    others = without(chosen, field)  # as the sidebar asks one field at a time
    every = db.run_query("filter_options", Scope.hq("t"), others, **filter_options.ONE_FIELD)
    got = every[every["field"] == field]
    assert dict(zip(got["value"], got["enterprises"], strict=True)) == dict(_oracle_counts(raw, facet, others))
    under, params = filter_options.query_arguments(chosen)  # every field in one run, each without its own filter
    together = db.run_query("filter_options", Scope.hq("t"), under, **params)
    got = together[together["field"] == field]
    assert dict(zip(got["value"], got["enterprises"], strict=True)) == dict(_oracle_counts(raw, facet, others))


@pytest.mark.parametrize(
    "chosen",
    [
        Filters(countries=("COL",), year_from=2011),
        Filters(regions=("Asia",), sectors=("garments",)),
        Filters(countries=("COL", "GHA"), regions=("Latin America",), phases=("II",)),
        Filters(countries=("GHA",), sectors=("garments",)),  # small partner cells: hidden from the public
        Filters(countries=("PER", "COL"), modules=("OSH", "QM")),
        Filters(countries=("ZAF",), regions=("Asia",)),  # nothing under both
    ],
    ids=lambda f: str(f.to_query_params()),
)
@pytest.mark.parametrize("viewer", ["public", "hq", "colombian staff"])
def test_one_run_offers_what_a_run_per_filter_offers(monkeypatch, viewer, chosen) -> None:
    scope = {"public": Scope.public(), "hq": Scope.hq("t"), "colombian staff": Scope.country("c", {"COL"})}[viewer]
    runs: list[Filters] = []

    def run(under: Filters, params):
        runs.append(under)
        return db.run_query("filter_options", scope, under, **params)

    together = filter_options.one_run(scope, chosen)
    offered = options(run, chosen, scope)
    asked = len(runs)
    monkeypatch.setattr(filter_options, "one_run", lambda scope, filters: False)
    assert options(run, chosen, scope) == offered
    assert asked == 1 if together else asked == len(runs) - asked


def test_country_staff_with_their_own_country_chosen_are_asked_one_filter_at_a_time() -> None:
    """Their figures are exact over their own country and protected over the others' (the countries' own list):
    one run cannot be both."""
    colombian = Scope.country("c", {"COL"})
    assert not filter_options.one_run(colombian, Filters(countries=("COL",), sectors=("garments",)))
    assert filter_options.one_run(colombian, Filters(sectors=("garments",)))
    assert filter_options.one_run(colombian, Filters(countries=("GHA",)))
    assert filter_options.one_run(Scope.public(), Filters(countries=("COL",), sectors=("garments",)))
    assert filter_options.one_run(Scope.hq("t"), Filters(countries=("COL",), sectors=("garments",)))


def test_a_country_narrows_region_province_partner_and_phase(raw) -> None:
    offered = options(_run(Scope.hq("t")), Filters(countries=("COL",)), Scope.hq("t"))
    colombian = [e for e in raw.enterprises if e["country"] == "COL"]
    assert offered.values["regions"] == ["Latin America"]
    assert set(offered.values["provinces"]) == {e["province"] for e in colombian}
    assert set(offered.values["partners"]) == {e["partner"] for e in colombian}
    assert set(offered.values["phases"]) == {e["phase"] for e in colombian}
    assert "ACFTU" not in offered.values["partners"]  # a Chinese partner
    assert set(offered.province_countries.values()) == {"COL"}
    # the country list itself is not narrowed by the country filter (another country can be added)
    assert len(offered.values["countries"]) == len({e["country"] for e in raw.enterprises})


def test_a_region_narrows_the_countries(raw) -> None:
    offered = options(_run(Scope.hq("t")), Filters(regions=("Africa",)), Scope.hq("t"))
    assert set(offered.values["countries"]) == {"GHA", "ZAF"}


def test_phases_without_enterprises_are_not_offered(raw) -> None:
    offered = options(_run(Scope.hq("t")), Filters(), Scope.hq("t"))
    assert set(offered.values["phases"]) == {e["phase"] for e in raw.enterprises}
    assert "IV" not in offered.values["phases"] and "V" not in offered.values["phases"]


def test_chosen_values_stay_offered_even_without_enterprises() -> None:
    chosen = Filters(countries=("COL",), partners=("ACFTU",))
    offered = options(_run(Scope.hq("t")), chosen, Scope.hq("t"))
    assert offered.values["partners"][0] == "ACFTU"


def test_the_public_is_offered_no_value_of_fewer_than_five_enterprises(raw) -> None:
    chosen = Filters(countries=("GHA",), sectors=("garments",))
    offered = options(_run(Scope.public()), chosen, Scope.public())
    exact = _oracle_counts(raw, "partner", without(chosen, "partners"))
    small = {partner for partner, n in exact.items() if n < 5}
    assert small, "the demo data should have a small partner cell here"
    assert not small & set(offered.values["partners"])
    hq = options(_run(Scope.hq("t")), chosen, Scope.hq("t"))
    assert small <= set(hq.values["partners"])


def test_phases_show_the_years_of_their_funding() -> None:
    set_language("en")
    years = filter_options.phase_years(["COL"])
    first, last = years["II"]
    assert first < last
    assert filter_options.phase_label("II", years) == f"II ({first}–{last})"


@pytest.mark.parametrize(
    ("language", "names", "expected"),
    [
        ("en", ["Indonesia", "India", "Ghana"], ["Ghana", "India", "Indonesia"]),
        ("es", ["Sudáfrica", "Perú", "Viet Nam", "Bolivia"], ["Bolivia", "Perú", "Sudáfrica", "Viet Nam"]),
        ("es", ["Ñuble", "Nariño", "Oaxaca"], ["Nariño", "Ñuble", "Oaxaca"]),
        (
            "fr",
            ["Égypte", "Équateur", "Espagne", "Afrique du Sud"],
            ["Afrique du Sud", "Égypte", "Équateur", "Espagne"],
        ),
    ],
)
def test_names_sort_as_a_reader_of_the_language_expects(language, names, expected) -> None:
    assert sorted(names, key=lambda name: sort_key(name, language)) == expected


def test_an_empty_view_names_the_filter_that_emptied_it() -> None:
    set_language("en")
    link = {"countries": "COL", "regions": "Africa", "sectors": "garments", "partners": "ACFTU", "modules": "WC"}
    chosen = from_query_params(link, ["ACFTU", "SENA"])

    def count(f: Filters) -> int | None:
        return int(db.run_query("overview_kpis", Scope.hq("t"), f).iloc[0]["enterprises"])

    reason = empty_reason(count, chosen)
    assert reason is not None and reason.field == "regions" and reason.values == ("Africa",)
    assert reason.within == Filters(countries=("COL",))
    message = filter_options.empty_message(reason, lambda field, values: ", ".join(values))
    assert message == "No enterprises: World region Africa has none in COL."


def test_an_empty_view_for_the_public_does_not_tell_zero_from_a_few() -> None:
    set_language("en")
    reason = empty_reason(lambda f: None if f.partners else 100, Filters(countries=("COL",), partners=("SENA",)))
    assert reason is not None and reason.hidden and reason.field == "partners"
    assert "fewer than 5 (possibly none)" in filter_options.empty_message(reason, lambda f, v: ", ".join(v))


def test_no_reason_when_the_view_has_enterprises() -> None:
    assert empty_reason(lambda f: 12, Filters(countries=("COL",))) is None


@pytest.mark.parametrize("typed", ["antioquia", "MEDELLIN", "Medellín"])
def test_the_enterprise_search_finds_a_province_or_a_city_whatever_the_case_and_accents(raw, typed) -> None:
    def plain(text: str) -> str:
        return text.casefold().replace("í", "i")

    expected = {
        e["enterprise_id"]
        for e in raw.enterprises
        if plain(typed) in plain(e["province"]) or plain(typed) in plain(e["city"])
    }
    found = db.run_query("enterprise_list", Scope.hq("t"), Filters(), search=typed, limit=None)
    assert expected and set(found["enterprise_id"]) == expected


@pytest.mark.parametrize(
    "chosen",
    [
        Filters(countries=("COL",), year_from=2011),
        Filters(regions=("Asia",), sectors=("garments",)),
        Filters(countries=("GHA",), sectors=("garments",), phases=("II",)),  # a small cell: hidden from the public
        Filters(countries=("PER", "COL"), modules=("OSH", "QM")),
        Filters(countries=("ZAF",), regions=("Asia",)),  # nothing under both
        Filters(countries=("COL",), partners=("ACFTU",)),  # a Chinese partner: nothing
        Filters(year_from=2030),
    ],
    ids=lambda f: str(f.to_query_params()),
)
@pytest.mark.parametrize("viewer", ["public", "hq", "colombian staff"])
def test_the_options_say_a_view_has_enterprises_only_when_its_headline_count_does(viewer, chosen) -> None:
    """The empty-view notice trusts the options when they show enterprises under every chosen filter."""
    scope = {"public": Scope.public(), "hq": Scope.hq("t"), "colombian staff": Scope.country("c", {"COL"})}[viewer]
    offered = options(_run(scope), chosen, scope)
    counted = db.run_query("overview_kpis", scope, chosen).iloc[0]["enterprises"]
    if offered.has_enterprises:
        assert not pd.isna(counted) and counted > 0
    if not pd.isna(counted) and counted >= 5:  # so the shortcut is taken wherever a view is plainly not empty
        assert offered.has_enterprises


@pytest.mark.parametrize(
    "chosen",
    [
        Filters(),
        Filters(phases=("I",)),  # Bolivia joined in phase II: absent, never a first country
        Filters(countries=("COL", "IDN"), sectors=("garments", "food_beverages"), year_from=2009),
        Filters(regions=("Asia",), year_from=2012),
        Filters(sectors=("tourism_hospitality",)),  # small cells: hidden from the public
        Filters(countries=("BOL", "PER"), modules=("HR",), year_from=2016),
        Filters(provinces=("Lima",), modules=("OSH", "QM")),  # two modules: counted, not read from groups
        Filters(countries=("ZAF",), regions=("Asia",)),  # nothing under both
    ],
    ids=lambda f: str(f.to_query_params()),
)
@pytest.mark.parametrize("viewer", ["public", "hq", "colombian staff"])
def test_the_options_count_each_countrys_enterprises_as_country_comparison_does(demo_data_dir, viewer, chosen) -> None:
    """The country profile opens on the largest country read from the sidebar's counts (no statement of its own):
    where one run answers the options, their countries' rows are country_comparison's enterprises, protected alike."""
    scope = {"public": Scope.public(), "hq": Scope.hq("t"), "colombian staff": Scope.country("c", {"COL"})}[viewer]
    assert filter_options.one_run(scope, chosen)
    under, params = filter_options.query_arguments(chosen)
    counts = db.run_query("filter_options", scope, under, **params)
    read = filter_options.enterprises_by_country(counts, chosen.countries_within(scope.aggregate_countries))
    compared = db.run_query("country_comparison", scope, chosen)

    def shown(frame: pd.DataFrame) -> dict[str, float]:
        numbers = pd.to_numeric(frame["enterprises"], errors="coerce")
        return {c: n for c, n in zip(frame["country"], numbers, strict=True) if pd.notna(n) and n > 0}

    assert shown(read) == shown(compared)
