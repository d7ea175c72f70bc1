"""Legal response deadlines of public-records laws, from the YAML table data/records_deadlines.yaml.

Plain Python (no Django): the table is read with the project's input layer, so a bad row names its
file, line and field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tiewatch.core.errors import Problem, ValidationFailed
from tiewatch.core.inputs.lines import line_of
from tiewatch.core.inputs.text import read_text
from tiewatch.core.inputs.yaml_input import load_yaml

TABLE = Path(__file__).resolve().parent / "data" / "records_deadlines.yaml"
COUNTS = ("business", "calendar")


@dataclass(frozen=True, slots=True)
class Law:
    code: str
    name: str
    citation: str
    days: int | None
    count: str
    verified: bool

    def deadline(self, sent_on: dt.date) -> dt.date | None:
        """The last day to answer a request sent on `sent_on` (the day of sending not counted)."""
        if self.days is None:
            return None
        if self.count == "calendar":
            return sent_on + dt.timedelta(days=self.days)
        day, left = sent_on, self.days
        while left:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day


def parse_table(text: str, file: str) -> dict[str, Law]:
    data = load_yaml(text, file)
    if not isinstance(data, dict) or not data:
        raise ValidationFailed("the deadline table is not a mapping of law codes",
                               [Problem("expected a mapping of law codes", file=file, line=1)])
    laws: dict[str, Law] = {}
    problems: list[Problem] = []
    for code, row in data.items():
        line = line_of(data, code)
        if not isinstance(row, dict):
            problems.append(Problem("expected a mapping", field=str(code), file=file, line=line))
            continue
        days, count = row.get("days"), row.get("count")
        for field, ok in (("name", isinstance(row.get("name"), str)), ("citation", isinstance(row.get("citation"), str)),
                          ("days", days is None or (isinstance(days, int) and not isinstance(days, bool) and days > 0)),
                          ("count", count in COUNTS), ("verified", isinstance(row.get("verified"), bool))):
            if not ok:
                problems.append(Problem(f"bad or missing {field}", field=f"{code}.{field}", file=file,
                                        line=line_of(row, field) or line))
        if not problems:
            laws[str(code)] = Law(str(code), row["name"], row["citation"], days, str(count), row["verified"])
    if problems:
        raise ValidationFailed("the deadline table has errors", problems)
    return laws


@cache
def laws() -> dict[str, Law]:
    return parse_table(read_text(TABLE), str(TABLE))


def law_for(code: str) -> Law:
    table = laws()
    if code not in table:
        raise ValidationFailed(f"no deadline row for {code!r}",
                               [Problem(f"unknown law {code!r}; known: {', '.join(sorted(table))}", field="law")])
    return table[code]
