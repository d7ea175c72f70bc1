"""Index: blocking on distinctive words (+ state), rapidfuzz to shortlist, features to explain."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from rapidfuzz import fuzz, process

from .profiles import Profile, given_state, query_profile, record_profile
from .scoring import best_core, features, similarity, total, weights
from .thresholds import band
from .types import Candidate, Feature, Query, Record

BLOCK_LIMIT = 400  # records kept after blocking, those sharing most keys first


def block_key(token: str) -> str:
    """Blocking key of a word: its first four letters, so a typo late in a word still meets."""
    return token[:4]


def _keys(profile: Profile) -> set[str]:
    """Each distinctive word's key, and the key of the words run together ("DE FOREST" meets
    "DeForest")."""
    keys = {block_key(token) for _, core in profile.cores for token in core.split()}
    return keys | {"=" + block_key(core.replace(" ", "")) for _, core in profile.cores}


def score(query: Query, record: Record) -> Candidate:
    """The explained score of one pair, without an index (no ambiguity check)."""
    return _candidate(record, features(query_profile(query), record_profile(record)))


def _candidate(record: Record, found: list[Feature]) -> Candidate:
    value = total(found)
    return Candidate(record=record, score=value, features=tuple(found), band=band(value))


class Index:
    """Registry records prepared for matching; build once, match many times.

    A record's profile (its name parsed: most of the cost) is made when a query first needs it:
    records are grouped by the state they carry (their own, or their jurisdiction's), and a query
    with a state needs only that group and the records without a state, whose profiles are made at
    once (their state is read from their name). So the first queries of a load do not wait for all
    of a large registry to be parsed: LESO's first state, not its 54 (datasets/firstload.py). The
    blocking lists are kept in record order, as one eager build makes them, so the candidates are
    the same whichever queries came first (resolution/tests/test_index.py). Safe to share between threads."""

    def __init__(self, records: Iterable[Record]) -> None:
        self._records: list[Record] = list(records)
        self._profiles: list[Profile | None] = [None] * len(self._records)
        self._by_state: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_key: dict[str, list[int]] = defaultdict(list)
        self._names: list[str] | None = None  # built on first use by match_unblocked
        self._pending: dict[str, list[int]] = defaultdict(list)  # a record's own state -> positions not parsed
        for position, record in enumerate(self._records):
            self._pending[given_state(record)].append(position)
        self._lock = threading.Lock()
        self._profile(self._pending.pop("", []))  # every query meets the records without a state

    def __len__(self) -> int:
        return len(self._records)

    @property
    def records(self) -> list[Record]:
        return self._records

    def profile_all(self) -> None:
        """Profile every record now (what the first query without a state does)."""
        self._ready("")

    def _ready(self, state: str) -> None:
        """Profile the records a query of `state` may meet: that state's and the stateless ones
        ("" as the query's state: every record)."""
        with self._lock:
            groups = [state, ""] if state else list(self._pending)
            positions = [p for group in groups for p in self._pending.pop(group, ())]
            if positions:
                self._profile(positions)

    def _profile(self, positions: list[int]) -> None:
        by_state: set[tuple[str, str]] = set()
        by_key: set[str] = set()
        for position in positions:
            profile = self._profiles[position] = record_profile(self._records[position])
            for key in _keys(profile):
                self._by_state[(key, profile.state)].append(position)
                self._by_key[key].append(position)
                by_state.add((key, profile.state))
                by_key.add(key)
        # Back in record order (an earlier group may have added to the same lists).
        for pair in by_state:
            self._by_state[pair].sort()
        for key in by_key:
            self._by_key[key].sort()

    def _blocked(self, profile: Profile) -> list[int]:
        self._ready(profile.state)
        hits: Counter[int] = Counter()
        for key in _keys(profile):
            if profile.state:
                hits.update(self._by_state.get((key, profile.state), ()))
                hits.update(self._by_state.get((key, ""), ()))
            else:
                hits.update(self._by_key.get(key, ()))
        return [position for position, _ in hits.most_common(BLOCK_LIMIT)]

    def _built(self, position: int) -> Profile:
        profile = self._profiles[position]
        assert profile is not None, "a record is matched before it is profiled"
        return profile

    def _shortlist(self, profile: Profile, positions: list[int], size: int) -> list[int]:
        quick = [(max(similarity(q, r) for _, q in profile.cores for _, r in self._built(p).cores), p) for p in positions]
        quick.sort(key=lambda item: -item[0])
        return [position for _, position in quick[:size]]

    def match(self, query: Query, limit: int = 5) -> list[Candidate]:
        """Best candidates first (at most limit), each with the features that made its score."""
        profile = query_profile(query)
        if not profile.cores:
            return []
        shortlist = self._shortlist(profile, self._blocked(profile), max(3 * limit, 15))
        return self._ranked(profile, shortlist, limit)

    def match_many(self, queries: Sequence[Query], limit: int = 5) -> list[list[Candidate]]:
        return [self.match(query, limit) for query in queries]

    def match_exhaustive(self, query: Query, limit: int = 5) -> list[Candidate]:
        """The same scoring against every record, no blocking: the all-pairs baseline."""
        self._ready("")
        return self._ranked(query_profile(query), range(len(self._records)), limit)

    def match_unblocked(self, query: Query, limit: int = 5) -> list[Candidate]:
        """Every record's name compared in rapidfuzz's C loop (no blocking), then the same
        features on the closest: the fastest all-pairs baseline."""
        profile = query_profile(query)
        if not profile.cores:
            return []
        self._ready("")
        if self._names is None:
            self._names = [p.cores[0][1] if p.cores else "" for p in map(self._built, range(len(self._records)))]
        closest = process.extract(profile.cores[0][1], self._names, scorer=fuzz.ratio, limit=max(3 * limit, 15))
        return self._ranked(profile, [position for _, _, position in closest], limit)

    def _ranked(self, profile: Profile, positions: Iterable[int], limit: int) -> list[Candidate]:
        scored = [(p, features(profile, self._built(p))) for p in positions]
        scored = _mark_ambiguous(profile, scored, self._built)
        candidates = [_candidate(self._records[p], found) for p, found in scored]
        candidates.sort(key=lambda c: (-c.score, c.record.id))
        return candidates[:limit]


def _mark_ambiguous(
    query: Profile, scored: list[tuple[int, list[Feature]]], profile_of: Callable[[int], Profile]
) -> list[tuple[int, list[Feature]]]:
    """Two records as good as each other for the same words: neither is linked automatically."""
    w = weights()
    strong = [(p, found, total(found)) for p, found in scored
              if total(found) >= w["ambiguity_floor"] and best_core(query, profile_of(p))[0] >= w["ambiguity_name_at"]]
    if len(strong) < 2:
        return scored
    marked: dict[int, list[Feature]] = {}
    for position, found, value in strong:
        rivals = [other for other, _, other_value in strong if other != position and abs(other_value - value) < w["ambiguity_gap"]]
        if rivals:
            names = ", ".join(sorted({profile_of(o).cores[0][0] for o in rivals})[:3])
            detail = f"as good a match: {names}; a person should choose"
            marked[position] = [*found, Feature("ambiguous", w["ambiguous"], detail)]
    return [(p, marked.get(p, found)) for p, found in scored]
