"""Turn log bytes into text without ever raising.

Windows logs arrive as UTF-8 (with or without BOM), UTF-16 with a BOM (CMTrace can save those, and
ReportingEvents.log is UTF-16 on older builds) or CP932 from Japanese Windows. Anything else is
decoded as UTF-8 with replacement characters.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_SAMPLE = 64 * 1024
_ALLOWED_CONTROL = frozenset(b"\t\n\r\f\x1b")
# CP932 decodes stray bytes 0x80/0xA0/0xFD-0xFF to C1 controls or private-use characters; real
# Japanese logs never contain those, so their presence means "not CP932 after all".
_NOT_JAPANESE_TEXT = re.compile("[\x80-\x9f\ue000-\uf8ff]")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    replaced: bool = False
    """True when invalid bytes were replaced with U+FFFD."""


def _utf16_without_bom(sample: bytes) -> str | None:
    """Spot BOM-less UTF-16 by its NUL bytes on one side of ASCII characters."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """True when the bytes are not text in any encoding we read (many control bytes or NULs)."""
    sample = data[:_SAMPLE]
    if not sample:
        return False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(sample):
        return False
    control = sum(1 for byte in sample if byte < 0x20 and byte not in _ALLOWED_CONTROL)
    return control > len(sample) * 0.1


def decode_bytes(data: bytes) -> DecodedText:
    """Decode by BOM, then strict UTF-8, then strict CP932, then UTF-8 with replacement."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding)
    guessed = _utf16_without_bom(data[:_SAMPLE])
    if guessed:
        return _decode(data, guessed)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        pass
    else:
        if not _NOT_JAPANESE_TEXT.search(text):
            return DecodedText(text, "cp932")
    return DecodedText(data.decode("utf-8", errors="replace"), "utf-8", replaced=True)


def _decode(data: bytes, encoding: str) -> DecodedText:
    try:
        return DecodedText(data.decode(encoding), encoding)
    except UnicodeDecodeError:
        return DecodedText(data.decode(encoding, errors="replace"), encoding, replaced=True)
