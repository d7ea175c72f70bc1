"""Tests of the tie's own attributes: `attribute_equals`, `attribute_in`, `attribute_exists`,
`attribute_truthy`. Each needs the tie to have attributes at all, which the engine checks first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tiewatch.core.records import TieRecord
from tiewatch.policies.engine.facts import MISSING, Counterpart, truthy
from tiewatch.policies.engine.operators.base import (
    CompileContext,
    Condition,
    EvidenceLookup,
    Explanation,
    Leaf,
    Need,
    ParseContext,
    Pred,
    join_path,
    register,
)


@dataclass(frozen=True, slots=True)
class _AttributeTest(Leaf):
    name: str

    def need(self, cx: CompileContext) -> Need | None:
        return (None, None, True)


def parse_values(ctx: ParseContext, arg: Any, here: str, fields: tuple[str, ...]) -> list[Any] | None:
    """The `values` of a `{name, values}` condition: a non-empty list, or None with the problem reported."""
    if not ctx.fields(arg, fields, here, ("name", "values")):
        return None
    values = arg.get("values")
    if not isinstance(values, list) or not values:
        ctx.err("expected a non-empty list", join_path(here, "values"), arg, "values")
        return None
    return values


@register
@dataclass(frozen=True, slots=True)
class AttributeEquals(_AttributeTest):
    value: Any
    op: ClassVar[str] = "attribute_equals"
    FIELDS: ClassVar[tuple[str, ...]] = ("name", "value")

    @classmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        here, arg = join_path(path, cls.op), data[cls.op]
        if not ctx.fields(arg, cls.FIELDS, here, ("name",)):
            return None
        if "value" not in arg:
            ctx.err("required field is missing", join_path(here, "value"), arg)
            return None
        return cls(ctx.string(arg, "name", here), arg["value"])

    def to_data(self) -> Any:
        return {self.op: {"name": self.name, "value": self.value}}

    def describe(self) -> str:
        return f"attribute {self.name} = {self.value!r}"

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        value = (tie.attributes or {}).get(self.name, MISSING)
        return f"attribute {self.name} = {value!r}" if value is not MISSING and value == self.value else None

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        name, value = self.name, self.value

        def eq(t: TieRecord, cp: Counterpart) -> bool:
            got = t.attributes.get(name, MISSING) if t.attributes else MISSING
            return got is not MISSING and got == value
        return eq


@register
@dataclass(frozen=True, slots=True)
class AttributeIn(_AttributeTest):
    values: tuple[Any, ...]
    op: ClassVar[str] = "attribute_in"
    FIELDS: ClassVar[tuple[str, ...]] = ("name", "values")

    @classmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        here, arg = join_path(path, cls.op), data[cls.op]
        values = parse_values(ctx, arg, here, cls.FIELDS)
        if values is None:
            return None
        return cls(ctx.string(arg, "name", here), tuple(values))

    def to_data(self) -> Any:
        return {self.op: {"name": self.name, "values": list(self.values)}}

    def describe(self) -> str:
        return f"attribute {self.name} in {list(self.values)!r}"

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        value = (tie.attributes or {}).get(self.name, MISSING)
        return (f"attribute {self.name} = {value!r} (one of {list(self.values)!r})"
                if value is not MISSING and value in self.values else None)

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        name, values = self.name, self.values

        def isin(t: TieRecord, cp: Counterpart) -> bool:
            got = t.attributes.get(name, MISSING) if t.attributes else MISSING
            return got is not MISSING and got in values
        return isin


@dataclass(frozen=True, slots=True)
class _NamedAttribute(_AttributeTest):
    """Written `op: attribute_name`."""

    @classmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        arg = data[cls.op]
        if not isinstance(arg, str) or not arg.strip():
            ctx.err(f"expected an attribute name, got {arg!r}", join_path(path, cls.op), data, cls.op)
            return None
        return cls(arg.strip())

    def to_data(self) -> Any:
        return {self.op: self.name}


@register
@dataclass(frozen=True, slots=True)
class AttributeExists(_NamedAttribute):
    op: ClassVar[str] = "attribute_exists"

    def describe(self) -> str:
        return f"attribute {self.name} recorded"

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        return self.describe() if (tie.attributes or {}).get(self.name) is not None else None

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        name = self.name
        return lambda t, cp: bool(t.attributes) and t.attributes.get(name) is not None


@register
@dataclass(frozen=True, slots=True)
class AttributeTruthy(_NamedAttribute):
    op: ClassVar[str] = "attribute_truthy"

    def describe(self) -> str:
        return f"attribute {self.name} is true"

    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> str | None:
        return self.describe() if truthy((tie.attributes or {}).get(self.name)) else None

    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        name = self.name
        return lambda t, cp: bool(t.attributes) and truthy(t.attributes.get(name))
