"""Loading validates every file first: errors name file, line and field, with suggestions."""

from __future__ import annotations

import textwrap

import pytest

from tiewatch.core.errors import ValidationFailed
from tiewatch.policies.engine import load_policies, load_policy_text
from tiewatch.policies.engine import schema as s
from tiewatch.policies.tests.records_from_seed import LAWS

GOOD = textwrap.dedent("""\
    id: test-policy
    title: Test
    jurisdiction: ocd-division/country:us/state:nc/place:durham
    body: Council
    type: resolution
    binding: true
    adopted: 2018-04-16
    vote: {yes: 6, no: 0}
    text: No exchanges with foreign militaries.
    sources: [https://example.org/a]
    rules:
      - id: r1
        clause: No exchanges with foreign militaries.
        effect: prohibit
        binds:
          entities: [us-nc-durham-police-department]
        tie_kinds: [exchange]
        conditions:
          counterpart_kind_in: [military]
    """)


def problems(text, known=None):
    with pytest.raises(ValidationFailed) as exc:
        load_policy_text(text, "pack.yaml", known)
    return exc.value.problems


def test_good_pack_loads():
    inst = load_policy_text(GOOD, "pack.yaml")
    assert inst.vote.yes == 6 and inst.vote.no == 0  # `yes:`/`no:` keys despite YAML 1.1 booleans
    assert isinstance(inst.rules[0].condition, s.CounterpartKindIn)


def test_unknown_field_with_suggestion_and_line():
    found = problems(GOOD.replace("    tie_kinds:", "    tie_kind:"))
    p = found[0]
    assert p.file == "pack.yaml" and p.line == 17 and p.field == "rules[0].tie_kind"
    assert "did you mean 'tie_kinds'" in p.message
    assert str(p).startswith("pack.yaml:17: rules[0].tie_kind: ")


def test_missing_tie_kinds_is_also_reported():
    found = problems(GOOD.replace("    tie_kinds:", "    tie_kind:"))
    assert any(p.field == "rules[0].tie_kinds" and "missing" in p.message for p in found)


def test_unknown_tie_kind():
    [p] = problems(GOOD.replace("[exchange]", "[exchnage]"))
    assert p.field == "rules[0].tie_kinds[0]" and "did you mean 'exchange'" in p.message and p.line == 17


def test_unknown_entity_kind():
    [p] = problems(GOOD.replace("[military]", "[militry]"))
    assert "unknown entity kind 'militry'" in p.message and "did you mean 'military'" in p.message
    assert p.line == 19


def test_unknown_entity_id_against_known_set():
    [p] = problems(GOOD, known={"us-nc-durham-police-departments", "x"})
    assert p.field == "rules[0].binds.entities[0]" and "did you mean" in p.message and p.line == 16


def test_unknown_operator():
    [p] = problems(GOOD.replace("counterpart_kind_in", "counterpart_kinds_in"))
    assert "did you mean 'counterpart_kind_in'" in p.message and p.line == 19


def test_bad_date():
    [p] = problems(GOOD.replace("adopted: 2018-04-16", "adopted: 2018-13-01"))
    assert p.field == "adopted" and p.line == 7 and "bad date" in p.message


def test_contradictory_window():
    text = GOOD + "    window: {from: 2019-01-01, to: 2018-01-01}\n"
    found = problems(text)
    assert any(p.field == "rules[0].window.to" and "before it starts" in p.message and p.line == 20
               for p in found)


def test_window_outside_time_in_force():
    text = GOOD.replace("adopted: 2018-04-16", "adopted: 2018-04-16\nrescinded: 2018-05-01") + \
        "    window: {from: 2019-01-01}\n"
    found = problems(text)
    assert any(p.field == "rules[0].window" and "never in force" in p.message for p in found)


def test_rescinded_before_adopted():
    found = problems(GOOD.replace("adopted: 2018-04-16", "adopted: 2018-04-16\nrescinded: 2018-01-01"))
    assert any(p.field == "rescinded" for p in found)


def test_unknown_effect_and_type():
    found = problems(GOOD.replace("effect: prohibit", "effect: prohibits").replace("type: resolution",
                                                                                   "type: resolutoin"))
    msgs = " ".join(p.message for p in found)
    assert "did you mean 'prohibit'" in msgs and "did you mean 'resolution'" in msgs


def test_clause_must_quote_text():
    [p] = problems(GOOD.replace("    clause: No exchanges with foreign militaries.",
                                "    clause: Something else."))
    assert p.field == "rules[0].clause"


def test_yaml_syntax_error_has_line():
    [p] = problems(GOOD + "  - : [\n")
    assert p.line is not None and "YAML" in p.message


def test_all_problems_reported_together(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD.replace("[exchange]", "[exchnage]"))
    (tmp_path / "b.yaml").write_text(GOOD.replace("effect: prohibit", "effect: ban"))
    with pytest.raises(ValidationFailed) as exc:
        load_policies([tmp_path])
    files = {p.file.rsplit("/", 1)[-1] for p in exc.value.problems}
    assert files == {"a.yaml", "b.yaml"}


def test_duplicate_policy_ids(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(ValidationFailed) as exc:
        load_policies([tmp_path])
    assert "duplicate policy id" in exc.value.problems[0].message


def test_shipped_packs_load_and_use_seed_ids():
    ids = {i.id for i in load_policies([LAWS])}
    assert {"us-nc-durham-2018-international-police-exchanges",
            "us-la-new-orleans-2018-human-rights-investment-resolution"} <= ids


def test_condition_round_trip():
    inst = load_policy_text(GOOD, "pack.yaml")
    assert s.condition_to_data(inst.rules[0].condition) == {"counterpart_kind_in": ["military"]}


def test_bad_source_url_as_bare_string_has_line():
    [p] = problems(GOOD.replace("sources: [https://example.org/a]", "sources:\n  - ftp://example.org/a"))
    assert p.field == "sources[0].url" and p.line == 11 and "http(s) URL" in p.message


def test_trained_test_defaults_and_unknown_subfield():
    text = GOOD.replace("counterpart_kind_in: [military]", "counterpart_country_where_subject_trained:")
    inst = load_policy_text(text, "pack.yaml")
    cond = inst.rules[0].condition
    assert cond.tie_kinds == frozenset({"training"}) and cond.attribute == "military_style_training"
    assert cond.count_disputed is False
    bad = GOOD.replace("counterpart_kind_in: [military]",
                       "counterpart_country_where_subject_trained: {count_disputd: true}")
    [p] = problems(bad)
    assert "did you mean 'count_disputed'" in p.message and p.line == 19
