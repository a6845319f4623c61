"""Pydantic models for knowledge entries (`knowledge/entries/*.yaml`).

One file holds one cause. The same schema is used for a team's own directory named by
`CMBOT_KB_PATH`, so the models check what an author would get wrong and say how to fix it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.findings import DEFAULT_LANG, LANGS, Lang

Category = Literal["transport", "client", "mp", "target", "sup", "content", "window", "reboot", "platform"]

_CAUSE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HEX_CODE = re.compile(r"^0x[0-9A-F]{8}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RemedyStep(_Strict):
    """One ordered step. `command` and `console_path` are shown verbatim (code formatting)."""

    text: str = Field(min_length=1)
    command: str | None = None
    console_path: str | None = None


class LocalizedText(_Strict):
    """Everything a reader sees, in one language."""

    title: str = Field(min_length=1, max_length=150)
    cause: str = Field(min_length=1)
    symptoms: list[str] = Field(min_length=1)
    remedy: list[RemedyStep] = Field(min_length=1)


class Link(_Strict):
    url: str = Field(pattern=r"^https?://\S+$")
    title: str = Field(min_length=1)
    lang: Lang = DEFAULT_LANG


class Pattern(_Strict):
    """A regular expression over one log line (matched case-insensitively).

    `confidence` says how specific the pattern is: a line that can only mean this cause is
    close to 1.0; a generic error text shared by several causes is lower.
    """

    regex: str = Field(min_length=1)
    confidence: float = Field(default=0.8, ge=0.0, le=1.0)
    log: str | None = Field(default=None, description="log file the line comes from, e.g. WUAHandler.log")

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"regex does not compile ({exc}); escape literal dots and brackets") from exc
        return value


class Examples(_Strict):
    """Lines the entry's patterns must match and must not match; one test runs them all."""

    match: list[str] = Field(min_length=1)
    no_match: list[str] = Field(default_factory=list)


class Entry(_Strict):
    id: str
    category: Category
    severity: Literal["error", "warning", "info"] = "error"
    texts: dict[Lang, LocalizedText]
    """What a reader sees, per reply language: the entry file's top-level `en:`, `ja:` … blocks."""
    links: list[Link] = Field(min_length=1)
    logs: list[str] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list, description="HRESULTs as 0x + 8 upper-case hex digits")
    context_codes: list[str] = Field(
        default_factory=list,
        description="codes that point at this entry only in a failure line of one of its stages "
        "(or looked up alone): codes shared with other features, e.g. 0x800B0101 of any certificate",
    )
    symbols: list[str] = Field(
        default_factory=list,
        description="symbolic names (CCM_E_..., ERROR_WINHTTP_..., registry value names) that "
        "point at this entry when typed alone",
    )
    patterns: list[Pattern] = Field(default_factory=list)
    probes: list[str] = Field(
        default_factory=list,
        description="the probe sections (probes/facts.py field names) a live check reads to find this "
        "cause, or `transport`; tests/probes/test_entry_probes.py keeps it true of probes/diagnosis.py",
    )
    examples: Examples

    @model_validator(mode="before")
    @classmethod
    def _gather_languages(cls, data: object) -> object:
        """Every reply language (`knowledge.findings.LANGS`, one message catalog each) needs its
        block: adding a language is a catalog and a block per entry."""
        if not isinstance(data, dict) or "texts" in data:
            return data
        data = dict(data)
        texts = {lang: data.pop(lang) for lang in LANGS if lang in data}
        missing = [lang for lang in LANGS if lang not in texts]
        if missing:
            raise ValueError(
                f"no {' or '.join(missing)} text: add a top-level `{missing[0]}:` block (title, cause, "
                "symptoms, remedy); every reply language needs one"
            )
        data["texts"] = texts
        return data

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _CAUSE_ID.match(value):
            raise ValueError("use lower-case words joined by '-', e.g. 'sup-scan-timeout'")
        return value

    @field_validator("codes", "context_codes", mode="before")
    @classmethod
    def _yaml_hex_as_code(cls, values: object) -> object:
        """YAML reads an unquoted 0x80072EE2 as an integer; accept it as the code it spells."""
        if isinstance(values, list):
            return [f"0x{v & 0xFFFFFFFF:08X}" if isinstance(v, int) else v for v in values]
        return values

    @field_validator("codes", "context_codes")
    @classmethod
    def _code_shape(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _HEX_CODE.match(value):
                raise ValueError(f"{value!r}: write codes as 0x and 8 upper-case hex digits, e.g. 0x80072EE2")
        return values

    @model_validator(mode="after")
    def _languages_agree(self) -> Entry:
        first, *others = LANGS
        for lang in others:
            have, want = len(self.texts[lang].remedy), len(self.texts[first].remedy)
            if have != want:
                raise ValueError(
                    f"{first} has {want} remedy steps but {lang} has {have}; translate every step"
                )
        if not (self.patterns or self.codes or self.context_codes or self.symbols):
            raise ValueError("give at least one of patterns, codes or symbols so the entry can be found")
        return self

    def text(self, lang: Lang) -> LocalizedText:
        return self.texts[lang]
