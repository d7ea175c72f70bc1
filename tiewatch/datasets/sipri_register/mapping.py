"""One SIPRI Trade Register file -> registry rows: one `arms_transfer` tie per deal, from the supplier
to the recipient, citing one source per file (dated by the file's "Data generated" line).

Plain Python over the arms module's reader (tiewatch.arms.engine): no database here. Which stored
entity a supplier or recipient lands on is decided by `linking.py`.

Tie ids come from the deal's content, not its line: supplier, recipient, order year and the weapon
designation folded to letters and digits (SIPRI re-spells designations between releases, "M28" ->
"M-28"), plus the deal's rank among deals sharing that key. So re-importing a file is a no-op and a
newer release updates the deals it shares with the older one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tiewatch.arms.engine.countries import countries, kind_of
from tiewatch.arms.engine.readers import Parsed, read_file, release_of
from tiewatch.core.errors import Problem, ValidationFailed
from tiewatch.core.partial_dates import PartialDate
from tiewatch.registry.importers.validate import EntityRow, SourceRow, TieRow

DATASET = "sipri_register"
PUBLISHER = "SIPRI"
DATABASE_URL = "https://armstransfers.sipri.org/"
NOTES = {
    "org": "An international organisation (SIPRI marks it **).",
    "non_state": "A non-state armed group (SIPRI marks it *).",
    "unknown": "SIPRI's placeholder for a supplier or recipient it cannot name.",
}


def slug(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-") or "unnamed"


def fold(text: str) -> str:
    """Letters and digits only, lower case: 'AW-119 Koala' == 'AW119 Koala'."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKD", text).casefold())


@dataclass(frozen=True, slots=True)
class Party:
    """A supplier or recipient as SIPRI names it (canonical name from the arms country table)."""

    sipri_name: str
    id: str
    name: str
    kind: str  # registry entity kind
    country: str  # ISO alpha-2 or ""
    aliases: tuple[str, ...] = ()
    note: str = ""
    uncertain: bool = False

    @property
    def is_state(self) -> bool:
        return self.kind == "government"

    def row(self) -> EntityRow:
        return EntityRow(id=self.id, name=self.name, kind=self.kind, country=self.country, jurisdiction=None,
                         aliases=list(self.aliases), parent=None, note=self.note, uncertain=self.uncertain,
                         published=True, extra={"national_government": True} if self.is_state and self.country else {},
                         sources=[])


def party(sipri_name: str) -> Party:
    entry = countries().by_name.get(sipri_name)
    kind = entry.kind if entry else kind_of(sipri_name)
    name = sipri_name.rstrip("*").strip() or sipri_name
    aliases = tuple(a for a in (entry.aliases if entry else ()) if a != name)[:10]
    if kind == "state":
        iso2 = (entry.iso2 if entry else "").upper()
        prefix = iso2.lower() if iso2 else "sipri"
        return Party(sipri_name, f"{prefix}-{slug(name)}", name, "government", iso2, aliases)
    return Party(sipri_name, f"sipri-{slug(name)}", name, "organization", "", aliases, NOTES[kind],
                 uncertain=kind == "unknown")


@dataclass
class MappedFile:
    path: str
    generated: date
    release: str
    rows: int
    split_records: int
    source: SourceRow
    parties: dict[str, Party] = field(default_factory=dict)  # by SIPRI name
    ties: list[TieRow] = field(default_factory=list)  # subject/counterparts: Party ids, before linking


def source_for(path: str, generated: date, head: str) -> SourceRow:
    """One source per file: the release it holds, the day SIPRI generated it, and a digest of its
    metadata lines (two different queries generated the same day stay two sources)."""
    digest = hashlib.sha1(head.encode("utf-8")).hexdigest()[:8]
    stamp = generated.isoformat()
    return SourceRow(
        id=f"sipri-trade-register-{stamp}-{digest}",
        url=f"{DATABASE_URL}#trade-register-generated-{stamp}-{digest}",
        title=f"SIPRI Arms Transfers Database, Trade Register ({release_of(generated)} release, "
              f"data generated {stamp}): {Path(path).name}",
        publisher="Stockholm International Peace Research Institute (SIPRI)",
        published_on=stamp, excerpt=head.split("\n", 1)[0].strip()[:500])


def read_register(path: str | Path) -> tuple[Parsed, str]:
    """The arms module's reader, refusing anything but a dated Trade Register export."""
    raw = Path(path).read_bytes()
    parsed = read_file(path, raw)
    file = str(path)
    if parsed.fmt != "trade_register":
        raise ValidationFailed(f"{file}: not a Trade Register", [Problem(
            f"a SIPRI Trade Register export is expected, this is a {parsed.fmt.replace('_', ' ')} file",
            file=file, line=1, field="format")])
    if parsed.generated is None:
        raise ValidationFailed(f"{file}: undated", [Problem(
            "no 'Data generated: <date>' line in the metadata: the release cannot be dated",
            file=file, line=1, field="Data generated")])
    text = raw.decode("latin-1")
    head = text[:text.find("Recipient,Supplier,Year of order")]
    return parsed, head


def map_file(path: str | Path) -> MappedFile:
    parsed, head = read_register(path)
    assert parsed.generated is not None  # read_register refused undated files
    deals = parsed.deals
    mapped = MappedFile(path=str(path), generated=parsed.generated, release=release_of(parsed.generated),
                        rows=len(deals["line"]), split_records=parsed.split_records,
                        source=source_for(str(path), parsed.generated, head))
    for name in {*deals["supplier"], *deals["recipient"]}:
        mapped.parties[name] = party(name)
    ranks = _ranks(deals)
    for i in range(mapped.rows):
        mapped.ties.append(_tie(mapped, {c: deals[c][i] for c in deals}, ranks[i]))
    return mapped


def _key(deal: dict[str, Any]) -> tuple[str, str, str, str]:
    year = "" if deal["order_year"] is None else str(deal["order_year"])
    return deal["supplier"], deal["recipient"], year, fold(deal["designation"] or "")


def _ranks(deals: dict[str, list[Any]]) -> list[int]:
    """Each deal's rank among the deals sharing its key, in an order of their content (numbers,
    description, unit value), not of their place in the file."""
    groups: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
    for i in range(len(deals["line"])):
        groups[_key({c: deals[c][i] for c in ("supplier", "recipient", "order_year", "designation")})].append(i)
    ranks = [0] * len(deals["line"])
    for members in groups.values():
        if len(members) > 1:
            members.sort(key=lambda i: (deals["number_ordered"][i] or -1, fold(deals["description"][i] or ""),
                                        deals["tiv_unit"][i] or -1.0, deals["line"][i]))
            for rank, i in enumerate(members):
                ranks[i] = rank
    return ranks


def tie_id(deal: dict[str, Any], rank: int) -> str:
    key = _key(deal)
    digest = hashlib.sha1("|".join([*key, str(rank)]).encode("utf-8")).hexdigest()[:12]
    return f"sipri-{slug(key[0], 40)}-{slug(key[1], 40)}-{key[2] or 'undated'}-{digest}"


def _years(text: str) -> list[int]:
    return sorted({int(part) for part in (text or "").split(";") if part.strip()})


def attributes(deal: dict[str, Any], mapped: MappedFile) -> dict[str, Any]:
    """SIPRI's columns as typed attributes; empty cells left out, '?' marks as *_uncertain flags."""
    values: dict[str, Any] = {
        "weapon_designation": deal["designation"], "weapon_description": deal["description"],
        "number_ordered": deal["number_ordered"], "number_delivered": deal["number_delivered"],
        "order_year": deal["order_year"], "delivery_years": _years(deal["delivery_years"]),
        "condition": deal["status"], "comments": deal["comments"],
        "tiv_per_unit": deal["tiv_unit"], "tiv_total_order": deal["tiv_order"],
        "tiv_delivered": deal["tiv_delivered"],
        "supplier": deal["supplier"], "recipient": deal["recipient"],
        "release": mapped.release, "generated": mapped.generated.isoformat(),
    }
    for flag in ("order_year_uncertain", "number_ordered_uncertain", "number_delivered_uncertain"):
        if deal[flag]:
            values[flag] = True
    return {k: v for k, v in values.items() if v not in (None, "", [])}


def _tie(mapped: MappedFile, deal: dict[str, Any], rank: int) -> TieRow:
    delivered = _years(deal["delivery_years"])
    year = deal["order_year"]
    uncertain = bool(deal["order_year_uncertain"] or deal["number_ordered_uncertain"]
                     or deal["number_delivered_uncertain"])
    return TieRow(
        id=tie_id(deal, rank), subject=mapped.parties[deal["supplier"]].id,
        counterparts=[mapped.parties[deal["recipient"]].id], program=None, kind="arms_transfer",
        start=PartialDate(year) if year else None,
        end=PartialDate(delivered[-1]) if delivered and year and delivered[-1] > year else None,
        years=[], status="reported" if delivered else "planned", attributes=attributes(deal, mapped),
        note="", uncertain=uncertain, published=True, sources=[mapped.source.id],
        line=deal["line"], file=mapped.path)
