"""The shipped equipment law packs over REAL rows of the DLA LESO files (../shared/data/leso/).

A small local reader turns a few states' rows into agencies and `equipment_transfer` ties the way the
LESO importer does (subject the agency, counterpart the Defense Logistics Agency, dated by the
record date with no end, cancelled rows cancelled, `categories` from categories.yaml); the expected
answers are computed from the same rows by plain Python, independently of the engine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.engine import Engine, load_policies
from tiewatch.policies.engine.bydate import as_of, rules_in_force, summarize
from tiewatch.policies.tests.leso_records import leso_records
from tiewatch.policies.tests.records_from_seed import LAWS

STATES = ("AL", "CA", "CT", "GA", "MT", "NC")
PROHIBITED = {"tracked_armored_vehicle", "weaponized_vehicle", "firearm_50_cal_or_larger",
              "ammunition_50_cal_or_larger", "grenade_launcher", "bayonet", "camouflage_uniform"}
CONTROLLED = {"manned_aircraft", "drone", "wheeled_armored_vehicle", "command_vehicle", "specialized_firearm",
              "explosives", "breaching_apparatus", "riot_gear"}
AB_481 = {"drone", "unmanned_ground_vehicle", "mrap", "armored_vehicle", "wheeled_armored_vehicle",
          "tracked_armored_vehicle", "command_vehicle", "weaponized_vehicle", "breaching_apparatus",
          "firearm_50_cal_or_larger", "ammunition_50_cal_or_larger", "specialized_firearm", "grenade_launcher",
          "grenade", "explosives"}
EO_13688 = "us-2015-eo-13688-law-enforcement-equipment"
EO_14074 = "us-2022-eo-14074-section-12-equipment-transfers"
MONTANA = "us-mt-2015-hb-330-military-equipment-surplus-limits"
CONNECTICUT = "us-ct-2020-pa-20-1-controlled-equipment"
CALIFORNIA = "us-ca-2021-ab-481-military-equipment"
D = dt.date


@pytest.fixture(scope="module")
def world() -> tuple[list[EntityRecord], list[TieRecord]]:
    return leso_records(STATES)


@pytest.fixture(scope="module")
def laws(world: tuple[list[EntityRecord], list[TieRecord]]) -> list:
    return load_policies([LAWS], known_entities={e.id for e in world[0]})


def screen(laws: list, world: tuple[list[EntityRecord], list[TieRecord]], day: dt.date,
           rules_of: dt.date | None = None) -> dict[tuple[str, str], set[str]]:
    entities, ties = world
    instruments, day_ties = as_of(laws, ties, day, rules_of)
    return {(s.policy, s.rule): set(s.subjects) for s in summarize(Engine(instruments, entities).screen(day_ties))}


def agencies(world: tuple[list[EntityRecord], list[TieRecord]], slugs: set[str], *, states: tuple[str, ...] = STATES,
             received: tuple[dt.date, dt.date] = (D.min, D.max), kinds: tuple[str, ...] = (
                 "police_agency", "sheriff", "state_police")) -> set[str]:
    """The oracle: agencies with a non-cancelled row of those categories received in the span."""
    entities = {e.id: e for e in world[0]}
    return {t.subject for t in world[1]
            if t.status != "cancelled" and slugs & set(t.attributes["categories"])
            and received[0] <= t.start <= received[1]  # type: ignore[operator]
            and entities[t.subject].kind in kinds
            and entities[t.subject].jurisdiction.rsplit(":", 1)[1].upper() in states}


def test_the_real_rows_load(world: tuple[list[EntityRecord], list[TieRecord]]) -> None:
    counts = {state: sum(1 for t in world[1] if t.id.startswith(state.lower() + "-")) for state in STATES}
    assert counts["MT"] > 0 and counts["CT"] > 0 and sum(counts.values()) == len(world[1])
    camo = {t.subject for t in world[1] if "camouflage_uniform" in t.attributes["categories"]}
    assert {"us-ca-san-luis-obispo-police-dept", "us-al-birmingham-police-dept",
            "us-ga-clayton-police-dept"} <= camo


def test_who_held_prohibited_list_equipment_on_2021_03_31(laws: list, world: tuple) -> None:
    # Under the laws in force that day: the federal list was revoked in 2017, so only state laws apply.
    found = screen(laws, world, D(2021, 3, 31))
    assert not any(policy in (EO_13688, EO_14074, CALIFORNIA) for policy, _ in found)
    montana = {"weaponized_vehicle", "grenade", "explosives", "grenade_launcher", "silencer",
               "tracked_armored_vehicle", "armored_vehicle"}
    assert found.get((MONTANA, "prohibited-surplus-property"), set()) == agencies(
        world, montana, states=("MT",), received=(D(2015, 10, 1), D(2021, 3, 31)), kinds=("police_agency", "sheriff"))
    # Under the 2015 federal list, as if still in force on 2021-03-31: who held listed items that day.
    held = screen(laws, world, D(2021, 3, 31), rules_of=D(2016, 6, 30))[(EO_13688, "prohibited-list-held")]
    assert held == agencies(world, PROHIBITED) and "us-ca-san-luis-obispo-police-dept" in held
    assert len(held) >= 5


def test_who_received_controlled_items_without_an_approval_on_record(laws: list, world: tuple) -> None:
    in_2016 = screen(laws, world, D(2016, 6, 30))
    controlled = in_2016[(EO_13688, "controlled-list-approval")]
    assert controlled == agencies(world, CONTROLLED, received=(D(2015, 10, 1), D(2016, 6, 30)))
    assert len(controlled) > 20
    montana = screen(laws, world, D(2021, 3, 31))[(MONTANA, "public-notification")]
    categorized = {slug for t in world[1] for slug in t.attributes["categories"]}
    assert montana == agencies(world, categorized, states=("MT",), received=(D(2015, 10, 1), D(2021, 3, 31)),
                               kinds=("police_agency", "sheriff"))
    # Under the 2016 rules applied to 2021-03-31: every controlled receipt from 1 October 2015 on.
    since = screen(laws, world, D(2021, 3, 31), rules_of=D(2016, 6, 30))[(EO_13688, "controlled-list-approval")]
    assert since == agencies(world, CONTROLLED, received=(D(2015, 10, 1), D(2021, 3, 31))) and since > controlled


def test_how_the_answer_changes_by_date(laws: list, world: tuple) -> None:
    policies = {day: {policy for policy, _ in screen(laws, world, day)}
                for day in (D(2014, 6, 30), D(2016, 6, 30), D(2020, 7, 31), D(2021, 3, 31), D(2022, 12, 31))}
    assert policies[D(2014, 6, 30)] == set()
    assert EO_13688 in policies[D(2016, 6, 30)] and MONTANA in policies[D(2016, 6, 30)]
    assert CONNECTICUT in policies[D(2020, 7, 31)]  # the inventory of that day
    assert policies[D(2021, 3, 31)] == {MONTANA}
    assert {CALIFORNIA, MONTANA} <= policies[D(2022, 12, 31)] and EO_13688 not in policies[D(2022, 12, 31)]
    # EO 14074 is in force by then but governs receipts, and the files end on 2021-03-31
    assert EO_14074 in {i.id for i in rules_in_force(laws, D(2022, 12, 31))} and EO_14074 not in policies[D(2022, 12, 31)]
    in_2022 = screen(laws, world, D(2022, 12, 31))
    assert in_2022[(CALIFORNIA, "approval-to-continue-use")] == agencies(
        world, AB_481, states=("CA",), kinds=("police_agency", "sheriff"))
    connecticut = screen(laws, world, D(2020, 7, 31))[(CONNECTICUT, "inventory-report")]
    assert connecticut and connecticut <= agencies(world, {"specialized_firearm", "wheeled_armored_vehicle", "mrap",
                                                          "firearm", "armored_vehicle"}, states=("CT",))


def test_an_approval_on_record_clears_the_requirement(laws: list, world: tuple) -> None:
    entities, ties = world
    day = D(2016, 6, 30)
    target = next(t for t in ties if t.status != "cancelled" and D(2015, 10, 1) <= t.start <= day  # type: ignore[operator]
                  and CONTROLLED & set(t.attributes["categories"]) and t.subject.startswith("us-nc-"))
    approved = dataclasses.replace(target, attributes={**target.attributes, "governing_body_approval": True})
    rest = [approved if t.id == target.id else t for t in ties]

    def caught(tie_list: list[TieRecord]) -> set[str]:
        instruments, day_ties = as_of(laws, tie_list, day)
        return {f.tie for f in Engine(instruments, entities).screen(day_ties) if f.rule == "controlled-list-approval"}
    assert target.id in caught(ties) and target.id not in caught(rest)
