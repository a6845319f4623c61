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

from knowledge.findings import LANGS, Lang

TABLE_DIR = Path(__file__).parent
HRESULT_TABLES: tuple[str, ...] = ("wu.tsv", "configmgr.tsv", "hresult.tsv", "winhttp.tsv")
_HRESULT_COLUMNS = ("hresult", "name", "aliases", "meaning", "source")
_WIN32_COLUMNS = ("code", "name", "meaning")
_SYMBOL_COLUMNS = ("name", "meaning")
_TRANSLATION = "meaning_"
"""A `meaning_<lang>` column holds the meaning in a reply language (`knowledge.findings.LANGS`);
a table may leave a language out, or a row's cell empty: the English meaning is shown then."""


class CodeTableError(ValueError):
    """A table row that cannot be used; the message names the file and line."""


class CodeRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: int = Field(ge=0, le=0xFFFFFFFF)
    name: str | None = None
    aliases: tuple[str, ...] = ()
    meaning: str = Field(min_length=1)
    translations: dict[Lang, str] = Field(default_factory=dict)
    source: str | None = None

    @field_validator("name", "source", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def meaning_in(self, lang: Lang) -> str:
        return self.translations.get(lang) or self.meaning


class SourcedRow(CodeRow):
    """A row of an HRESULT table: the source (a URL) is required."""

    source: str = Field(pattern=r"^https://\S+$")


class SymbolRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[A-Z][A-Z0-9_]+$")
    meaning: str = Field(min_length=1)
    translations: dict[Lang, str] = Field(default_factory=dict)

    def meaning_in(self, lang: Lang) -> str:
        return self.translations.get(lang) or self.meaning


@dataclass(frozen=True)
class CodeTables:
    win32: dict[int, CodeRow]
    hresults: dict[int, CodeRow]
    symbols: dict[str, SymbolRow]
    by_name: dict[str, int]


def _columns(path: Path, lines: list[str], required: tuple[str, ...]) -> list[str]:
    """The column names, from the last `# name<TAB>name…` comment line before the first row."""
    header: list[str] = []
    for line in lines:
        if not line.startswith("#"):
            break
        names = [name.strip() for name in line.removeprefix("#").split("\t")]
        if len(names) > 1:
            header = names
    missing = [name for name in required if name not in header]
    unknown = [
        name
        for name in header
        if name not in required and not (name.startswith(_TRANSLATION) and name[len(_TRANSLATION) :] in LANGS)
    ]
    if missing or unknown:
        raise CodeTableError(
            f"{path.name}: the `# ` header line must name the columns {', '.join(required)} and any "
            f"meaning_<language> ({', '.join(LANGS)}); "
            f"missing {missing or 'none'}, unknown {unknown or 'none'}"
        )
    return header


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = _columns(path, lines, required)
    out: list[tuple[int, dict[str, str]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) > len(header):
            raise CodeTableError(
                f"{path.name} line {number}: {len(cells)} columns, expected at most {len(header)}"
            )
        out.append((number, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))))
    return out


def _translations(cells: dict[str, str]) -> dict[str, str]:
    return {
        name[len(_TRANSLATION) :]: text.strip()
        for name, text in cells.items()
        if name.startswith(_TRANSLATION) and text.strip()
    }


def _row_error(path: Path, number: int, exc: ValueError) -> CodeTableError:
    detail = exc.errors()[0] if isinstance(exc, ValidationError) else None
    field = f"field {detail['loc'][0]}: {detail['msg']}" if detail else f"code: {exc}"
    return CodeTableError(f"{path.name} line {number}: {field}")


def read_hresult_table(path: Path) -> dict[int, SourcedRow]:
    """One HRESULT table: `0x…`, name, comma-separated aliases, meaning, its translations, source URL."""
    table: dict[int, SourcedRow] = {}
    for number, cells in _rows(path, _HRESULT_COLUMNS):
        try:
            value = int(cells["hresult"].strip(), 16)
            aliases = tuple(a.strip() for a in cells["aliases"].split(",") if a.strip())
            row = SourcedRow(
                value=value,
                name=cells["name"].strip(),
                aliases=aliases,
                meaning=cells["meaning"],
                translations=_translations(cells),
                source=cells["source"].strip(),
            )
        except ValueError as exc:
            raise _row_error(path, number, exc) from None
        if value in table:
            raise CodeTableError(f"{path.name} line {number}: code {cells['hresult']} appears twice")
        table[value] = row
    return table


def _win32_rows(path: Path) -> dict[int, CodeRow]:
    table: dict[int, CodeRow] = {}
    for number, cells in _rows(path, _WIN32_COLUMNS):
        try:
            value = int(cells["code"].strip())
            row = CodeRow(
                value=value, name=cells["name"], meaning=cells["meaning"], translations=_translations(cells)
            )
        except ValueError as exc:
            raise _row_error(path, number, exc) from None
        if value in table:
            raise CodeTableError(f"{path.name} line {number}: code {cells['code']} appears twice")
        table[value] = row
    return table


def _symbol_rows(path: Path) -> dict[str, SymbolRow]:
    table: dict[str, SymbolRow] = {}
    for number, cells in _rows(path, _SYMBOL_COLUMNS):
        try:
            row = SymbolRow(
                name=cells["name"].strip(), meaning=cells["meaning"], translations=_translations(cells)
            )
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
            "translations": {**later.translations, **first.translations},
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
