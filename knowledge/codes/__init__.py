"""Decode and name error codes: HRESULTs, Win32 errors, Windows Update and ConfigMgr codes.

`decode("0x80072ee2")`, `decode("-2147012894")`, `decode(12002)` and
`lookup_symbol("ERROR_WINHTTP_TIMEOUT")` all give the same `CodeInfo`. `find_codes(text)` pulls
every code and known symbol out of free text or log lines.
"""

from knowledge.codes.decode import decode, decode_value, find_codes, lookup_symbol

__all__ = ["decode", "decode_value", "find_codes", "lookup_symbol"]
