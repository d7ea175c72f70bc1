"""Search over entity names and aliases: PostgreSQL full-text search (GIN index of migration 0003) when
there, `icontains` on each word on SQLite; the same answers on both for whole words and word prefixes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from tiewatch.registry import queries
from tiewatch.registry.models import Entity


def found(q: str, drafts: bool = False) -> set[str]:
    return set(queries.search_entities(queries.entities(drafts), q).values_list("pk", flat=True))


def test_name_words_case_insensitive(seeded: Any) -> None:
    assert "us-nc-durham-police-department" in found("durham")
    assert "us-nc-durham-police-department" in found("DURHAM Police")
    assert found("Durham Police Department") == {"us-nc-durham-police-department"}


def test_word_prefixes(seeded: Any) -> None:
    assert "us-nc-durham-police-department" in found("Durh")
    assert "il-israel-police" in found("isr pol")


def test_aliases(seeded: Any) -> None:
    assert found("Shin Bet") == {"il-israel-security-agency"}
    assert "il-israel-defense-forces" in found("idf")
    assert "il-israel-border-police" in found("magav")


def test_every_word_must_match(seeded: Any) -> None:
    assert found("durham zzzqqq") == set()
    assert found("Raleigh Durham") == set()


@pytest.mark.parametrize("q", ["", "   ", "!!! & | :*", "'", "\\"])
def test_no_words_finds_nothing(seeded: Any, q: str) -> None:
    assert found(q) == set()


@pytest.mark.parametrize("q", ["durham & police", "durham:* | x", "(durham", "o'brien", "d!u@r#h$a%m"])
def test_query_syntax_is_not_interpreted(seeded: Any, q: str) -> None:
    found(q)  # no database error on either backend


def test_search_respects_drafts(seeded: Any) -> None:
    Entity.objects.filter(pk="us-nc-durham-police-department").update(published=False)
    assert "us-nc-durham-police-department" not in found("durham")
    assert "us-nc-durham-police-department" in found("durham", drafts=True)


def test_new_names_are_searchable(db: Any) -> None:
    Entity.objects.create(id="xx-test-agency", name="Test Agency", kind="police_agency", aliases=["Zebra Unit"])
    assert found("zebra") == {"xx-test-agency"}
    assert found("test agen") == {"xx-test-agency"}


def test_each_database_uses_its_own_search(seeded: Any) -> None:
    """PostgreSQL: full-text search over a GIN index; SQLite: a word-by-word LIKE fallback.
    (CI runs the suite on both, so each branch is exercised there.)"""
    if connection.vendor != "postgresql":
        sql = str(queries.search_entities(Entity.objects.all(), "durham police").order_by().query)
        assert "to_tsvector" not in sql and sql.count("LIKE") == 2
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'registry_entity_search_fts'")
        row = cursor.fetchone()
    assert row and "gin" in row[0].lower() and "to_tsvector" in row[0]
    qs = queries.search_entities(Entity.objects.all(), "durham").order_by()
    assert "to_tsvector('simple', registry_entity.search_text)" in str(qs.query)
    with connection.cursor() as cursor:
        # A tiny table: rule out the other plans to show the planner can use the index at all.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        try:
            plan = qs.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
            cursor.execute("SET enable_indexscan = on")
    assert "registry_entity_search_fts" in plan
