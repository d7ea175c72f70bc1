"""JSON API of the research desk's coverage (mounted by config/api.py at /api/desk/).

Read-only and public: published agencies only; a researcher appears by their public credit
("anonymous" when they chose so), never by name or email. Errors use the one shape of config/api.py.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from tiewatch.core.errors import NotFound
from tiewatch.desk import coverage, questions
from tiewatch.registry.models import Entity

router = Router(tags=["desk"])


class QuestionOut(Schema):
    slug: str
    title: str
    description: str


class StateCounts(Schema):
    state: str
    found: int
    nothing_found: int
    not_researched: int


class CoverageRecord(Schema):
    agency: str
    agency_name: str
    state: str
    question: str
    answer: str
    researched_on: str
    method: str
    consulted: list[str]
    ties: list[str]
    sources: list[str]
    credit: str


class CoverageOut(Schema):
    question: QuestionOut
    found: int
    nothing_found: int
    not_researched: int
    states: list[StateCounts]
    records: list[CoverageRecord]


class AgencyAnswer(Schema):
    question: str
    answer: str
    record: CoverageRecord | None


def _question(slug: str) -> questions.Question:
    question = questions.question(slug)
    if question is None:
        raise NotFound(f"No question {slug!r}; the questions are " +
                       ", ".join(q.slug for q in questions.questions()) + ".")
    return question


@router.get("/desk/questions", response=list[QuestionOut], summary="The declared research questions")
def list_questions(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"slug": q.slug, "title": q.title, "description": q.description} for q in questions.questions()]


@router.get("/desk/coverage/{question}", response=CoverageOut, summary="Coverage of one question")
def question_coverage(request: HttpRequest, question: str) -> dict[str, Any]:
    asked = _question(question)
    summary = coverage.summary(asked)
    return {
        "question": {"slug": asked.slug, "title": asked.title, "description": asked.description},
        **summary.totals,
        "states": [{"state": row.state, **row.counts} for row in summary.states],
        "records": coverage.export_records(asked.slug),
    }


@router.get("/desk/agencies/{agency_id}/coverage", response=list[AgencyAnswer],
            summary="What has been researched about one agency")
def agency_coverage(request: HttpRequest, agency_id: str) -> list[dict[str, Any]]:
    agency = coverage.public_agencies().filter(pk=agency_id[:150]).first()
    if agency is None or not isinstance(agency, Entity):
        raise NotFound("No published agency with this id.")
    out = []
    for answer in coverage.agency_answers(agency):
        record = answer["record"]
        if record is not None:
            record.agency = agency
        out.append({"question": answer["question"].slug,
                    "answer": record.state if record else coverage.NOT_RESEARCHED,
                    "record": coverage.coverage_dict(record) if record else None})
    return out
