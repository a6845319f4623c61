"""The error-code tables (`*.tsv` beside this file), validated row by row at first use."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

TABLE_DIR = Path(__file__).parent


class CodeTableError(ValueError):
    """A table row that cannot be used; the message names the file and line."""


class CodeRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: int = Field(ge=0, le=0xFFFFFFFF)
    name: str | None = None
    aliases: tuple[str, ...] = ()
    meaning: str = Field(min_length=1)
    meaning_ja: str | None = None

    @field_validator("name", "meaning_ja", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


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


def _parse_int(text: str, *, hexadecimal: bool) -> int:
    return int(text, 16) if hexadecimal else int(text)


def _code_rows(path: Path, *, hexadecimal: bool, with_aliases: bool) -> dict[int, CodeRow]:
    table: dict[int, CodeRow] = {}
    for number, cells in _rows(path, 5 if with_aliases else 4):
        try:
            value = _parse_int(cells[0].strip(), hexadecimal=hexadecimal)
            aliases = tuple(a.strip() for a in cells[2].split(",") if a.strip()) if with_aliases else ()
            rest = cells[3:] if with_aliases else cells[2:]
            row = CodeRow(value=value, name=cells[1], aliases=aliases, meaning=rest[0], meaning_ja=rest[1])
        except ValueError as exc:
            detail = exc.errors()[0] if isinstance(exc, ValidationError) else None
            field = f"field {detail['loc'][0]}: {detail['msg']}" if detail else f"code: {exc}"
            raise CodeTableError(f"{path.name} line {number}: {field}") from None
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
            detail = exc.errors()[0]
            where = f"{path.name} line {number}: field {detail['loc'][0]}"
            raise CodeTableError(f"{where}: {detail['msg']}") from None
        table[row.name] = row
    return table


def load_tables(directory: Path = TABLE_DIR) -> CodeTables:
    win32 = _code_rows(directory / "win32.tsv", hexadecimal=False, with_aliases=False)
    hresults = _code_rows(directory / "hresult.tsv", hexadecimal=True, with_aliases=True)
    symbols = _symbol_rows(directory / "symbols.tsv")
    by_name: dict[str, int] = {}
    for number, row in win32.items():
        if row.name:
            by_name.setdefault(row.name.upper(), 0x80070000 | number if number else 0)
    for value, row in hresults.items():
        for name in (row.name, *row.aliases):
            if name:
                by_name[name.upper()] = value
    return CodeTables(win32=win32, hresults=hresults, symbols=symbols, by_name=by_name)


@functools.cache
def tables() -> CodeTables:
    return load_tables()
