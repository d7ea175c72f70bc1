"""`all`, `any`, `not`, and reading any condition from a law pack (`parse_condition`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tiewatch.core.errors import did_you_mean
from tiewatch.core.records import TieRecord
from tiewatch.policies.engine.facts import Counterpart
from tiewatch.policies.engine.operators.base import (
    TABLE,
    CompileContext,
    Condition,
    EvidenceLookup,
    Explanation,
    Need,
    ParseContext,
    Pred,
    join_path,
    need_size,
    register,
)


def parse_condition(ctx: ParseContext, data: Any, path: str, container: Any = None,
                    key: Any = None) -> Condition | None:
    """Read one condition: a mapping with exactly one operator, or a bare list meaning `all`."""
    if isinstance(data, list):
        return All.parse_list(ctx, data, path, container, key)
    names = tuple(TABLE)
    if not isinstance(data, dict) or len(data) != 1:
        ctx.err(f"a condition is a mapping with exactly one operator ({', '.join(names)})", path,
                data if isinstance(data, dict) else container, key)
        return None
    (op, _), = data.items()
    if op not in TABLE:
        ctx.err(f"unknown condition operator {op!r}{did_you_mean(str(op), names)}",
                join_path(path, str(op)), data, op)
        return None
    return TABLE[op].parse(ctx, data, path)


@dataclass(frozen=True, slots=True)
class _Group(Condition):
    """`all` / `any`: a non-empty list of conditions."""

    items: tuple[Condition, ...]
    WORDS: ClassVar[str]

    @classmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        op, here = cls.op, join_path(path, cls.op)
        arg = data[op]
        if not isinstance(arg, list) or not arg:
            ctx.err(f"{op} takes a non-empty list of conditions", here, data, op)
            return None
        parsed = [parse_condition(ctx, item, f"{here}[{i}]", arg, i) for i, item in enumerate(arg)]
        return cls(tuple(c for c in parsed if c is not None))

    def to_data(self) -> Any:
        return {self.op: [c.to_data() for c in self.items]}

    def describe(self) -> str:
        return f"{self.WORDS} (" + "; ".join(c.describe() for c in self.items) + ")"

    def counterpart_only(self) -> bool:
        return all(c.counterpart_only() for c in self.items)


@register
@dataclass(frozen=True, slots=True)
class All(_Group):
    op: ClassVar[str] = "all"
    WORDS: ClassVar[str] = "all of"

    @classmethod
    def parse_list(cls, ctx: ParseContext, data: list, path: str, container: Any, key: Any) -> Condition | None:
        """A bare list of conditions, shorthand for `all`."""
        items = [parse_condition(ctx, item, f"{path}[{i}]", data, i) for i, item in enumerate(data)]
        if not items:
            ctx.err("an empty list of conditions", path, container, key)
            return None
        return cls(tuple(i for i in items if i is not None))

    def holds(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> bool:
        sub = Explanation()
        for item in self.items:
            if not item.holds(tie, cp, evidence, sub):
                return False
        if out is not None:
            out.extend(sub)
        return True

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        ps = tuple(c.predicate(cx, subjects) for c in self.items)
        return lambda t, cp: all(p(t, cp) for p in ps)

    def id_set(self, cx: CompileContext) -> frozenset[str]:
        out = cx.all_ids
        for c in self.items:
            out = out & c.id_set(cx)
        return out

    def need(self, cx: CompileContext) -> Need | None:
        if self.counterpart_only():
            return (self.id_set(cx), None, False)
        needs = [n for n in (c.need(cx) for c in self.items) if n is not None]
        return min(needs, key=need_size) if needs else None

    def conjuncts(self) -> tuple[Condition, ...]:
        return tuple(part for c in self.items for part in c.conjuncts())


@register
@dataclass(frozen=True, slots=True)
class Any_(_Group):
    op: ClassVar[str] = "any"
    WORDS: ClassVar[str] = "any of"

    def holds(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> bool:
        for item in self.items:
            sub = Explanation()
            if item.holds(tie, cp, evidence, sub):
                if out is not None:
                    out.extend(sub)
                return True
        return False

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        ps = tuple(c.predicate(cx, subjects) for c in self.items)
        return lambda t, cp: any(p(t, cp) for p in ps)

    def id_set(self, cx: CompileContext) -> frozenset[str]:
        acc: set[str] = set()
        for c in self.items:
            acc |= c.id_set(cx)
        return frozenset(acc)

    def need(self, cx: CompileContext) -> Need | None:
        """Some item must hold, so the union of every item's necessary condition (none if one has none)."""
        if self.counterpart_only():
            return (self.id_set(cx), None, False)
        cps: set[str] | None = None
        progs: set[str] | None = None
        attrs = False
        for c in self.items:
            n = c.need(cx)
            if n is None:
                return None
            if n[0] is not None:
                cps = (cps or set()) | n[0]
            if n[1] is not None:
                progs = (progs or set()) | n[1]
            attrs = attrs or n[2]
        return (frozenset(cps) if cps is not None else None, frozenset(progs) if progs is not None else None,
                attrs)


@register
@dataclass(frozen=True, slots=True)
class Not(Condition):
    item: Condition
    op: ClassVar[str] = "not"

    @classmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        item = parse_condition(ctx, data["not"], join_path(path, "not"), data, "not")
        return cls(item) if item is not None else None

    def to_data(self) -> Any:
        return {"not": self.item.to_data()}

    def describe(self) -> str:
        return "not (" + self.item.describe() + ")"

    def holds(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> bool:
        if self.item.holds(tie, cp, evidence, None):
            return False
        if out is not None:
            out.reasons.append("not: " + self.item.describe())
        return True

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        p = self.item.predicate(cx, subjects)
        return lambda t, cp: not p(t, cp)

    def counterpart_only(self) -> bool:
        return self.item.counterpart_only()

    def id_set(self, cx: CompileContext) -> frozenset[str]:
        return cx.all_ids - self.item.id_set(cx)
