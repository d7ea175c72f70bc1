"""The condition operators live in one table (engine/operators/): adding one is one class in one
file. A throwaway operator defined here is parsed from a law pack, compiled, explained and
evaluated by the naive reference without touching any other file."""

from __future__ import annotations

import datetime as dt
import inspect
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tiewatch.core.errors import ValidationFailed
from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.engine import Engine, load_policy_text
from tiewatch.policies.engine import operators as ops
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.naive import naive_screen
from tiewatch.policies.engine.operators.base import join_path

ENGINE_DIR = Path(s.__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class TieIdStartsWith(ops.Leaf):
    """`tie_id_starts_with: PREFIX` — a made-up operator, for this test only."""

    prefix: str
    op: ClassVar[str] = "tie_id_starts_with"

    @classmethod
    def parse(cls, ctx: ops.ParseContext, data: dict, path: str) -> ops.Condition | None:
        arg = data[cls.op]
        if not isinstance(arg, str) or not arg:
            ctx.err(f"expected a prefix, got {arg!r}", join_path(path, cls.op), data, cls.op)
            return None
        return cls(arg)

    def to_data(self) -> Any:
        return {self.op: self.prefix}

    def describe(self) -> str:
        return f"tie id starts with {self.prefix}"

    def reason(self, tie: TieRecord, cp: Any, evidence: Any, out: Any) -> str | None:
        return f"tie {tie.id} starts with {self.prefix}" if tie.id.startswith(self.prefix) else None

    def predicate(self, cx: ops.CompileContext, subjects: set[str]) -> ops.Pred:
        prefix = self.prefix
        return lambda t, cp: t.id.startswith(prefix)


@pytest.fixture
def throwaway() -> Iterator[type[TieIdStartsWith]]:
    ops.register(TieIdStartsWith)
    try:
        yield TieIdStartsWith
    finally:
        ops.unregister(TieIdStartsWith)


PACK = textwrap.dedent("""\
    id: throwaway
    title: Throwaway
    jurisdiction: ocd-division/country:us/state:nc/place:durham
    body: Council
    type: resolution
    binding: true
    adopted: 2018-04-16
    text: No exchanges on file x.
    sources: [https://example.org/a]
    rules:
      - id: r1
        clause: No exchanges on file x.
        effect: prohibit
        binds: {entities: [pd]}
        tie_kinds: [exchange]
        conditions:
          all:
            - counterpart_kind_in: [military]
            - tie_id_starts_with: ARG
    """)
ENTITIES = [EntityRecord("pd", "Police", "police_agency", "US", "ocd-division/country:us/state:nc/place:durham"),
            EntityRecord("mil", "Army", "military", "IL")]


def tie(tie_id: str) -> TieRecord:
    return TieRecord(tie_id, "pd", ("mil",), "exchange", dt.date(2019, 1, 1), dt.date(2019, 1, 1))


def test_a_new_operator_is_one_class(throwaway: type[TieIdStartsWith]) -> None:
    inst = load_policy_text(PACK.replace("ARG", "x-"), "pack.yaml")
    cond = inst.rules[0].condition
    assert cond == s.All((s.CounterpartKindIn(frozenset({"military"})), TieIdStartsWith("x-")))
    assert s.condition_to_data(cond) == {"all": [{"counterpart_kind_in": ["military"]},
                                                 {"tie_id_starts_with": "x-"}]}
    assert s.describe(cond) == "all of (counterpart kind in military; tie id starts with x-)"
    ties = [tie("x-1"), tie("y-1")]
    engine = Engine([inst], ENTITIES)
    found = engine.screen(ties)
    assert [f.tie for f in found] == ["x-1"]
    assert found[0].reasons[-1] == "tie x-1 starts with x-"
    assert engine.check(tie("x-2"))[0] == "prohibited" and engine.check(tie("y-2"))[0] == "allowed"
    assert naive_screen([inst], ENTITIES, ties) == found


def test_a_new_operator_reports_its_own_problems(throwaway: type[TieIdStartsWith]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        load_policy_text(PACK.replace("ARG", "[1]"), "pack.yaml")
    (problem,) = exc.value.problems
    assert str(problem) == "pack.yaml:19: rules[0].conditions.all[1].tie_id_starts_with: expected a prefix, got [1]"


def test_unregistered_operator_is_unknown() -> None:
    assert "tie_id_starts_with" not in ops.TABLE
    with pytest.raises(ValidationFailed) as exc:
        load_policy_text(PACK.replace("ARG", "x-"), "pack.yaml")
    assert "unknown condition operator 'tie_id_starts_with'" in exc.value.problems[0].message


def _operator_classes(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        if "__slots__" not in vars(sub):
            continue  # the class @dataclass(slots=True) replaced with a slotted copy
        if sub.__module__.startswith(ops.__name__) and not inspect.isabstract(sub):
            yield sub
        yield from _operator_classes(sub)


def test_every_condition_class_has_exactly_one_table_entry() -> None:
    classes = set(_operator_classes(ops.Condition))
    assert classes == set(ops.TABLE.values())
    assert len(ops.TABLE) == len(classes) == len(s.OPERATORS)
    assert all(name == cls.op for name, cls in ops.TABLE.items())


def test_the_table_is_the_only_place_operators_are_named() -> None:
    """The loader, the compiled engine and the reference evaluator dispatch through the table:
    none of them names an operator class (schema.py only re-exports them)."""
    names = {cls.__name__ for cls in ops.TABLE.values()}
    for module in ("loader.py", "compiler.py", "screen.py", "naive.py"):
        source = (ENGINE_DIR / module).read_text(encoding="utf-8")
        named = sorted(n for n in names if f"s.{n}" in source or f" {n}(" in source)
        assert not named, f"{module} names operators {named}"
