"""Hostile input in every URL parameter, in the sign-in form and in the choices a browser sends: rejected or
treated as data, never an exception, and the database file is byte-for-byte unchanged afterwards."""

from __future__ import annotations

import hashlib
import re
import string
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from score import auth, db, filters
from score.access import Scope
from score.filters import Filters
from tests.apptest import OVERVIEW, app, no_exception, open_page, open_sign_in_box

REPO = Path(__file__).resolve().parent.parent

NASTY = [
    "'",
    '"',
    "`",
    ";",
    "--",
    "' OR 1=1 --",
    "COL' OR '1'='1",
    "COL'; DROP TABLE enterprise; --",
    "1; DELETE FROM enterprise",
    "' UNION SELECT name, latitude, longitude FROM enterprise --",
    "COL UNION SELECT * FROM enterprise",
    "$countries",
    "?",
    "%s",
    "{countries}",
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "file:///etc/passwd",
    "A" * 100_000,
    "COL," * 20_000,
    "COL\x00",
    "\x00' OR 1=1",
    "ＣＯＬ",  # full-width look-alike
    "CΟL",  # Greek capital omicron
    "C\u200bOL",  # zero-width space
    "\u202eLOC",  # right-to-left override
    "COL\u202e",
    "🇨🇴",
    "💥' OR 1=1 --",
    "<script>alert(1)</script>",
    "[click me](https://example.org)",
    "**bold** _x_ `code`",
    "\r\nSet-Cookie: x=1",
    "2013' OR '1'='1",
    "-1",
    "99999999999999999999",
    "2013.5",
    "٢٠١٣",  # Arabic-Indic digits
    "",
    " ",
]
# One hostile value of each kind, for the tests that run the whole app once per value (an AppTest run each, ~1 s of
# CPU): make test runs these, make test-full the rest of NASTY as well (the `exhaustive` half of each such test).
NASTY_KINDS = [
    "'",
    "COL'; DROP TABLE enterprise; --",
    "' UNION SELECT name, latitude, longitude FROM enterprise --",
    "{countries}",
    "../../etc/passwd",
    "A" * 100_000,
    "COL," * 20_000,
    "\x00' OR 1=1",
    "ＣＯＬ",
    "\u202eLOC",
    "💥' OR 1=1 --",
    "<script>alert(1)</script>",
    "[click me](https://example.org)",
    "\r\nSet-Cookie: x=1",
    "99999999999999999999",
    "٢٠١٣",
    "",
]
assert set(NASTY_KINDS) <= set(NASTY)  # the two halves together are NASTY
NASTY_REST = [value for value in NASTY if value not in NASTY_KINDS]
NASTY_HALVES = [
    pytest.param(NASTY_KINDS, id="one-of-each-kind"),
    pytest.param(NASTY_REST, id="the-rest", marks=pytest.mark.exhaustive),
]
URL_KEYS = [*filters.LIST_FIELDS, "year_from", "year_to"]
# Every filter macro and access level, without running all queries for every hostile value.
REPRESENTATIVE_QUERIES = ["overview_kpis", "enterprise_list", "enterprises_country_sector", "outcome_changes"]
QUERY_PARAMS = {"enterprise_list": {"search": None, "limit": None}}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def guarded_database(demo_data_dir: Path):
    """The resolved database version file; its bytes (and the versions folder) must not change."""
    path = db.current_path()
    before = (_sha256(path), sorted(p.name for p in path.parent.iterdir()), path.stat().st_mtime_ns)
    yield path
    db.close_all()
    after = (_sha256(path), sorted(p.name for p in path.parent.iterdir()), path.stat().st_mtime_ns)
    assert after == before, "the database changed"
    assert db.current_path() == path


def _partners(database: Path) -> list[str]:
    return db.run_query("partners", Scope.nothing())["partner"].tolist()


def _all_known(value: str, codes: tuple[str, ...]) -> bool:
    known = {c.casefold() for c in codes}
    return all(part.strip().casefold() in known for part in value.split(",") if part.strip())


def _check_filters(result: Filters, partners: list[str]) -> None:
    codes = filters.known_codes(partners)
    for name in filters.LIST_FIELDS:
        assert set(getattr(result, name)) <= set(codes[name]), name
    assert filters.YEAR_MIN <= result.year_from <= result.year_to <= filters.YEAR_MAX
    assert len(result.notices) <= filters.MAX_NOTICES + 1
    for notice in result.notices:
        assert len(notice) < 80
        assert not set(notice) & set("<>[]()`*'\";\\\x00\u202e\u200b\r\n")


@pytest.mark.parametrize("key", URL_KEYS)
def test_url_parameters_reject_or_treat_as_data(guarded_database: Path, key: str) -> None:
    partners = _partners(guarded_database)
    seen: set[Filters] = set()
    for value in NASTY:
        for raw in (value, [value], [value, "COL"], ["GHA", value, value]):
            result = filters.from_query_params({key: raw}, partners)
            _check_filters(result, partners)
            if key in filters.LIST_FIELDS and not _all_known(value, filters.known_codes(partners)[key]):
                assert result.notices, (key, value[:40])
            # Whatever survived validation is passed as a parameter, never formatted into SQL.
            if result not in seen:
                seen.add(result)
                for scope in (Scope.public(), Scope.hq("x")):
                    assert len(db.run_query("overview_kpis", scope, result)) == 1


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*URL_KEYS, "unknown", "page", ""]),
        st.one_of(st.text(max_size=200), st.lists(st.text(max_size=50), max_size=5), st.none(), st.integers()),
        max_size=6,
    )
)
def test_any_url_parameters_give_valid_filters(params: dict) -> None:
    _check_filters(filters.from_query_params(params, ["ANDI", "CUT"]), ["ANDI", "CUT"])


def test_unvalidated_filter_values_are_only_data(guarded_database: Path) -> None:
    """Even if a value slipped past validation, DuckDB gets it as a parameter: it matches nothing."""
    for value in NASTY:
        hostile = Filters(countries=(value,), sectors=(value,), phases=(value,), partners=(value,), modules=(value,))
        for scope in (Scope.public(), Scope.hq("x")):
            for name in REPRESENTATIVE_QUERIES:
                query = db.load_query(name)
                frame = db.run_query(name, scope, hostile, **QUERY_PARAMS.get(name, {}))
                if query.suppress_count:
                    assert (frame[query.suppress_count].fillna(0) == 0).all(), (name, value[:30])
                elif query.access == "detail":
                    assert frame.empty
        partners_only = Filters(partners=(value,))
        kpis = db.run_query("overview_kpis", Scope.hq("x"), partners_only)
        assert kpis.iloc[0]["enterprises"] == 0


def test_extra_query_parameters_are_only_data(guarded_database: Path) -> None:
    for name in db.query_names():
        extra = db.load_query(name).params - set(db.FILTER_PARAMS)
        text_params = [p for p in extra if p in ("indicator",)]
        for param, value in ((p, v) for p in text_params for v in NASTY):
            frame = db.run_query(name, Scope.hq("x"), **{param: value})
            assert frame.empty or frame.select_dtypes("number").fillna(0).eq(0).all().all(), (name, value[:30])


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "../../etc/passwd",
        "..",
        "/etc/passwd",
        "overview_kpis/../data_status",
        "overview_kpis.sql",
        "overview_kpis; DROP TABLE enterprise",
        "overview_kpis\x00",
        "overview_kpis\n",
        "OVERVIEW_KPIS",
        "ｏverview_kpis",
        "",
        "x" * 100_000,
        "overview kpis",
        "no_such_query",
    ],
    ids=lambda name: repr(name)[:30],
)
def test_query_names_cannot_escape(guarded_database: Path, name: str) -> None:
    with pytest.raises(ValueError):
        db.load_query(name)
    with pytest.raises(ValueError):
        db.run_query(name, Scope.hq("x"))


def test_connection_is_read_only(guarded_database: Path) -> None:
    cursor = db.connection().cursor()
    try:
        for statement in (
            "CREATE TABLE pwned (x INTEGER)",
            "DELETE FROM enterprise",
            "UPDATE enterprise SET name = 'x'",
            "DROP TABLE enterprise",
        ):
            with pytest.raises(duckdb.Error):
                cursor.execute(statement)
    finally:
        cursor.close()


# ---------------------------------------------------------------------------------------------- the app


def _app():
    return app()


@pytest.mark.slow
@pytest.mark.parametrize("hostile", NASTY_HALVES)
def test_app_with_hostile_url_parameters(guarded_database: Path, hostile: list[str]) -> None:
    from score.web import ui

    partners = _partners(guarded_database)
    # One run per hostile value, every URL key at once (plus keys the app does not know).
    for value in hostile:
        at = _app()
        for key in [*URL_KEYS, "unknown", "page"]:
            at.query_params[key] = value
        at.run()
        assert not at.exception, (value[:40], at.exception)
        chosen = at.session_state[ui.FILTERS_KEY]
        _check_filters(chosen, partners)
        for info in at.info:
            assert "<script>" not in info.value and "](" not in info.value
        assert at.session_state[ui.SCOPE_KEY] == Scope.public()


@pytest.mark.slow
@pytest.mark.parametrize("hostile", NASTY_HALVES)
def test_sign_in_form_with_hostile_input(
    guarded_database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_override, hostile: list[str]
) -> None:
    from score import audit, sessions
    from score.web import ui

    settings_override(users_file=tmp_path / "users.json")
    monkeypatch.setattr(audit.config, "audit_log_file", lambda: tmp_path / "audit.log")
    auth.add_user("maria", "correct horse battery staple", "hq")
    users_before = (tmp_path / "users.json").read_bytes()
    values = [v for v in hostile if v.strip()] + ["maria' --", "maria\x00", "maria' OR '1'='1", "maria\u200b"]
    right = "correct horse battery staple"
    attempts = [(v, v) for v in values] + [("maria", v) for v in values[::5]] + [(v, right) for v in values[::4]]
    at = _app().run()
    for n, (username, password) in enumerate(attempts):
        if n % 3 == 0:
            # This test is about input, not throttling: fresh counters every third attempt.
            monkeypatch.setattr(sessions, "store_path", lambda n=n: tmp_path / f"auth-{n}.sqlite3")
        value = username if password == right else password
        # Not cut to the boxes' max_chars: a hostile client is not bound by the browser's limits.
        open_sign_in_box(at)
        at.sidebar.text_input(key="score_signin_user").input(username)
        at.sidebar.text_input(key="score_signin_password").input(password)
        next(b for b in at.sidebar.button if b.label == "Sign in").click()
        at._finished_page_script_hash = ""  # see tests/test_auth.py rerun(): keeps the sidebar in at.*
        at.run()
        assert not at.exception, (value[:40], at.exception)
        assert at.session_state[ui.SCOPE_KEY] == Scope.public(), value[:40]
    assert (tmp_path / "users.json").read_bytes() == users_before
    log = (tmp_path / "audit.log").read_text(encoding="utf-8")
    assert "correct horse battery staple" not in log
    assert all(len(line) < 2_000 for line in log.splitlines())
    # Unicode look-alikes of a user name never match it.
    for twin in ("ｍaria", "mаria", "maria\u200b", "\u202emaria"):
        assert auth.verify(twin, "correct horse battery staple") is None
    assert auth.verify("MARIA", "correct horse battery staple") is not None  # plain case-folding only


def test_normalise_username_rejects_tricks() -> None:
    for value in [*NASTY, "ｍaria", "mаria", "maria\u200b", "a" * 255, None, 42, b"maria"]:
        name = auth.normalise_username(value)
        assert name is None or set(name) <= set(string.ascii_lowercase + string.digits + "._+-@"), repr(value)[:40]


# remark-gfm's autolink literal patterns (mdast-util-gfm-autolink-literal): what Streamlit's Markdown links after
# parsing, whatever the backslash escapes.
GFM_AUTOLINKS = (
    re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE),
    re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)"),
)


@pytest.mark.parametrize(
    "typed",
    [
        '<a href="https://evil.example/login">Partner</a>',
        "[Partner](https://evil.example/login) ![p](https://evil.example/pixel.png)",
        "see www.evil.example or HTTP://EVIL.EXAMPLE",
        "write to boss@evil.example",
    ],
)
def test_uploaded_text_in_markdown_reads_as_typed_and_links_nothing(typed: str) -> None:
    from score.values import WORD_JOINER, markdown_text

    shown = markdown_text(typed)
    unescaped = re.sub(r"\\(.)", r"\1", shown)  # what Markdown makes of the escapes
    assert unescaped.replace(WORD_JOINER, "") == typed  # reads as typed
    assert not any(pattern.search(unescaped) for pattern in GFM_AUTOLINKS), unescaped
    assert not re.search(r"(?<!\\)[\[\]()!<>*_`]", shown)  # no Markdown or HTML syntax left unescaped


@pytest.mark.parametrize("typed", [*NASTY, '<img src=x onerror="alert(1)">', "</td></tr></table><script>x()</script>"])
def test_uploaded_text_in_a_chart_data_table_is_text_never_markup(typed: str) -> None:
    import html.parser

    from score.web.components.text import table_markup

    class Read(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: set[str] = set()
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.tags.add(tag)

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    read = Read()
    read.feed(table_markup(["Partner", typed], [[typed, "1,234"]]))
    assert read.tags <= {"div", "table", "thead", "tbody", "tr", "th", "td"}, read.tags
    assert read.text == [text for text in ("Partner", typed, typed, "1,234") if text]  # an empty cell has no text


@pytest.mark.parametrize(
    "typed", [*NASTY, '<img src=x onerror="alert(1)">', '" onmouseover="x()', "</div><script>x()</script>"]
)
def test_text_in_a_kpi_tile_is_text_never_markup(typed: str) -> None:
    """A tile's label, help and grey line are escaped text in the row's HTML (st.html): no tag or attribute of
    its own, and the tile reads back as typed."""
    import html.parser

    from score.tiles import Tile
    from score.web.components.tiles import ShownTile, read_tiles, tiles_markup

    class Read(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: set[str] = set()
            self.attrs: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.tags.add(tag)
            self.attrs |= {name for name, _value in attrs}

    markup = tiles_markup(
        [Tile(typed or "x", 1234, help=typed or None, target=2000, progress_pct=61.7), Tile("Plain", None, note=typed)]
    )
    read = Read()
    read.feed(markup)
    assert read.tags <= {"div", "span", "button"}, read.tags
    assert read.attrs <= {"class", "style", "data-score-tiles", "data-testid", "role", "id", "type"} | {
        f"aria-{name}" for name in ("label", "describedby", "valuemin", "valuemax", "valuenow", "valuetext")
    }, read.attrs
    assert read_tiles(markup) == [
        ShownTile(typed or "x", "1,234", "62% of target 2,000", 62.0),
        ShownTile("Plain", "–", typed, None),
    ]


def test_a_rejected_year_from_a_link_is_echoed_as_typed_not_as_a_python_list() -> None:
    # What Streamlit hands over for ?year_from=abc&year_to=2O12: a list per key (every value of a repeated key).
    result = filters.from_query_params({"year_from": ["abc"], "year_to": ["2O12"]})
    assert result.notices == ("year_from=abc", "year_to=2O12")


def test_a_partner_named_with_a_comma_survives_a_link_and_the_sidebar() -> None:
    # Viet Nam's ministry is "Ministry of Labour, Invalids and Social Affairs": one partner, not two unknown ones
    # (the sidebar's picks go through from_query_params too, so it was dropped the moment it was chosen).
    molisa = "Ministry of Labour, Invalids and Social Affairs"
    partners = [molisa, "VCCI"]
    chosen = filters.Filters(partners=(molisa, "VCCI"), provinces=("Bac Ninh, Viet Nam",))
    back = filters.from_query_params(chosen.to_query_params(), partners, ["Bac Ninh, Viet Nam"])
    assert (back.partners, back.provinces, back.notices) == (chosen.partners, chosen.provinces, ())
    typed = filters.from_query_params({"partners": "vcci,ANDI"}, partners)  # a hand-typed list still splits
    assert (typed.partners, typed.notices) == (("VCCI",), ("partners=ANDI",))


def test_a_link_s_years_are_kept_within_the_data_s() -> None:
    inside = filters.within_years(Filters(year_from=2012, year_to=2030), 2009, 2020)
    assert (inside.year_from, inside.year_to, inside.notices) == (2012, 2020, ())
    none_after = filters.within_years(Filters(year_from=2025, year_to=2030), 2009, 2020)
    assert (none_after.year_from, none_after.year_to, none_after.notices) == (2009, 2020, ("year_from=2025",))
    none_before = filters.within_years(Filters(year_to=2006, notices=("x=1",)), 2009, 2020)
    assert (none_before.year_from, none_before.year_to, none_before.notices) == (2009, 2020, ("x=1", "year_to=2006"))


def _forge(widget: object, value: str) -> None:
    """Make the next run send `value` for this choice widget, as a browser's own message can: any text, among the
    widget's options or not (AppTest itself only sends options)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState()
    state.id = widget.id  # type: ignore[attr-defined]
    if widget.type in ("multiselect", "button_group"):  # type: ignore[attr-defined]
        state.string_array_value.data[:] = [value]
    else:
        state.string_value = value
    widget.__class__ = type("Forged", (type(widget),), {"_widget_state": property(lambda self: state)})


def test_a_choice_forged_over_the_websocket_is_refused_not_a_crash(guarded_database: Path) -> None:
    """Streamlit 1.67 takes any value a browser's message names for a multiselect, formats it with the widget's
    format_func before checking it against the options, and drops it after: a format_func answering None for a code
    it does not know (`names.get`) failed the run ("bad argument type") for a public script's forged message. Now
    the forged value is dropped and the page runs. (A select box and a segmented control given "ZZZ" held before.)"""
    page, kind, key = OVERVIEW, "multiselect", "f_countries"

    def choice() -> object:
        return next(w for w in at._tree if getattr(w, "type", None) == kind and getattr(w, "key", None) == key)

    at = open_page(page)  # the public: a script needs no account
    _forge(choice(), "ZZZ")
    no_exception(at.run(), page, key)
    assert "ZZZ" not in str(choice().value)  # type: ignore[attr-defined]
