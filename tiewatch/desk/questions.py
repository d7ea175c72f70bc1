"""The declared research questions (questions.yaml): a small list, read once, checked on load."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from tiewatch.core.errors import Problem, ValidationFailed
from tiewatch.core.inputs import LineDict, line_of, load_yaml, read_text

QUESTIONS_FILE = Path(__file__).with_name("questions.yaml")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass(frozen=True, slots=True)
class Question:
    slug: str
    title: str
    description: str


def parse_questions(text: str, file: str) -> tuple[Question, ...]:
    """The questions of one YAML text; every problem names file:line:field."""
    data = load_yaml(text, file)
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ValidationFailed("No questions declared.", [Problem("a non-empty list is required",
                                                                   field="questions", file=file, line=1)])
    problems: list[Problem] = []
    questions: list[Question] = []
    for index, item in enumerate(items):
        where = f"questions[{index}]"
        if not isinstance(item, LineDict):
            problems.append(Problem("must be a mapping", field=where, file=file, line=line_of(items, index)))
            continue
        values = {key: item.get(key) for key in ("slug", "title", "description")}
        for key, value in values.items():
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem("required text", field=f"{where}.{key}", file=file,
                                        line=line_of(item, key) or line_of(item)))
        slug = values["slug"]
        if isinstance(slug, str) and not _SLUG.match(slug):
            problems.append(Problem("lower-case letters, digits and dashes only", field=f"{where}.slug",
                                    file=file, line=line_of(item, "slug")))
        if isinstance(slug, str) and any(q.slug == slug for q in questions):
            problems.append(Problem(f"duplicate slug {slug!r}", field=f"{where}.slug", file=file,
                                    line=line_of(item, "slug")))
        questions.append(Question(*(str(v or "").strip() for v in values.values())))
    if problems:
        raise ValidationFailed("The questions file is invalid.", problems)
    return tuple(questions)


@functools.cache
def questions() -> tuple[Question, ...]:
    return parse_questions(read_text(QUESTIONS_FILE), str(QUESTIONS_FILE.name))


def question(slug: str) -> Question | None:
    return next((q for q in questions() if q.slug == slug), None)


def choices() -> list[tuple[str, str]]:
    return [(q.slug, q.title) for q in questions()]
