"""`attribute_contains_any`, the window reading `match: starts`, and screening as of a date."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from tiewatch.core.errors import ValidationFailed
from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.engine import Engine, load_policy_text
from tiewatch.policies.engine.bydate import as_of, rules_in_force, summarize, tie_as_of
from tiewatch.policies.engine.naive import naive_screen

D = dt.date
PACK = textwrap.dedent("""\
    id: equipment-test
    title: Equipment test
    jurisdiction: ocd-division/country:us/state:mt
    body: Legislature
    type: state_law
    binding: true
    adopted: 2015-04-23
    effective: 2015-10-01
    rescinded: 2020-01-01
    text: A law enforcement agency may not receive silencers or grenade launchers. Agencies report what they hold.
    sources: [https://example.org/law]
    rules:
      - id: receive
        clause: A law enforcement agency may not receive silencers or grenade launchers.
        effect: prohibit
        binds: {jurisdiction: "ocd-division/country:us/state:mt", entity_kinds: [police_agency, sheriff]}
        tie_kinds: [equipment_transfer]
        window: {match: MATCH}
        conditions:
          attribute_contains_any: {name: categories, values: [silencer, grenade_launcher]}
      - id: hold
        clause: Agencies report what they hold.
        effect: report
        binds: {jurisdiction: "ocd-division/country:us/state:mt", entity_kinds: [police_agency, sheriff]}
        tie_kinds: [equipment_transfer]
        conditions:
          attribute_contains_any: {name: categories, values: [silencer]}
    """)
ENTITIES = [EntityRecord("mt-pd", "Missoula Police", "police_agency", "US", "ocd-division/country:us/state:mt"),
            EntityRecord("mt-so", "Ravalli Sheriff", "sheriff", "US", "ocd-division/country:us/state:mt"),
            EntityRecord("us-dla", "Defense Logistics Agency", "federal_agency", "US")]


def pack(match: str = "starts") -> Engine:
    return Engine([load_policy_text(PACK.replace("MATCH", match), "equipment.yaml")], ENTITIES)


def held(tie_id: str, start: dt.date, categories: object, subject: str = "mt-pd",
         end: dt.date | None = None, status: str = "confirmed") -> TieRecord:
    return TieRecord(tie_id, subject, ("us-dla",), "equipment_transfer", start, end, status, None,
                     {"categories": categories})


def caught(engine: Engine, ties: list[TieRecord], rule: str = "receive") -> list[str]:
    return sorted(f.tie for f in engine.screen(ties) if f.rule == rule)


def test_contains_any_reads_lists_and_single_values() -> None:
    ties = [held("list", D(2016, 1, 1), ["firearm_part", "silencer"]), held("one", D(2016, 1, 1), "grenade_launcher"),
            held("other", D(2016, 1, 1), ["bayonet"]), held("none", D(2016, 1, 1), None),
            held("unhashable", D(2016, 1, 1), [{"silencer": 1}, ["silencer"]]), held("empty", D(2016, 1, 1), [])]
    engine = pack()
    assert caught(engine, ties) == ["list", "one"]
    finding = next(f for f in engine.screen(ties) if f.tie == "list" and f.rule == "receive")
    assert "attribute categories contains silencer" in finding.reasons
    naive = sorted(f.tie for f in naive_screen([load_policy_text(PACK.replace("MATCH", "starts"), "p.yaml")],
                                               ENTITIES, ties) if f.rule == "receive")
    assert naive == ["list", "one"]


def test_contains_any_round_trips_and_explains() -> None:
    rule = load_policy_text(PACK.replace("MATCH", "starts"), "p.yaml").rules[0]
    assert rule.condition is not None
    assert rule.condition.to_data() == {"attribute_contains_any": {"name": "categories",
                                                                   "values": ["silencer", "grenade_launcher"]}}
    assert rule.condition.describe() == "attribute categories contains one of ['silencer', 'grenade_launcher']"


@pytest.mark.parametrize(("values", "message"), [
    ("silencer", "expected a non-empty list"),
    ("[]", "expected a non-empty list"),
    ("[{a: 1}]", "each value is one text, number or boolean"),
])
def test_contains_any_refuses_bad_values_with_file_line_and_field(values: str, message: str) -> None:
    text = PACK.replace("MATCH", "starts").replace("values: [silencer, grenade_launcher]", f"values: {values}")
    with pytest.raises(ValidationFailed) as caught_error:
        load_policy_text(text, "bad.yaml")
    problem = caught_error.value.problems[0]
    assert message in problem.message and problem.file == "bad.yaml" and problem.line == 20
    assert problem.field == "rules[0].conditions.attribute_contains_any.values"


def test_starts_reads_a_receipt_overlaps_a_holding() -> None:
    # Received before the law took effect and held since (no end): held while in force, not received.
    ties = [held("before", D(2012, 5, 1), ["silencer"]), held("during", D(2016, 3, 1), ["silencer"]),
            held("after", D(2020, 2, 1), ["silencer"]), held("no-start", None, ["silencer"], end=D(2016, 1, 1))]  # type: ignore[arg-type]
    assert caught(pack("starts"), ties) == ["during"]
    assert caught(pack("overlaps"), ties) == ["before", "during", "no-start"]
    assert caught(pack("within"), ties) == []  # open ends never lie inside a window that ends
    reasons = next(f for f in pack("starts").screen(ties) if f.tie == "during").reasons
    assert "beginning within the rule's time in force 2015-10-01..2019-12-31" in " ".join(reasons)


def test_starts_on_several_reported_years() -> None:
    tie = TieRecord("years", "mt-pd", ("us-dla",), "equipment_transfer", D(2014, 1, 1), D(2017, 12, 31), "confirmed",
                    None, {"categories": ["silencer"]}, years=(2014, 2017))
    assert caught(pack("starts"), [tie]) == ["years"]  # the 2017 occurrence began in force
    early = TieRecord("early", "mt-pd", ("us-dla",), "equipment_transfer", D(2013, 1, 1), D(2021, 12, 31),
                      "confirmed", None, {"categories": ["silencer"]}, years=(2013, 2021))
    assert caught(pack("starts"), [early]) == []  # neither 2013 nor 2021 is in force


def test_as_of_keeps_the_rules_in_force_and_cuts_ties_at_the_day() -> None:
    law = load_policy_text(PACK.replace("MATCH", "starts"), "p.yaml")
    assert rules_in_force([law], D(2015, 9, 30)) == []
    assert [r.id for r in rules_in_force([law], D(2016, 1, 1))[0].rules] == ["receive", "hold"]
    assert rules_in_force([law], D(2020, 1, 1)) == []  # rescinded that day
    tie = held("t", D(2012, 5, 1), ["silencer"])
    assert tie_as_of(tie, D(2012, 4, 30)) is None
    cut = tie_as_of(tie, D(2016, 1, 1))
    assert cut is not None and (cut.start, cut.end) == (D(2012, 5, 1), D(2016, 1, 1))
    ended = held("e", D(2012, 5, 1), ["silencer"], end=D(2013, 1, 1))
    assert tie_as_of(ended, D(2016, 1, 1)) is ended


def test_as_of_answers_holding_and_receiving_by_date() -> None:
    law = load_policy_text(PACK.replace("MATCH", "starts"), "p.yaml")
    ties = [held("old", D(2012, 5, 1), ["silencer"]), held("new", D(2017, 3, 1), ["grenade_launcher"], "mt-so"),
            held("cancelled", D(2017, 3, 1), ["silencer"], status="cancelled")]

    def rules_caught(day: dt.date, rules_of: dt.date | None = None) -> dict[str, list[str]]:
        instruments, day_ties = as_of([law], ties, day, rules_of)
        found = Engine(instruments, ENTITIES).screen(day_ties)
        return {s.rule: sorted(s.subjects) for s in summarize(found)}

    assert rules_caught(D(2014, 1, 1)) == {}
    assert rules_caught(D(2016, 6, 30)) == {"hold": ["mt-pd"]}
    assert rules_caught(D(2018, 6, 30)) == {"hold": ["mt-pd"], "receive": ["mt-so"]}
    assert rules_caught(D(2021, 3, 31)) == {}  # rescinded
    # the rules of 2018 applied on 2021-03-31: what was held that day, what was received by then
    assert rules_caught(D(2021, 3, 31), D(2018, 6, 30)) == {"hold": ["mt-pd"], "receive": ["mt-so"]}
    assert rules_caught(D(2016, 6, 30), D(2018, 6, 30)) == {"hold": ["mt-pd"]}  # "new" not yet received


def test_summarize_counts_a_tie_once_per_rule() -> None:
    two_counterparts = TieRecord("t", "mt-pd", ("us-dla", "mt-so"), "equipment_transfer", D(2016, 1, 1), None,
                                 "confirmed", None, {"categories": ["silencer"]})
    findings = pack("starts").screen([two_counterparts, held("u", D(2016, 2, 1), ["silencer"])])
    receive = next(s for s in summarize(findings) if s.rule == "receive")
    assert (receive.ties, dict(receive.subjects)) == (2, {"mt-pd": 2})
    data = receive.as_dict({"mt-pd": "Missoula Police"}, limit=1)
    assert data["subjects"] == [{"id": "mt-pd", "name": "Missoula Police", "ties": 2}]
    assert data["subjects_count"] == 1
