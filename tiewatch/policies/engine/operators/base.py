"""The operator table: what every condition operator provides, and the one registry of them.

A condition operator is one `Condition` subclass, registered with `@register`. The class holds
everything about its operator in one place:

- `op`: the name written in law packs; `FIELDS`: the fields of its mapping argument, if any;
- `parse(ctx, data, path)`: read `{op: argument}` from a law pack, reporting problems to `ctx`;
- `to_data()`: the inverse of `parse`; `describe()`: a one-line human reading;
- `holds(tie, counterpart, evidence, out)`: the reference (naive) evaluation, which also explains
  a match (leaves give a `reason()` instead);
- `predicate(cx, subjects)`: the compiled test, a closure the engine calls on candidate ties;
- `counterpart_only()`, `id_set(cx)`: a test of the counterpart entity alone compiles to the set
  of entity ids passing it; `need(cx)`: a cheap necessary condition the engine checks first.

The loader, the compiled engine and the reference evaluator go through this table only, so adding
an operator is adding one class (docs/policies.md, "Adding an operator").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

from tiewatch.core.records import TieRecord
from tiewatch.policies.engine.facts import Counterpart, Evidence

Pred = Callable[[TieRecord, Counterpart], bool]
# A necessary condition of a test: (counterpart ids, program ids, needs attributes), meaning it can
# only hold if a counterpart is in the set, or the program is, or the tie has attributes.
Need = tuple[frozenset[str] | None, frozenset[str] | None, bool]


class EvidenceSpec(NamedTuple):
    """Which of a subject's other ties count as evidence for a country-level test."""

    tie_kinds: frozenset[str]
    attribute: str
    count_disputed: bool


EvidenceLookup = Callable[[EvidenceSpec, str, str, str], list[Evidence]]
"""(spec, subject id, country, screened tie id) -> evidence ties (excluding the screened one)."""


@dataclass(slots=True)
class Explanation:
    reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def extend(self, other: Explanation) -> None:
        self.reasons.extend(other.reasons)
        self.evidence.extend(other.evidence)


class ParseContext(Protocol):
    """What `parse` may use: the loader's validation helpers, which collect every problem with
    its file, line and field."""

    def err(self, message: str, field: str, container: Any = None, key: Any = None) -> None: ...

    def fields(self, data: Any, allowed: Iterable[str], path: str, required: Iterable[str] = ()) -> bool: ...

    def string(self, data: dict, key: str, path: str, default: str = "") -> str: ...

    def boolean(self, data: dict, key: str, path: str, default: bool) -> bool: ...

    def str_list(self, data: dict, key: str, path: str, choices: Iterable[str] | None = None,
                 what: str = "value") -> list[str]: ...

    def entity_ids(self, data: dict, key: str, path: str) -> list[str]: ...


class CompileContext(Protocol):
    """What compiling may use: the engine's entity indexes and its evidence tables."""

    @property
    def all_ids(self) -> frozenset[str]: ...

    @property
    def by_kind(self) -> Mapping[str, set[str]]: ...

    @property
    def by_country(self) -> Mapping[str, set[str]]: ...

    @property
    def by_division(self) -> Mapping[str, set[str]]: ...  # ancestor division -> entity ids within

    @property
    def evidence(self) -> Mapping[EvidenceSpec, Mapping[tuple[str, str], list[Evidence]]]: ...

    def want_evidence(self, spec: EvidenceSpec, subjects: Iterable[str]) -> None: ...


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def need_size(need: Need) -> int:
    cps, progs, attrs = need
    return (len(cps) if cps is not None else 0) + (len(progs) if progs is not None else 0) + \
        (1_000_000 if attrs else 0)


class Condition(ABC):
    """Base of the condition tree; each registered subclass is one operator (a frozen, slotted
    dataclass holding the operator's arguments)."""

    __slots__ = ()
    op: ClassVar[str]
    FIELDS: ClassVar[tuple[str, ...]] = ()  # fields of a mapping argument (documented)
    COUNTERPART_ONLY: ClassVar[bool] = False  # a leaf that looks only at the counterpart entity

    @classmethod
    @abstractmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        """Read `data` (`{op: argument}`, at `path`); None after reporting a problem to `ctx`."""

    @abstractmethod
    def to_data(self) -> Any:
        """The YAML/JSON form (inverse of `parse`)."""

    @abstractmethod
    def describe(self) -> str:
        """A one-line human reading."""

    @abstractmethod
    def holds(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> bool:
        """The reference evaluation for one tie and one counterpart; on a match, append the
        reasons (and evidence) of the parts that made it match to `out`."""

    @abstractmethod
    def predicate(self, cx: CompileContext, subjects: set[str]) -> Pred:
        """The compiled test (`subjects`: the entities the rule binds)."""

    def counterpart_only(self) -> bool:
        return self.COUNTERPART_ONLY

    def id_set(self, cx: CompileContext) -> frozenset[str]:
        """Entity ids satisfying a counterpart-only test (set algebra over the entity indexes)."""
        raise TypeError(f"{self.op} is not a test of the counterpart alone")

    def need(self, cx: CompileContext) -> Need | None:
        return (self.id_set(cx), None, False) if self.counterpart_only() else None

    def conjuncts(self) -> tuple[Condition, ...]:
        """The parts that must all hold (a nested `all` is flattened)."""
        return (self,)


class Leaf(Condition):
    """An operator without sub-conditions: it holds when `reason()` gives its reason text."""

    __slots__ = ()

    @abstractmethod
    def reason(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup,
               out: Explanation | None) -> str | None:
        """The reason text when the leaf holds, else None."""

    def holds(self, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup, out: Explanation | None) -> bool:
        reason = self.reason(tie, cp, evidence, out)
        if reason is None:
            return False
        if out is not None:
            out.reasons.append(reason)
        return True


@dataclass(frozen=True, slots=True)
class ValueSet(Leaf):
    """A leaf written `op: [value, ...]` that tests one fact against the set of values."""

    values: frozenset[str]
    CHOICES: ClassVar[tuple[str, ...] | None] = None  # the allowed values, if a closed list
    WHAT: ClassVar[str] = "value"  # what a value is called in messages
    ENTITY_IDS: ClassVar[bool] = False  # values are entity ids (checked against the registry)

    @classmethod
    def parse(cls, ctx: ParseContext, data: dict, path: str) -> Condition | None:
        op, here = cls.op, join_path(path, cls.op)
        if not data.get(op):
            ctx.err("expected a non-empty list", here, data, op)
            return None
        if cls.ENTITY_IDS:
            values = ctx.entity_ids(data, op, path)
        else:
            values = ctx.str_list(data, op, path, cls.CHOICES, cls.WHAT)
        cls.check_values(ctx, values, data[op], here)
        return cls(frozenset(values)) if values else None

    @classmethod
    def check_values(cls, ctx: ParseContext, values: list[str], arg: Any, here: str) -> None:
        """Further checks of the values read (the default accepts them all)."""

    def to_data(self) -> Any:
        return {self.op: sorted(self.values)}

    def listed(self) -> str:
        return ", ".join(sorted(self.values))


# ---------------------------------------------------------------- the registry
_TABLE: dict[str, type[Condition]] = {}
C = TypeVar("C", bound=type[Condition])


def register(cls: C) -> C:
    """Add an operator to the table (a class decorator, outermost, above `@dataclass`)."""
    taken = _TABLE.get(cls.op)
    if taken is not None and taken is not cls:
        raise ValueError(f"condition operator {cls.op!r} is already {taken.__name__}")
    _TABLE[cls.op] = cls
    return cls


def unregister(cls: type[Condition]) -> None:
    """Remove an operator (tests that register a throwaway one clean up with this)."""
    if _TABLE.get(cls.op) is cls:
        del _TABLE[cls.op]


TABLE: Mapping[str, type[Condition]] = MappingProxyType(_TABLE)
"""Every operator by its law-pack name, in the order they are documented."""
