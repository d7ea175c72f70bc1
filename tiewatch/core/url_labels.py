"""Names for sources that have no title, made from their address (no pydantic: the registry's models
import it, and a policy check must not load pydantic)."""

from __future__ import annotations

import re

_WORDY_SEGMENT = re.compile(r"[A-Za-z]+(?:[-_][A-Za-z0-9]+){2,}")


def url_label(url: str) -> str:
    """A source with no title, named for people: its site, and the words of its address when the
    address has them ("seattletimes.com: city panel oks policy banning exchanges"), else the site alone."""
    rest = url.split("//", 1)[-1]
    host, _, path = rest.partition("/")
    host = host.removeprefix("www.")
    segments = [s for s in re.split(r"[/?#]", path) if s]
    wordy = [s for s in segments if _WORDY_SEGMENT.fullmatch(s.rsplit(".", 1)[0])]
    if not wordy:
        return host
    words = re.sub(r"[-_]+", " ", wordy[-1].rsplit(".", 1)[0])
    return f"{host}: {words}"
