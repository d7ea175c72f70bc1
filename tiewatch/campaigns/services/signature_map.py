"""Where a petition's confirmed signatures come from: counts by postal (ZIP) code, county and state,
never a signer. Cells under SUPPRESS_BELOW are neither drawn nor named (one line gives their sum), so a
small area never reveals who signed. Offline batches carry no address and are left out of the maps."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from tiewatch.campaigns.models import Petition, Signature
from tiewatch.core.maps.places import locate_zip
from tiewatch.core.maps.render import MapFigure, count_map

SUPPRESS_BELOW = 10


@dataclass
class SignatureMap:
    maps: list[MapFigure]
    postal_codes: list[tuple[str, int]]   # (ZIP code, signatures), only those of SUPPRESS_BELOW or more
    suppressed: int                       # signatures in postal areas under SUPPRESS_BELOW each
    unplaced: int                         # signatures whose postal code is no known US ZIP code
    threshold: int = SUPPRESS_BELOW
    total: int = field(default=0)


def postal_counts(petition: Petition) -> dict[str, int]:
    """Counted (confirmed, not invalidated) signatures by five-digit ZIP code, in SQL: one GROUP BY."""
    out: dict[str, int] = {}
    rows = (Signature.objects.filter(petition=petition, confirmed_at__isnull=False, invalidated_at__isnull=True)
            .order_by().values_list("postal_code").annotate(n=Count("id")))
    for code, n in rows:
        key = "".join(c for c in code if c.isdigit())[:5]
        out[key] = out.get(key, 0) + n
    return out


def signature_map(petition: Petition) -> SignatureMap:
    by_zip = postal_counts(petition)
    states: dict[str, int] = {}
    counties: dict[str, int] = {}
    unplaced = 0
    for code, n in by_zip.items():
        state, county = locate_zip(code)
        if state is None:
            unplaced += n
            continue
        states[state] = states.get(state, 0) + n
        if county:
            counties[county] = counties.get(county, 0) + n
    shown = sorted(((c, n) for c, n in by_zip.items() if n >= SUPPRESS_BELOW and locate_zip(c)[0]),
                   key=lambda cn: (-cn[1], cn[0]))
    suppressed = sum(by_zip.values()) - unplaced - sum(n for _, n in shown)
    maps = [count_map("Confirmed signatures by county", counties, level="county", unit="signatures",
                      suppress_below=SUPPRESS_BELOW),
            count_map("Confirmed signatures by state", states, level="state", unit="signatures",
                      suppress_below=SUPPRESS_BELOW)]
    return SignatureMap(maps, shown, suppressed, unplaced, total=sum(by_zip.values()))
