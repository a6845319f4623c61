"""Host names are checked and normalized before anything connects or authorizes.

One normal form per machine name, used by the policy, the credential scope, the host lock and
the endpoint: lower-case, no trailing dot, ASCII (IDNs in their `xn--` form), and every IP literal
in its canonical spelling, however it was typed (`0x7f000001`, `127.1`, `0177.0.0.1` are all
`127.0.0.1`: glibc's inet_aton accepts them, so a resolver would too; man 3 inet_aton).
"""

from __future__ import annotations

import ipaddress
import re
import socket

from knowledge.findings import Refused, said

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)")
MAX_NAME = 253


class BadHostName(Refused):
    """The text cannot be a host name; `reason` (a `refuse.host_*` Phrase) says why, briefly."""


def validate_host(text: str) -> str:
    """Return the normalized host name (see the module docstring), or raise BadHostName."""
    name = text.strip().strip("\"'").strip()
    if not name:
        raise BadHostName(said("refuse.host_empty"))
    if len(name) > MAX_NAME + 1:
        raise BadHostName(said("refuse.host_long", max=MAX_NAME))
    if not name.isascii():
        raise BadHostName(said("refuse.host_ascii"))
    if ":" in name:
        return _ipv6(name)
    name = name.lower().removesuffix(".")
    if len(name) > MAX_NAME:
        raise BadHostName(said("refuse.host_long", max=MAX_NAME))
    labels = name.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise BadHostName(said("refuse.host_invalid", name=_printable(text)))
    if all(_NUMERIC_LABEL.fullmatch(label) for label in labels) or _NUMERIC_LABEL.fullmatch(labels[-1]):
        return _ipv4(name, text)
    return name


def is_ip_literal(name: str) -> bool:
    """True for a normalized name that is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def url_host(name: str) -> str:
    """The host part of a URL for a normalized name: IPv6 literals go in brackets (RFC 3986 3.2.2)."""
    return f"[{name}]" if ":" in name else name


def _ipv4(name: str, text: str) -> str:
    try:
        packed = socket.inet_aton(name)
    except OSError:
        raise BadHostName(said("refuse.host_bad_ip", name=_printable(text))) from None
    return socket.inet_ntoa(packed)


def _ipv6(name: str) -> str:
    bare = name.removeprefix("[").removesuffix("]")
    if "%" in bare:
        raise BadHostName(said("refuse.host_scoped"))
    try:
        address = ipaddress.IPv6Address(bare)
    except ValueError:
        raise BadHostName(said("refuse.host_bad_ipv6", name=_printable(name))) from None
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def _printable(text: str) -> str:
    clean = "".join(ch if ch.isprintable() else "?" for ch in text)
    return clean if len(clean) <= 60 else clean[:57] + "..."
