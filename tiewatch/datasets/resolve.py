"""How a dataset import resolves the entities its rows name.

The importer takes a `Resolver` with the signature of `resolve_incoming` (INTERFACES.md section 3),
injectable so a caller (a test, a bench, a future matcher) can pass another; the default is the
registry's `resolve_incoming`: standing decisions first, then the matching engine (link when
certain, create and queue for review when in doubt, create otherwise). A proposed id that is
already an entity (an earlier import of the same files) is linked to itself before the resolver
is asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tiewatch.resolution.engine import Candidate, Query
from tiewatch.resolution.services import Resolution, queue_pairs, resolve_incoming

Resolver = Callable[[Sequence[tuple[str, Query]], str], list[Resolution]]
QueuePairs = Callable[[Sequence[tuple[str, str, Candidate]], str], int]
DEFAULT_RESOLVER: Resolver = resolve_incoming
DEFAULT_QUEUE: QueuePairs = queue_pairs

# Spellings the same agency takes in different files, folded before an id is derived from a name,
# so "DURHAM POLICE DEPT" and "Durham Police Department" propose one id. Kept here, not taken
# from the matching engine's tables: ids must stay the same when those tables grow.
_WORDS = {"dept": "department", "dpt": "department", "pd": "police department", "so": "sheriffs office",
          "co": "county", "cty": "county", "twp": "township", "univ": "university", "sheriff's": "sheriffs"}
_NON_WORD = re.compile(r"[^a-z0-9']+")


def normalise_name(name: str) -> str:
    words = _NON_WORD.sub(" ", name.casefold()).split()
    return " ".join(_WORDS.get(w, w).replace("'", "") for w in words)


__all__ = ["DEFAULT_QUEUE", "DEFAULT_RESOLVER", "Query", "QueuePairs", "Resolution", "Resolver", "normalise_name"]
