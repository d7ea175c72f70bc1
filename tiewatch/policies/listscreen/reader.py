"""A list to screen, read and checked in full before anything is matched or stored.

The file goes through the one input layer (tiewatch.core.inputs): size cap, UTF-8 with the line of
the first bad byte, CSV with the line each record starts on. On top of it, list rules: a name column,
only known hint columns, no formula cells (a value a spreadsheet would run, the start of CSV
injection), hints in the registry's own vocabulary. Every problem names the line and the column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tiewatch.core.csvsafe import FORMULA_STARTS, PLAIN_NUMBER
from tiewatch.core.errors import Problem, ValidationFailed, did_you_mean
from tiewatch.core.inputs import InputError, decode, read_csv
from tiewatch.policies.listscreen import conf
from tiewatch.resolution.engine import Query
from tiewatch.resolution.matching import Hints, query_of

HINT_COLUMNS = ("state", "country", "kind", "jurisdiction", "aliases")
# Carried through to the report untouched: the caller's own row id and a free note.
PASS_COLUMNS = ("id", "note")
ALIAS_SEPARATORS = ("|", ";")
MAX_PROBLEMS = 50  # enough to fix a file in a few rounds; a file wrong on every row says so quickly


@dataclass(frozen=True, slots=True)
class ListRow:
    line: int
    query: Query
    row_id: str = ""
    note: str = ""


class ListError(InputError):
    """A list refused as a whole: nothing was matched, nothing stored."""


def formula_problem(value: str) -> str:
    if value and value[0] in FORMULA_STARTS and not PLAIN_NUMBER.fullmatch(value):
        return (f"starts with {value[0]!r}, which a spreadsheet runs as a formula: {value[:40]!r}; "
                "remove the leading character (or write it after a letter)")
    return ""


def read_list(data: bytes, file: str = "<upload>", name_column: str = "name") -> list[ListRow]:
    """Every row of the list as a Query; ListError naming file:line:column for each problem found."""
    cap = conf.max_bytes()
    if len(data) > cap:
        raise ListError([Problem(f"file is {len(data):,} bytes, over the limit of {cap:,} "
                                 "(setting TIEWATCH_SCREEN_LIST_MAX_BYTES); split the list", file=file)])
    text = decode(data, file)
    header, rows = read_csv(text, file)
    _check_header(header, file, name_column)
    problems: list[Problem] = []
    out: list[ListRow] = []
    limit = conf.max_rows()
    for row in _rows(rows, problems, file):
        if len(out) >= limit:
            problems.append(Problem(f"more than {limit:,} rows (setting TIEWATCH_SCREEN_LIST_MAX_ROWS); "
                                    "split the list", file=file, line=row.line))
            break
        listed = _list_row(row.line, row.values, file, name_column, problems)
        if listed is not None:
            out.append(listed)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ListError(problems[:MAX_PROBLEMS], f"the list has problems ({len(problems)} shown); nothing was screened")
    if not out:
        raise ListError([Problem("the list has a header but no rows", file=file, line=2)])
    return out


def _check_header(header: list[str], file: str, name_column: str) -> None:
    known = (name_column, *HINT_COLUMNS, *PASS_COLUMNS)
    problems = [Problem(f"unknown column{did_you_mean(column, known)}; the columns are {name_column} "
                        f"(required), {', '.join(HINT_COLUMNS)}, {', '.join(PASS_COLUMNS)}",
                        file=file, line=1, field=column or "(blank)")
                for column in header if column not in known]
    if name_column not in header:
        problems.insert(0, Problem(f"no {name_column!r} column{did_you_mean(name_column, header)} "
                                   "(choose another with --name-column)", file=file, line=1, field=name_column))
    if problems:
        raise ListError(problems, "the list's header is wrong; nothing was screened")


def _rows(rows: Iterator, problems: list[Problem], file: str) -> Iterator:
    for row in rows:
        if row.extra:
            problems.append(Problem(f"{len(row.extra)} value(s) beyond the header's columns", file=file,
                                    line=row.line, field="(extra)"))
            continue
        bad = [(column, why) for column, value in row.values.items() if (why := formula_problem(value))]
        if bad:
            problems.extend(Problem(why, file=file, line=row.line, field=column) for column, why in bad)
            continue
        yield row


def _list_row(line: int, values: dict[str, str], file: str, name_column: str,
              problems: list[Problem]) -> ListRow | None:
    aliases = values.get("aliases", "")
    for separator in ALIAS_SEPARATORS[1:]:
        aliases = aliases.replace(separator, ALIAS_SEPARATORS[0])
    hints = Hints(name=values.get(name_column, ""), state=values.get("state", ""),
                  country=values.get("country", ""), kind=values.get("kind", ""),
                  jurisdiction=values.get("jurisdiction", ""), aliases=tuple(aliases.split(ALIAS_SEPARATORS[0])))
    try:
        query = query_of(hints, file=file, line=line)
    except ValidationFailed as error:
        problems.extend(Problem(p.message, field=name_column if p.field == "name" else p.field, file=file,
                                line=line) for p in error.problems)
        return None
    return ListRow(line=line, query=query, row_id=values.get("id", "").strip(), note=values.get("note", "").strip())
