"""`GET /api/search`: the site search (tiewatch/site/search.py) as JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tiewatch.registry.visibility import can_see_drafts
from tiewatch.site import search

router = Router(tags=["search"])


class SearchQuery(Schema):
    q: str = Field(..., max_length=200, description="Words to look for; typos are forgiven.")


class SearchHit(Schema):
    label: str
    url: str
    detail: str


class SearchGroup(Schema):
    type: str
    title: str
    count: int
    results: list[SearchHit]


class SearchOut(Schema):
    q: str
    suggestion: str | None
    close_matches: bool
    groups: list[SearchGroup]


@router.get("/search", response=SearchOut, summary="Search everything",
            description="Entities (names and aliases), places, policies, campaigns, petitions and sources the "
                        "reader may see, grouped by type and ranked. With no exact match, close matches are "
                        "given (`close_matches`) with a corrected query in `suggestion` (\"did you mean\").")
def search_everything(request: HttpRequest, filters: Query[SearchQuery]) -> dict[str, Any]:
    return search.search(filters.q, can_see_drafts(request.user)).as_dict()
