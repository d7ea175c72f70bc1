"""Country-name normalisation through `countries.yaml`.

SIPRI renames countries between releases ("Turkey" -> "Turkiye", "Germany (FRG)" -> "Germany",
"Czech Republic" -> "Czechia", "UAE" <-> "United Arab Emirates"), so every name read from a file
goes through one lookup table to a canonical name before anything is summed or compared.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tiewatch.core.errors import NotFound, Problem, ValidationFailed, did_you_mean

TABLE = Path(__file__).with_name("countries.yaml")
KINDS = ("state", "non_state", "org", "unknown")
MAX_NAME = 200  # longer than any name in SIPRI's data


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    kind: str
    sipri_code: str = ""
    iso2: str = ""
    iso3: str = ""
    aliases: tuple[str, ...] = field(default=())


def fold(name: str) -> str:
    """Case-, accent- and space-insensitive key ("Türkiye" == "turkiye ")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(ascii_name.casefold().split())


def kind_of(name: str) -> str:
    """SIPRI's conventions: `**` international organisation, `*` non-state actor, 'unknown ...'."""
    if name.endswith("**"):
        return "org"
    if name.endswith("*"):
        return "non_state"
    if name.casefold().startswith("unknown"):
        return "unknown"
    return "state"


class Countries:
    """The lookup table: canonical names, their variants and codes."""

    def __init__(self, entries: list[Country]) -> None:
        self.by_name = {c.name: c for c in entries}
        self._memo: dict[str, str] = {}  # a file repeats the same few hundred names thousands of times
        self.index: dict[str, Country] = {}
        for c in entries:
            for key in (c.name, *c.aliases, c.sipri_code, c.iso2, c.iso3):
                if key:
                    self.index.setdefault(fold(key), c)

    @classmethod
    def load(cls, path: Path = TABLE) -> Countries:
        # Only when a name needs the table: a query with a canonical name never imports the YAML reader.
        from tiewatch.core.inputs import line_of, load_yaml, read_text

        file = str(path)
        doc = load_yaml(read_text(path), file)
        raw = doc.get("countries") if isinstance(doc, dict) else None
        if not isinstance(raw, list):
            raise ValidationFailed(f"{file}: no countries", [Problem(
                "expected a `countries:` list", file=file, field="countries", line=line_of(doc))])
        entries = []
        for i, e in enumerate(raw):
            if not isinstance(e, dict) or not isinstance(e.get("name"), str) or e.get("kind") not in KINDS:
                raise ValidationFailed(f"{file}: bad country entry", [Problem(
                    f"expected a mapping with a `name` and a `kind` (one of {', '.join(KINDS)})", file=file,
                    field=f"countries[{i}]", line=line_of(raw, i))])
            entries.append(Country(name=e["name"], kind=e["kind"], sipri_code=e.get("sipri_code", ""),
                                   iso2=e.get("iso2", ""), iso3=e.get("iso3", ""),
                                   aliases=tuple(e.get("aliases", ()))))
        return cls(entries)

    def canonical(self, name: str) -> str:
        """Canonical name of a name found in a file; unlisted names are kept as written (trimmed)."""
        done = self._memo.get(name)
        if done is None:
            hit = self.index.get(fold(name))
            done = self._memo[name] = hit.name if hit else " ".join(name.split())
        return done

    def kind(self, name: str) -> str:
        hit = self.by_name.get(name) or self.index.get(fold(name))
        return hit.kind if hit else kind_of(name)

    def resolve(self, query: str, known: Collection[str] | None = None, field_name: str = "country") -> str:
        """A user's country (any variant or code) -> canonical name, or NotFound with 'did you mean'."""
        if len(query) > MAX_NAME or "\0" in query:  # no name is this long: refuse before the fuzzy match
            raise ValidationFailed(f"bad {field_name}", [Problem(
                f"not a country name (at most {MAX_NAME} characters, no NUL)", field=field_name)])
        hit = self.index.get(fold(query))
        if hit and (known is None or hit.name in known):
            return hit.name
        if known is not None:
            for name in known:  # names in the data but not in the table (new SIPRI spellings)
                if fold(name) == fold(query):
                    return name
        choices = sorted(known) if known is not None else list(self.by_name)
        hint = did_you_mean(query, choices) or did_you_mean(query.title(), choices)
        where = " in the loaded data" if hit else ""
        message = f"unknown country {query!r}{where}{hint}"
        raise NotFound(message, [Problem(message, field=field_name)])


@lru_cache(maxsize=1)
def countries() -> Countries:
    return Countries.load()
