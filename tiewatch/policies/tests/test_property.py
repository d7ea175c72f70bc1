"""Property: on random policies and ties the compiled engine returns exactly what the naive
evaluator (every rule against every tie) returns — findings, reasons, evidence and verdicts."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiewatch.core.records import TIE_STATUSES, EntityRecord, TieRecord
from tiewatch.policies.engine import Engine, verdict_of
from tiewatch.policies.engine import operators as ops
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.naive import NaiveEvaluator, naive_screen

COUNTRIES = ["US", "IL", "PS", "GB", ""]
DIVISIONS = ["", "ocd-division/country:us", "ocd-division/country:us/state:nc",
             "ocd-division/country:us/state:nc/place:durham", "ocd-division/country:us/state:nc/place:raleigh",
             "ocd-division/country:us/state:ga", "ocd-division/country:us/state:nc2"]
KINDS = ["police_agency", "military", "foreign_police", "company", "government"]
TIE_KINDS = ["exchange", "training", "delegation", "procurement"]
IDS = [f"e{i}" for i in range(10)]
UNKNOWN = ["u0", "u1"]
ATTRS = ["military_style_training", "surveillance_technology", "council_approval", "equipment_category",
         "counterpart_country"]
VALUES = [True, False, "disputed", "yes", 0, 1, "bayonet", "IL", None, "US", ["bayonet", "mrap"], ["IL"], []]
SCALARS = [v for v in VALUES if not isinstance(v, list)]
dates = st.dates(dt.date(2016, 1, 1), dt.date(2020, 12, 31))

entity = st.builds(lambda i, k, c, j: EntityRecord(IDS[i], IDS[i], k, c, j),
                   st.integers(0, len(IDS) - 1), st.sampled_from(KINDS), st.sampled_from(COUNTRIES),
                   st.sampled_from(DIVISIONS))
entities = st.lists(entity, max_size=10, unique_by=lambda e: e.id)

leaf = st.one_of(
    st.builds(s.CounterpartIdIn, st.frozensets(st.sampled_from(IDS + UNKNOWN), min_size=1, max_size=3)),
    st.builds(s.CounterpartKindIn, st.frozensets(st.sampled_from(KINDS), min_size=1, max_size=2)),
    st.builds(s.CounterpartCountryIn, st.frozensets(st.sampled_from(COUNTRIES[:-1]), min_size=1, max_size=2)),
    st.builds(s.CounterpartJurisdictionWithin, st.sampled_from(DIVISIONS[1:])),
    st.builds(s.CounterpartCountryWhereSubjectTrained,
              st.frozensets(st.sampled_from(TIE_KINDS), min_size=1, max_size=3),
              st.sampled_from(["military_style_training", "equipment_category"]), st.booleans()),
    st.builds(s.ProgramIdIn, st.frozensets(st.sampled_from(["p0", "p1"]), min_size=1)),
    st.builds(s.AttributeEquals, st.sampled_from(ATTRS), st.sampled_from(SCALARS)),
    st.builds(s.AttributeIn, st.sampled_from(ATTRS), st.lists(st.sampled_from(SCALARS), min_size=1,
                                                              max_size=3).map(tuple)),
    st.builds(s.AttributeExists, st.sampled_from(ATTRS)),
    st.builds(ops.AttributeContainsAny, st.sampled_from(ATTRS),
              st.lists(st.sampled_from(SCALARS), min_size=1, max_size=3).map(tuple)),
    st.builds(s.AttributeTruthy, st.sampled_from(ATTRS)),
    st.builds(s.StatusIn, st.frozensets(st.sampled_from(TIE_STATUSES), min_size=1, max_size=2)),
)
condition = st.recursive(leaf, lambda inner: st.one_of(
    st.builds(s.All, st.lists(inner, min_size=1, max_size=3).map(tuple)),
    st.builds(s.Any_, st.lists(inner, min_size=1, max_size=3).map(tuple)),
    st.builds(s.Not, inner)), max_leaves=6)

binds = st.one_of(
    st.builds(s.Binds, st.frozensets(st.sampled_from(IDS + UNKNOWN), min_size=1, max_size=4)),
    st.builds(s.Binds, st.frozensets(st.sampled_from(IDS), max_size=2), st.sampled_from(DIVISIONS[1:]),
              st.frozensets(st.sampled_from(KINDS), min_size=1, max_size=3), st.booleans()),
)


@st.composite
def window(draw):
    a = draw(st.none() | dates)
    b = draw(st.none() | dates)
    if a and b and b < a:
        a, b = b, a
    return s.Window(a, b, draw(st.sampled_from(s.WINDOW_MATCHES)))


@st.composite
def instrument(draw, n):
    rules = []
    for i in range(draw(st.integers(1, 3))):
        effect = draw(st.sampled_from(s.EFFECTS))
        rules.append(s.Rule(f"r{i}", "clause", effect, draw(binds),
                            draw(st.frozensets(st.sampled_from(TIE_KINDS), min_size=1, max_size=3)),
                            draw(st.none() | condition), draw(window()),
                            draw(st.sampled_from(["", "council_approval"])) if effect == "require_approval" else ""))
    adopted = draw(st.none() | dates)
    rescinded = draw(st.none() | dates)
    if adopted and rescinded and rescinded <= adopted:
        rescinded = None
    return s.Instrument(f"pol{n}", "t", "ocd-division/country:us", "b", "resolution", draw(st.booleans()),
                        adopted, None, rescinded, None, "clause", (s.PolicySource("https://x.org"),), tuple(rules))


@st.composite
def tie(draw, i):
    start = draw(st.none() | dates)
    end = draw(st.none() | dates)
    if start and end and end < start:
        start, end = end, start
    attrs = draw(st.dictionaries(st.sampled_from(ATTRS), st.sampled_from(VALUES), max_size=3))
    years: tuple[int, ...] = ()
    if start and end and draw(st.booleans()):  # separate reported years within the span
        years = tuple(sorted(draw(st.sets(st.integers(start.year, end.year), max_size=3))))
    return TieRecord(f"t{i}", draw(st.sampled_from(IDS + UNKNOWN)),
                     tuple(draw(st.lists(st.sampled_from(IDS + UNKNOWN), max_size=3, unique=True))),
                     draw(st.sampled_from(TIE_KINDS)), start, end, draw(st.sampled_from(TIE_STATUSES)),
                     draw(st.sampled_from([None, "p0", "p1"])), attrs, years=years)


@st.composite
def world(draw):
    ents = draw(entities)
    insts = [draw(instrument(n)) for n in range(draw(st.integers(1, 4)))]
    ties = [draw(tie(i)) for i in range(draw(st.integers(0, 25)))]
    return ents, insts, ties


def canon(findings):
    return sorted((f.as_dict() for f in findings), key=lambda d: (d["tie"], d["policy"], d["rule"],
                                                                    d["counterpart"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world())
def test_compiled_equals_naive_screen(w):
    ents, insts, ties = w
    assert canon(Engine(insts, ents).screen(ties)) == canon(naive_screen(insts, ents, ties))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world(), st.data())
def test_compiled_equals_naive_check(w, data):
    ents, insts, ties = w
    engine = Engine(insts, ents)
    engine.prepare(ties)
    naive = NaiveEvaluator(insts, ents, ties)
    proposed = data.draw(tie(999))
    verdict, found = engine.check(proposed)
    expected = naive.screen_tie(proposed)
    assert canon(found) == canon(expected)
    assert verdict == verdict_of(expected)


@st.composite
def training_world(draw):
    """Dense worlds where country-level tests fire: few subjects, many training records."""
    ents = [EntityRecord(IDS[i], IDS[i], draw(st.sampled_from(KINDS)), draw(st.sampled_from(COUNTRIES[:3])),
                         draw(st.sampled_from(DIVISIONS[:4]))) for i in range(6)]
    test = st.builds(s.CounterpartCountryWhereSubjectTrained,
                     st.frozensets(st.sampled_from(TIE_KINDS), min_size=2), st.just("military_style_training"),
                     st.booleans())
    cond = st.one_of(test, st.builds(s.All, st.tuples(test, leaf)), st.builds(s.Any_, st.tuples(leaf, test)),
                     st.builds(s.All, st.tuples(st.builds(s.Not, st.builds(s.CounterpartCountryIn,
                                                                           st.just(frozenset({"US"})))), test)))
    rules = tuple(s.Rule(f"r{i}", "clause", draw(st.sampled_from(s.EFFECTS)),
                         s.Binds(frozenset(IDS[:3]), DIVISIONS[2], frozenset(KINDS[:2])),
                         frozenset(TIE_KINDS), draw(cond), s.Window()) for i in range(3))
    inst = s.Instrument("pol", "t", DIVISIONS[1], "b", "statement", False, dt.date(2016, 1, 1), None, None,
                        None, "clause", (), rules)
    ties = []
    for i in range(draw(st.integers(1, 30))):
        attrs = {"military_style_training": draw(st.sampled_from([True, "disputed", False, "yes"]))}
        if draw(st.booleans()):
            attrs.clear()
        ties.append(TieRecord(f"t{i}", draw(st.sampled_from(IDS[:4])),
                              tuple(draw(st.lists(st.sampled_from(IDS + UNKNOWN), max_size=2, unique=True))),
                              draw(st.sampled_from(TIE_KINDS)), dt.date(2017, 1, 1), dt.date(2017, 1, 2),
                              draw(st.sampled_from(TIE_STATUSES)), None, attrs))
    return ents, [inst], ties


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(training_world())
def test_compiled_equals_naive_country_level(w):
    ents, insts, ties = w
    assert canon(Engine(insts, ents).screen(ties)) == canon(naive_screen(insts, ents, ties))


def test_separate_years_inside_a_within_window_while_the_span_reaches_past_it():
    # Found by the property above: reported years 2016 and 2017 lie inside a `within` window that
    # ends in 2017, although the tie's overall span runs into 2018. Only the years decide.
    ents = [EntityRecord("e0", "e0", "police_agency", "US", "ocd-division/country:us")]
    rule = s.Rule("r0", "clause", "prohibit", s.Binds(frozenset({"e0"})), frozenset({"training"}), None,
                  s.Window(dt.date(2016, 1, 1), dt.date(2017, 12, 31), "within"), "")
    inst = s.Instrument("pol0", "t", "ocd-division/country:us", "b", "resolution", True, None, None, None, None,
                        "clause", (s.PolicySource("https://x.org"),), (rule,))
    tie = TieRecord("t0", "e0", ("u0",), "training", dt.date(2016, 1, 1), dt.date(2018, 1, 2), "planned",
                    years=(2016, 2017))
    naive = canon(naive_screen([inst], ents, [tie]))
    assert [f["rule"] for f in naive] == ["r0"]
    assert canon(Engine([inst], ents).screen([tie])) == naive
