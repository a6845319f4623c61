"""The error-code tables (`*.tsv` beside this file), validated row by row at first use.

Full HRESULTs live in several tables, one per published source, each row with its source URL:

- `wu.tsv`: every row of Microsoft's "Windows Update error codes by component"
  (MicrosoftDocs/windows-itpro-docs:windows/deployment/update/windows-update-error-reference.md);
- `configmgr.tsv`: ConfigMgr client codes (0x87D0xxxx) that Microsoft's pages name;
- `hresult.tsv`: other HRESULTs seen in update and client logs (WinINet, COM, WMI, trust, SSPI, WinRM);
- `winhttp.tsv`: WinHTTP errors (MicrosoftDocs/win32:desktop-src/WinHttp/error-messages.md).

A code in more than one table keeps the name and meaning of the first table in HRESULT_TABLES;
the names the later tables give it become aliases.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

TABLE_DIR = Path(__file__).parent
HRESULT_TABLES: tuple[str, ...] = ("wu.tsv", "configmgr.tsv", "hresult.tsv", "winhttp.tsv")
_HRESULT_COLUMNS = 6  # hresult, name, aliases, meaning, meaning_ja, source


class CodeTableError(ValueError):
    """A table row that cannot be used; the message names the file and line."""


class CodeRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: int = Field(ge=0, le=0xFFFFFFFF)
    name: str | None = None
    aliases: tuple[str, ...] = ()
    meaning: str = Field(min_length=1)
    meaning_ja: str | None = None
    source: str | None = None

    @field_validator("name", "meaning_ja", "source", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class SourcedRow(CodeRow):
    """A row of an HRESULT table: the source (a URL) is required."""

    source: str = Field(pattern=r"^https://\S+$")


class SymbolRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[A-Z][A-Z0-9_]+$")
    meaning: str = Field(min_length=1)
    meaning_ja: str | None = None


@dataclass(frozen=True)
class CodeTables:
    win32: dict[int, CodeRow]
    hresults: dict[int, CodeRow]
    symbols: dict[str, SymbolRow]
    by_name: dict[str, int]


def _rows(path: Path, width: int) -> list[tuple[int, list[str]]]:
    out: list[tuple[int, list[str]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) > width:
            raise CodeTableError(f"{path.name} line {number}: {len(cells)} columns, expected at most {width}")
        out.append((number, cells + [""] * (width - len(cells))))
    return out


def _row_error(path: Path, number: int, exc: ValueError) -> CodeTableError:
    detail = exc.errors()[0] if isinstance(exc, ValidationError) else None
    field = f"field {detail['loc'][0]}: {detail['msg']}" if detail else f"code: {exc}"
    return CodeTableError(f"{path.name} line {number}: {field}")


def read_hresult_table(path: Path) -> dict[int, SourcedRow]:
    """One HRESULT table: `0x…`, name, comma-separated aliases, meaning, Japanese meaning, source URL."""
    table: dict[int, SourcedRow] = {}
    for number, cells in _rows(path, _HRESULT_COLUMNS):
        try:
            value = int(cells[0].strip(), 16)
            aliases = tuple(a.strip() for a in cells[2].split(",") if a.strip())
            row = SourcedRow(
                value=value,
                name=cells[1].strip(),
                aliases=aliases,
                meaning=cells[3],
                meaning_ja=cells[4],
                source=cells[5].strip(),
            )
        except ValueError as exc:
            raise _row_error(path, number, exc) from None
        if value in table:
            raise CodeTableError(f"{path.name} line {number}: code {cells[0]} appears twice")
        table[value] = row
    return table


def _win32_rows(path: Path) -> dict[int, CodeRow]:
    table: dict[int, CodeRow] = {}
    for number, cells in _rows(path, 4):
        try:
            value = int(cells[0].strip())
            row = CodeRow(value=value, name=cells[1], meaning=cells[2], meaning_ja=cells[3])
        except ValueError as exc:
            raise _row_error(path, number, exc) from None
        if value in table:
            raise CodeTableError(f"{path.name} line {number}: code {cells[0]} appears twice")
        table[value] = row
    return table


def _symbol_rows(path: Path) -> dict[str, SymbolRow]:
    table: dict[str, SymbolRow] = {}
    for number, cells in _rows(path, 3):
        try:
            row = SymbolRow(name=cells[0].strip(), meaning=cells[1], meaning_ja=cells[2] or None)
        except ValidationError as exc:
            raise _row_error(path, number, exc) from None
        table[row.name] = row
    return table


def _merge(first: CodeRow, later: CodeRow) -> CodeRow:
    """`first` keeps its name and meaning; `later`'s names are added as aliases."""
    names = [n for n in (first.name, *first.aliases, later.name, *later.aliases) if n]
    unique = list(dict.fromkeys(names))
    return first.model_copy(
        update={
            "name": unique[0] if unique else None,
            "aliases": tuple(unique[1:]),
            "meaning_ja": first.meaning_ja or later.meaning_ja,
        }
    )


def load_tables(directory: Path = TABLE_DIR) -> CodeTables:
    win32 = _win32_rows(directory / "win32.tsv")
    hresults: dict[int, CodeRow] = {}
    for name in HRESULT_TABLES:
        for value, sourced in read_hresult_table(directory / name).items():
            hresults[value] = _merge(hresults[value], sourced) if value in hresults else sourced
    symbols = _symbol_rows(directory / "symbols.tsv")
    by_name: dict[str, int] = {}
    for number, win32_row in win32.items():
        if win32_row.name:
            by_name.setdefault(win32_row.name.upper(), 0x80070000 | number if number else 0)
    for value, code_row in hresults.items():
        for alias in (code_row.name, *code_row.aliases):
            if alias:
                by_name[alias.upper()] = value
    return CodeTables(win32=win32, hresults=hresults, symbols=symbols, by_name=by_name)


@functools.cache
def tables() -> CodeTables:
    return load_tables()
