"""Normalisation of signer identity (plain Python, no Django: the benchmark uses it too).

`normalise_email` gives the key of a mailbox: two spellings of one mailbox get one key (the database
refuses a second signature under the same key), two mailboxes never share one.
"""

from __future__ import annotations

import re
import unicodedata

import idna

_GMAIL = {"gmail.com", "googlemail.com"}
# RFC 5322 dot-atom (with RFC 6531's non-ASCII characters): the local parts that need no quoting.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\U0010ffff-]"
_DOT_ATOM = re.compile(rf"{_ATEXT}+(\.{_ATEXT}+)*\Z")
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)


def normalise_email(value: str) -> str:
    """Trim and lower-case; write an internationalised domain in its ASCII (IDNA) form, without a
    trailing root dot; drop a '+tag' from the local part, and the dots of Gmail addresses; quote the
    local part only where it needs quotes (`"x"@example.org` is `x@example.org`, RFC 5321 4.1.2)."""
    value = (value or "").strip()
    local, _, domain = value.rpartition("@")
    if not local:
        return value.lower()
    mailbox = _unquoted(unicodedata.normalize("NFC", local).lower())
    domain = normalise_domain(domain)
    mailbox = mailbox.split("+", 1)[0] or mailbox
    if domain in _GMAIL:
        domain = "gmail.com"
        mailbox = mailbox.replace(".", "")
    if not _DOT_ATOM.match(mailbox):
        mailbox = '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{mailbox}@{domain}"


def _unquoted(local: str) -> str:
    """The mailbox a local part names: a quoted string's content with its escapes resolved."""
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        return _QUOTED_PAIR.sub(r"\1", local[1:-1])
    return local


def normalise_domain(domain: str) -> str:
    """Lower-case ASCII form of a domain: `Bücher.Example.` -> `xn--bcher-kva.example` (IDNA 2008
    with UTS 46 mapping, non-transitional: `straße.de` and `strasse.de` stay two domains). A domain
    that IDNA refuses (or an address literal such as `[127.0.0.1]`) is only lower-cased."""
    domain = domain.strip().rstrip(".").lower() if not domain.startswith("[") else domain.lower()
    if domain.isascii() and "xn--" not in domain:
        return domain  # plain ASCII: lower-casing is the whole UTS 46 mapping
    try:
        return idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError:
        return domain


def normalise_name(value: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (value or "").lower()).split())
