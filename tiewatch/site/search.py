"""One search over the whole site: entities (names and aliases), places, policies, campaigns,
petitions and sources, public records only (tiewatch/registry/visibility.py, campaigns/visibility.py).

Exact first: a record matches when its text contains every word of the query. When nothing matches
exactly, the search turns forgiving: PostgreSQL ranks rows by pg_trgm word similarity (the GIN
trigram indexes of this app's migration 0001); SQLite, which has no trigram operator, matches each
query word to the closest words of the records' texts with rapidfuzz. Either way, the words of the
close matches give "did you mean" ("Durhm" -> "Durham").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import reverse
from rapidfuzz import fuzz, process

from tiewatch.campaigns.models import Campaign, Petition
from tiewatch.core.errors import TiewatchError
from tiewatch.policies import services as policy_services
from tiewatch.policies.engine.loader import policy_files
from tiewatch.registry import visibility
from tiewatch.registry.models import Entity, Jurisdiction, Source

WORD_RE = re.compile(r"\w+", re.UNICODE)
GROUP_LIMIT = 20
MAX_WORDS = 8
# pg_trgm word similarity (shared trigrams / the query's) and rapidfuzz ratio a close match needs.
TRGM_THRESHOLD = 0.5
WORD_SCORE_CUTOFF = 75.0
GROUP_TITLES = {"entity": "Agencies, forces and programs", "place": "Places", "policy": "Policies",
                "campaign": "Campaigns", "petition": "Petitions", "source": "Sources"}


@dataclass
class Hit:
    label: str
    url: str
    detail: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "url": self.url, "detail": self.detail}


@dataclass
class Group:
    type: str
    hits: list[Hit]
    more_url: str = ""

    @property
    def title(self) -> str:
        return GROUP_TITLES[self.type]


@dataclass
class Results:
    q: str
    groups: list[Group] = field(default_factory=list)
    suggestion: str = ""
    fuzzy: bool = False

    @property
    def count(self) -> int:
        return sum(len(g.hits) for g in self.groups)

    def as_dict(self) -> dict[str, Any]:
        return {"q": self.q, "suggestion": self.suggestion or None, "close_matches": self.fuzzy,
                "groups": [{"type": g.type, "title": g.title, "count": len(g.hits),
                            "results": [h.as_dict() for h in g.hits]} for g in self.groups]}


def words(q: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(q or "")][:MAX_WORDS]


@dataclass
class _Kind:
    """How to search one type of record: its public queryset, the text fields searched, and its hit."""

    type: str
    queryset: Callable[[bool], QuerySet[Any]]
    fields: Sequence[str]
    hit: Callable[[Any], tuple[str, str, str]]


def _entity_hit(e: Entity) -> tuple[str, str, str]:
    return e.name, reverse("registry:entity_detail", args=[e.pk]), e.get_kind_display()


def _place_hit(j: Jurisdiction) -> tuple[str, str, str]:
    return j.name, reverse("registry:jurisdiction_detail", args=[j.slug]), "place"


def _campaign_hit(c: Campaign) -> tuple[str, str, str]:
    return c.name, reverse("campaigns:campaign_detail", args=[c.slug]), c.target_body


def _petition_hit(p: Petition) -> tuple[str, str, str]:
    return p.title, reverse("campaigns:petition_detail", args=[p.slug]), p.target


def _source_hit(s: Source) -> tuple[str, str, str]:
    return s.label, reverse("registry:source_detail", args=[s.pk]), s.publisher


def public_places(drafts: bool) -> QuerySet[Jurisdiction]:
    """visibility.jurisdictions' rule (a place where, or within which, a published entity is placed),
    asked per candidate place (EXISTS on the entity's jurisdiction index) rather than by listing every
    placed entity's ancestors first: a search looks at a few places, not all of them."""
    if drafts or connection.vendor != "postgresql":  # SQLite would scan the entities once per place
        return visibility.jurisdictions(drafts)
    placed = Entity.objects.filter(published=True).filter(
        Q(jurisdiction_id=OuterRef("pk")) | Q(jurisdiction__id__startswith=Concat(OuterRef("pk"), Value("/"))))
    return Jurisdiction.objects.filter(Exists(placed))


def _campaigns(drafts: bool) -> QuerySet[Any]:
    return Campaign.objects.all() if drafts else Campaign.objects.public()


def _petitions(drafts: bool) -> QuerySet[Any]:
    return Petition.objects.all() if drafts else Petition.objects.public()


KINDS = (
    _Kind("entity", visibility.entities, ("search_text",), _entity_hit),
    _Kind("place", public_places, ("name",), _place_hit),
    _Kind("campaign", _campaigns, ("name", "target_body", "summary"), _campaign_hit),
    _Kind("petition", _petitions, ("title", "target"), _petition_hit),
    _Kind("source", visibility.sources, ("title", "publisher"), _source_hit),
)


def search(q: str, drafts: bool = False) -> Results:
    """Everything matching `q` the reader may see, grouped by type and ranked within each group."""
    results = Results(q=q)
    query_words = words(q)
    if not query_words:
        return results
    policies = _policy_texts()
    for kind in KINDS:
        _add(results, kind.type, _exact_hits(kind, drafts, query_words))
    _add(results, "policy", _text_hits(policies, query_words, exact=True))
    if results.count:
        _order(results)
        return results
    results.fuzzy = True
    vocabulary: list[str] = []
    for kind in KINDS:
        rows = _fuzzy_rows(kind, drafts, query_words)
        hits = [_hit(kind, row, score) for row, score in rows]
        _add(results, kind.type, hits)
        # Labels first: they keep the record's own case, which the suggestion then uses.
        vocabulary[:0] = [h.label for h in hits[:5]]
        vocabulary += [_text(kind, row) for row, _ in rows[:5]]
    close_policies = _text_hits(policies, query_words, exact=False)
    _add(results, "policy", close_policies)
    vocabulary[:0] = [h.label for h in close_policies[:5]]
    results.suggestion = suggest(query_words, vocabulary)
    _order(results)
    return results


def _add(results: Results, type_: str, hits: list[Hit]) -> None:
    if hits:
        ranked = sorted(hits, key=lambda h: (-h.score, h.label.lower(), h.url))[:GROUP_LIMIT]
        more = reverse("registry:entity_list") + "?q=" if type_ == "entity" and len(hits) >= GROUP_LIMIT else ""
        results.groups.append(Group(type_, ranked, more_url=more))


def _order(results: Results) -> None:
    order = list(GROUP_TITLES)
    results.groups.sort(key=lambda g: (-g.hits[0].score, order.index(g.type)))


def _text(kind: _Kind, row: Any) -> str:
    return " ".join(str(getattr(row, f) or "") for f in kind.fields)


def _hit(kind: _Kind, row: Any, score: float) -> Hit:
    label, url, detail = kind.hit(row)
    return Hit(label, url, detail, score)


def rank(label: str, query_words: list[str]) -> float:
    """Exact name 3, name starting with the query 2, every word in the name 1.5, elsewhere 1."""
    name, phrase = label.lower(), " ".join(query_words)
    if name == phrase:
        return 3.0
    if name.startswith(phrase):
        return 2.0
    return 1.5 if all(w in name for w in query_words) else 1.0


def _containing(kind: _Kind, qs: QuerySet[Any], query_words: list[str]) -> QuerySet[Any]:
    """Rows where every word is in one of the kind's fields."""
    if connection.vendor == "postgresql":
        # Plain ILIKE on the column (not Django's UPPER(...) LIKE): the GIN trigram index serves it.
        table = qs.model._meta.db_table
        where = "(" + " OR ".join(f"{table}.{f} ILIKE %s" for f in kind.fields) + ")"
        for word in query_words:
            pattern = "%" + word.replace("\\", "\\\\").replace("_", "\\_") + "%"
            qs = qs.extra(where=[where], params=[pattern] * len(kind.fields))  # fixed SQL; words are parameters
        return qs
    for word in query_words:
        any_field = Q()
        for f in kind.fields:
            any_field |= Q(**{f"{f}__icontains": word})
        qs = qs.filter(any_field)
    return qs


def _exact_hits(kind: _Kind, drafts: bool, query_words: list[str]) -> list[Hit]:
    qs = _containing(kind, kind.queryset(drafts), query_words)
    hits = []
    for row in qs.order_by("pk")[: GROUP_LIMIT * 5]:
        label, url, detail = kind.hit(row)
        hits.append(Hit(label, url, detail, rank(label, query_words)))
    return hits


def _fuzzy_rows(kind: _Kind, drafts: bool, query_words: list[str]) -> list[tuple[Any, float]]:
    qs = kind.queryset(drafts)
    if connection.vendor == "postgresql":
        return _trigram_rows(qs, kind.fields[0], " ".join(query_words))
    texts = {pk: " ".join(str(v or "") for v in values)
             for pk, *values in qs.order_by().values_list("pk", *kind.fields)}
    scored = close_texts(texts, query_words)
    rows = qs.in_bulk([pk for pk, _ in scored])
    return [(rows[pk], score) for pk, score in scored if pk in rows]


def _trigram_rows(qs: QuerySet[Any], column: str, phrase: str) -> list[tuple[Any, float]]:
    """Rows whose `column` holds words like the phrase's (pg_trgm `<%`, served by the GIN trigram index)."""
    table = qs.model._meta.db_table
    similarity = f"word_similarity(%s, {table}.{column})"
    rows = qs.extra(  # fixed SQL over known columns; the phrase is a parameter
        select={"trgm_score": similarity}, select_params=[phrase],
        where=[f"%s <%% {table}.{column}", f"{similarity} >= %s"], params=[phrase, phrase, TRGM_THRESHOLD],
    ).order_by("-trgm_score", "pk")[:GROUP_LIMIT]
    return [(row, float(row.trgm_score)) for row in rows]


def close_texts(texts: dict[Any, str], query_words: list[str]) -> list[tuple[Any, float]]:
    """Keys of the texts holding something close to every query word (rapidfuzz's partial ratio: the
    best-aligned stretch of the text; a word under 4 letters must appear as is), scored by the mean
    closeness (0..1), best first."""
    lowered = {key: text.lower() for key, text in texts.items()}
    scores: dict[Any, float] | None = None
    for qword in query_words:
        if len(qword) < 4:
            best = {key: 1.0 for key, text in lowered.items() if qword in text}
        else:
            best = {key: score / 100 for _, score, key in process.extract(
                qword, lowered, scorer=fuzz.partial_ratio, score_cutoff=WORD_SCORE_CUTOFF, limit=GROUP_LIMIT * 50)}
        scores = best if scores is None else {k: scores[k] + v for k, v in best.items() if k in scores}
    ranked = sorted((scores or {}).items(), key=lambda kv: (-kv[1], len(lowered[kv[0]]), str(kv[0])))
    return [(key, total / len(query_words)) for key, total in ranked[:GROUP_LIMIT]]


def words_of(text: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(text)]


def suggest(query_words: list[str], texts: Iterable[str]) -> str:
    """The query with each word replaced by the closest word of the close matches' texts, if that
    changes anything (case as the record writes it: "durhm" -> "Durham")."""
    vocabulary: dict[str, str] = {}
    for text in texts:
        for word in WORD_RE.findall(text):
            vocabulary.setdefault(word.lower(), word)
    if not vocabulary:
        return ""
    corrected = []
    for qword in query_words:
        if qword in vocabulary:
            corrected.append(vocabulary[qword])
            continue
        best = process.extractOne(qword, list(vocabulary), scorer=fuzz.ratio, score_cutoff=WORD_SCORE_CUTOFF)
        corrected.append(vocabulary[best[0]] if best else qword)
    suggestion = " ".join(corrected)
    return "" if suggestion.lower() == " ".join(query_words) else suggestion


_POLICY_CACHE: dict[tuple[Any, ...], dict[str, tuple[str, str, str]]] = {}


def _policy_texts() -> dict[str, tuple[str, str, str]]:
    """Policy id -> (title, url, detail) of the law packs and instruments on disk (all public). Parsing
    them costs ~15 ms, so the answer is kept until a file is added, removed or changed."""
    dirs = policy_services.policy_dirs()
    try:
        key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in policy_files(dirs))
    except (OSError, TiewatchError):
        key = ()
    if key and key in _POLICY_CACHE:
        return _POLICY_CACHE[key]
    try:
        instruments = policy_services.load_instruments(dirs)
    except TiewatchError:
        return {}
    texts = {i.id: (i.title or i.id, reverse("policies:detail", args=[i.id]), i.body or "") for i in instruments}
    _POLICY_CACHE.clear()
    _POLICY_CACHE[key] = texts
    return texts


def _text_hits(policies: dict[str, tuple[str, str, str]], query_words: list[str], exact: bool) -> list[Hit]:
    texts = {pid: f"{title} {detail} {pid}" for pid, (title, _, detail) in policies.items()}
    if exact:
        keys = [(pid, rank(policies[pid][0], query_words)) for pid, text in texts.items()
                if all(w in text.lower() for w in query_words)]
    else:
        keys = close_texts(texts, query_words)
    return [Hit(policies[pid][0], policies[pid][1], policies[pid][2], score) for pid, score in keys]
