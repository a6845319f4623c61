"""HRESULT arithmetic, naming from the tables, and extraction from text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from knowledge.codes.tables import CodeRow, tables
from knowledge.findings import DEFAULT_LANG, CodeInfo, Lang

FACILITIES: Final[dict[int, str]] = {
    0: "NULL",
    1: "RPC",
    2: "DISPATCH",
    3: "STORAGE",
    4: "ITF",
    7: "WIN32",
    8: "WINDOWS",
    9: "SECURITY",
    10: "CONTROL",
    11: "CERT",
    12: "INTERNET",
    15: "SETUPAPI",
    16: "SCARD",
    17: "COMPLUS",
    19: "URT",
    25: "HTTP",
    32: "BACKGROUNDCOPY",
    36: "WINDOWSUPDATE",
    51: "WINRM",
    2000: "CONFIGMGR",
}
_WIN32_FACILITY = 7
_UNSIGNED_FACILITIES = frozenset({7, 36, 2000})
_WU_SUCCESS_FACILITY = 0x0024
MAX_LINE_CHARS = 8 * 1024
"""Codes are looked for in the first 8 KB of each line."""
_MAX_WIN32 = 0xFFFF

_HEX_PREFIXED = r"0[xX](?P<hex>[0-9A-Fa-f]{8})(?![0-9A-Fa-f])"
_HEX_AFTER_HR = r"(?i:\bhr\s*=\s*)(?P<hr>[0-9A-Fa-f]{8})(?![0-9A-Za-z])"
_HEX_BARE = r"(?<![0-9A-Za-z_-])(?P<bare>8(?=[0-9]{0,6}[A-Fa-f])[0-9A-Fa-f]{7})(?![0-9A-Za-z_-])"
_SIGNED = r"(?<![\w.-])(?P<signed>-[12]\d{9})(?!\w|\.\d)"
_UNSIGNED = r"(?<![\w.-])(?P<unsigned>[234]\d{9})(?!\w|\.\d)"
# Possessive `\s*+` and one optional separator: no two quantifiers compete for the same
# whitespace, so a keyword followed by 40,000 blanks costs one pass (security review V4/E1).
_KEYWORD = r"(?i:(?:\b(?:error|code|hr|result|exit code)\b|コード)\s*+(?:[:=#]\s*+)?)"
_KEYWORD_DEC = _KEYWORD + r"(?P<dec>\d{1,10})(?![0-9A-Za-z.])"
_SYMBOL = r"(?<![A-Za-z0-9_])(?P<sym>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![A-Za-z0-9_])"
_CODE_IN_TEXT = re.compile(
    "|".join((_HEX_PREFIXED, _HEX_AFTER_HR, _HEX_BARE, _SIGNED, _UNSIGNED, _KEYWORD_DEC, _SYMBOL))
)
_LONE_HEX = re.compile(r"^(?:0[xX])?([0-9A-Fa-f]{1,8})$")


def _as_hresult(value: int) -> int:
    """Win32 numbers become HRESULT_FROM_WIN32; signed negatives wrap to 32 bits."""
    if value < 0:
        return value & 0xFFFFFFFF
    if 0 < value <= _MAX_WIN32:
        return 0x80070000 | value
    return value


def decode_value(value: int, *, lang: Lang = DEFAULT_LANG) -> CodeInfo | None:
    """Decode an integer: an HRESULT (signed or unsigned) or a plain Win32 error number."""
    if not -0x80000000 <= value <= 0xFFFFFFFF:
        return None
    hresult = _as_hresult(value)
    facility = (hresult >> 16) & 0x7FF
    low = hresult & 0xFFFF
    table = tables()
    row: CodeRow | None = table.hresults.get(hresult)
    win32 = table.win32.get(low) if facility == _WIN32_FACILITY else None
    if row is None:
        row = win32
    names = [n for n in (*_names(row), *_names(win32)) if n]
    meaning = row.meaning_in(lang) if row is not None else _generic_meaning(hresult, facility, low)
    unique = list(dict.fromkeys(names))
    return CodeInfo(
        code=f"0x{hresult:08X}",
        name=unique[0] if unique else None,
        aliases=unique[1:],
        meaning=meaning,
        severity="error" if hresult & 0x80000000 else "success",
        facility=FACILITIES.get(facility, f"facility {facility}"),
        facility_code=facility,
        code_value=low,
        source=row.source if row is not None else None,
    )


def _names(row: CodeRow | None) -> tuple[str | None, ...]:
    return (row.name, *row.aliases) if row is not None else ()


def _generic_meaning(hresult: int, facility: int, low: int) -> str:
    if facility == _WIN32_FACILITY:
        return f"Win32 error {low} (facility WIN32); no entry in our tables"
    name = FACILITIES.get(facility)
    where = f"facility {name} ({facility})" if name else f"facility {facility}"
    return f"code {low} in {where}; no entry in our tables"


def decode(text: str | int, *, lang: Lang = DEFAULT_LANG) -> CodeInfo | None:
    """Decode `0x80072ee2`, `80072EE2`, `-2147012894`, `2147954402`, `12002` or a symbol."""
    if isinstance(text, int):
        return decode_value(text, lang=lang)
    raw = text.strip()
    if not raw or len(raw) > 64:
        return None
    if re.fullmatch(r"[+-]?\d{1,10}", raw):
        number = int(raw)
        if len(raw) == 8 and _MAX_WIN32 < number < 0x80000000:
            # `80240001`: as a decimal it is neither a Win32 error nor an HRESULT; it is hex
            return decode_value(int(raw, 16), lang=lang)
        return decode_value(number, lang=lang)
    if match := _LONE_HEX.match(raw):
        digits = match.group(1)
        if raw[:2].lower() == "0x" or len(digits) == 8:
            return decode_value(int(digits, 16), lang=lang)
    return lookup_symbol(raw, lang=lang)


def lookup_symbol(name: str, *, lang: Lang = DEFAULT_LANG) -> CodeInfo | None:
    """A symbolic name (`ERROR_WINHTTP_TIMEOUT`, `CCM_E_NO_CLIENT_PKI_CERT`), any case."""
    key = name.strip().upper()
    table = tables()
    if key in table.by_name:
        return decode_value(table.by_name[key], lang=lang)
    symbol = table.symbols.get(key)
    if symbol is None:
        return None
    meaning = symbol.meaning_in(lang)
    return CodeInfo(code=symbol.name, name=symbol.name, meaning=meaning, severity="error")


def _plausible_unsigned(value: int) -> bool:
    """A bare 10-digit number is a code only when it is an error HRESULT our tables name or of
    a facility update logs use (a byte count such as 2516582400 is not an error)."""
    if not 0x80000000 <= value <= 0xFFFFFFFF:
        return False
    return value in tables().hresults or (value >> 16) & 0x7FF in _UNSIGNED_FACILITIES


def _known_symbol(name: str) -> bool:
    table = tables()
    return name in table.by_name or name in table.symbols


def find_codes(text: str, *, limit: int = 50, lang: Lang = DEFAULT_LANG) -> list[CodeInfo]:
    """Every code and known symbol in `text`, in order of first appearance, at most `limit`.

    The text is searched line by line, each line on its first MAX_LINE_CHARS only, so no single
    regex search sees more than 8 KB (security review V4/E2).
    """
    found: dict[str, CodeInfo] = {}
    for line in _lines(text):
        for match in _CODE_IN_TEXT.finditer(line, 0, MAX_LINE_CHARS):
            info = _info_for(match, lang)
            if info is not None and info.code not in found:
                found[info.code] = info
                if len(found) >= limit:
                    return list(found.values())
    return list(found.values())


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` without copying it whole (a 1 MB paste is not split into a list)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start : min(end, start + MAX_LINE_CHARS)]
        start = end + 1


def _info_for(match: re.Match[str], lang: Lang) -> CodeInfo | None:
    if hex_digits := match.group("hex") or match.group("hr") or match.group("bare"):
        value = int(hex_digits, 16)
        if value & 0x80000000 or (match.group("hex") and value >> 16 == _WU_SUCCESS_FACILITY):
            return decode_value(value, lang=lang)  # errors, and WU_S_* written 0x0024xxxx
        return None
    if signed := match.group("signed"):
        value = int(signed)
        return decode_value(value, lang=lang) if value >= -0x80000000 else None
    if unsigned := match.group("unsigned"):
        value = int(unsigned)
        return decode_value(value, lang=lang) if _plausible_unsigned(value) else None
    if dec := match.group("dec"):
        value = int(dec)
        if len(dec) == 8 and _MAX_WIN32 < value < 0x80000000 and dec.startswith("8"):
            return decode_value(int(dec, 16), lang=lang)  # `error 80244022`: hex without 0x
        if value <= _MAX_WIN32 or 0x80000000 <= value <= 0xFFFFFFFF:
            return decode_value(value, lang=lang) if value else None
        return None
    symbol = match.group("sym")
    return lookup_symbol(symbol, lang=lang) if symbol and _known_symbol(symbol) else None
