"""One SIPRI Trade Register file -> dataset rows: one `arms_transfer` tie per deal, from the supplier
to the recipient, citing one source per file (dated by the file's "Data generated" line), dated by
its order year (the delivery years, numbers and TIV are attributes).

Plain Python over the arms module's reader (tiewatch.arms.engine): no database here. Which stored
entity a supplier or recipient lands on is decided by `linking.py` and the import's resolver.

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
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from tiewatch.arms.engine.countries import countries, kind_of
from tiewatch.arms.engine.readers import Parsed, read_file, release_of
from tiewatch.core.date_words import date_words
from tiewatch.core.errors import ValidationFailed
from tiewatch.core.inputs import InputError
from tiewatch.core.inputs.text import problem
from tiewatch.datasets.rows import DatasetRow, IncomingEntity, SourceSpec

DATASET = "sipri_register"
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


def party(sipri_name: str) -> IncomingEntity:
    """A supplier or recipient as SIPRI names it (canonical name from the arms country table): a
    state is a government entity (`il-israel`), an organisation or armed group an organization."""
    entry = countries().by_name.get(sipri_name)
    kind = entry.kind if entry else kind_of(sipri_name)
    name = sipri_name.rstrip("*").strip() or sipri_name
    if kind == "state":
        iso2 = (entry.iso2 if entry else "").upper()
        prefix = iso2.lower() if iso2 else "sipri"
        return IncomingEntity(id=f"{prefix}-{slug(name)}", name=name, kind="government", country=iso2,
                              extra={"national_government": True} if iso2 else {})
    return IncomingEntity(id=f"sipri-{slug(name)}", name=name, kind="organization", country="",
                          uncertain=kind == "unknown", extra={"type": NOTES[kind]})


def source_for(path: str, generated: date, head: str) -> SourceSpec:
    """One source per file: the release it holds, the day SIPRI generated it, and a digest of its
    metadata lines (two different queries generated the same day stay two sources)."""
    digest = hashlib.sha1(head.encode("utf-8")).hexdigest()[:8]
    stamp = generated.isoformat()
    return SourceSpec(
        id=f"sipri-trade-register-{stamp}-{digest}",
        url=f"{DATABASE_URL}#trade-register-generated-{stamp}-{digest}",
        title=f"SIPRI Arms Transfers Database, Trade Register ({date_words(release_of(generated))} release, "
              f"data generated {date_words(generated)}): {Path(path).name}",
        publisher="Stockholm International Peace Research Institute (SIPRI)",
        published_on=generated, excerpt=head.split("\n", 1)[0].strip()[:500])


def read_register(path: str | Path, label: str) -> tuple[Parsed, str]:
    """The arms module's reader, refusing anything but a dated Trade Register export."""
    raw = Path(path).read_bytes()
    try:
        parsed = read_file(label, raw)
    except ValidationFailed as error:
        raise InputError(error.problems, str(error)) from None
    if parsed.fmt != "trade_register":
        raise problem(f"a SIPRI Trade Register export is expected, this is a {parsed.fmt.replace('_', ' ')} file",
                      label, 1, "format")
    if parsed.generated is None:
        raise problem("no 'Data generated: <date>' line in the metadata: the release cannot be dated",
                      label, 1, "Data generated")
    text = raw.decode("latin-1")
    head = text[:text.find("Recipient,Supplier,Year of order")]
    return parsed, head


def map_file(path: str | Path, label: str = "", linked: dict[str, str] | None = None) -> Iterator[DatasetRow]:
    label = label or str(path)
    parsed, head = read_register(path, label)
    return map_parsed(parsed, head, label, linked)


def map_parsed(parsed: Parsed, head: str, label: str, linked: dict[str, str] | None = None) -> Iterator[DatasetRow]:
    """Every deal of one read file as a tie row. `linked`: SIPRI name -> the id of a stored entity
    it stands for (then named by id, not proposed anew)."""
    assert parsed.generated is not None  # read_register refused undated files
    deals = parsed.deals
    source = source_for(label, parsed.generated, head)
    parties: dict[str, IncomingEntity | str] = {}
    for name in {*deals["supplier"], *deals["recipient"]}:
        parties[name] = (linked or {}).get(name) or party(name)
    release = release_of(parsed.generated)
    group = Path(label).name
    for i, rank in enumerate(_ranks(deals)):
        deal = {c: deals[c][i] for c in deals}
        year = deal["order_year"]
        yield DatasetRow(
            file=label, line=deal["line"], sheet="deals", key=deal_key(deal, rank), group=group,
            as_of=parsed.generated, subject=parties[deal["supplier"]], counterparts=(parties[deal["recipient"]],),
            program=None, kind="arms_transfer", date=date(year, 1, 1) if year else None,
            status="reported" if _years(deal["delivery_years"]) else "planned",
            attributes=attributes(deal, release, parsed.generated), source=source, date_precision="year")


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


def deal_key(deal: dict[str, Any], rank: int) -> tuple[str, ...]:
    """What identifies a deal across releases (the framework hashes it into the tie id)."""
    return (*_key(deal), str(rank))


def _years(text: str) -> list[int]:
    return sorted({int(part) for part in (text or "").split(";") if part.strip()})


def attributes(deal: dict[str, Any], release: str, generated: date) -> dict[str, Any]:
    """SIPRI's columns as typed attributes; empty cells left out, '?' marks as *_uncertain flags."""
    values: dict[str, Any] = {
        "weapon_designation": deal["designation"], "weapon_description": deal["description"],
        "number_ordered": deal["number_ordered"], "number_delivered": deal["number_delivered"],
        "order_year": deal["order_year"], "delivery_years": _years(deal["delivery_years"]),
        "condition": deal["status"], "comments": deal["comments"],
        "tiv_per_unit": deal["tiv_unit"], "tiv_total_order": deal["tiv_order"],
        "tiv_delivered": deal["tiv_delivered"],
        "supplier": deal["supplier"], "recipient": deal["recipient"],
        "release": release, "generated": generated.isoformat(),
    }
    for flag in ("order_year_uncertain", "number_ordered_uncertain", "number_delivered_uncertain"):
        if deal[flag]:
            values[flag] = True
    return {k: v for k, v in values.items() if v not in (None, "", [])}
