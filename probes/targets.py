"""Host names are checked before anything connects: DNS or NetBIOS names, or IP literals."""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
MAX_NAME = 253


class BadHostName(ValueError):
    """The text cannot be a host name; the message says why, briefly."""


def validate_host(text: str) -> str:
    """Return the host name, lower-cased, or raise BadHostName."""
    name = text.strip()
    if not name:
        raise BadHostName("empty host name")
    if len(name) > MAX_NAME:
        raise BadHostName("host name longer than 253 characters")
    if not name.isascii():
        raise BadHostName("host names must be plain ASCII (letters, digits, '-' and '.')")
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    labels = name.rstrip(".").split(".")
    for label in labels:
        if not _LABEL.match(label):
            raise BadHostName(
                f"'{_printable(name)}' is not a valid host name: use letters, digits and '-' "
                "(not first or last), dot-separated"
            )
    if labels[-1].isdigit():
        raise BadHostName(f"'{_printable(name)}' looks like a malformed IP address")
    return name.rstrip(".").lower()


def _printable(text: str) -> str:
    clean = "".join(ch if ch.isprintable() else "?" for ch in text)
    return clean if len(clean) <= 60 else clean[:57] + "..."
