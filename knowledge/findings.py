"""The result shapes shared by `cmbot explain`, `cmbot check` and the Slack views: data, no prose.

The core fills cause IDs, confidence, evidence, decoded codes and notice keys. Words a reader sees
(titles, remedies, notices) are made at the top, in the reader's language, by `bot.render.present`;
the `--json` contract in PRODUCT.md is such a rendering (`bot.render.text`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["error", "warning", "info"]
Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")
"""Every reply language: one message catalog each (`bot/render/catalog/`), one text per KB entry."""
DEFAULT_LANG: Lang = LANGS[0]
"""The default reply language (CMBOT_LANG unset), and the language of the code tables' `meaning`
column and of the fleet export's table."""


class Phrase(BaseModel):
    """Words to be made at the top: a message-catalog key (`bot/render/catalog/*.yaml`) and its
    parameters; a parameter may itself be a Phrase (rendered first, in the same language)."""

    key: str
    params: dict[str, str | int | float | Phrase] = Field(default_factory=dict)


Params = dict[str, str | int | float | Phrase]


def lang_named(code: str | None) -> Lang | None:
    """The reply language a language code or locale names (`ja`, `ja-JP`, `EN_us`), or None.

    Slack's `users.info` gives `locale` as an IETF tag such as `ja-JP` or `en-US`
    (docs.slack.dev/reference/methods/users.info, `include_locale`): its first subtag is the language."""
    if not code:
        return None
    first = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return next((lang for lang in LANGS if lang == first), None)


def next_lang(lang: Lang) -> Lang:
    """The language a reply's language button switches to: the next in LANGS, round."""
    return LANGS[(LANGS.index(lang) + 1) % len(LANGS)]


class Refused(ValueError):
    """A request refused for a reason the reader is told in their language (`reason`, a catalog
    Phrase, worded at the top); `str()` is the reason's key and parameters, for logs and audits."""

    def __init__(self, reason: Phrase) -> None:
        self.reason = reason
        params = ", ".join(f"{k}={v.key if isinstance(v, Phrase) else v!r}" for k, v in reason.params.items())
        super().__init__(f"{reason.key}({params})" if params else reason.key)


Notice = Phrase
"""Something the reader should know about the input (cut, binary, slow): `notice.*` keys."""


def said(key: str, **params: str | int | float | Phrase) -> Phrase:
    return Phrase(key=key, params=params)


class Evidence(BaseModel):
    """One line (or collapsed run of identical lines) that supports a finding; or, from a live
    check, one fact read from the host (`fact`, worded at the top; `text` and `file` empty: the
    renderer names the source)."""

    text: str = ""
    fact: Phrase | None = None
    line: int | None = None
    file: str | None = None
    timestamp: datetime | None = None
    component: str | None = None
    severity: Severity | None = None
    count: int = 1
    last_timestamp: datetime | None = None
    last_line: int | None = None


class Finding(BaseModel):
    """A cause that the evidence points at. The core leaves `title`, `summary`, `remedy` and `links`
    empty; `bot.render.present.present_finding` fills them from the knowledge entry in one language."""

    id: str
    title: str = ""
    confidence: float = Field(ge=0.0, le=1.0)
    reasoning: str = ""
    """Empty when a literal pattern matched; else the stage and code the finding was reasoned from."""
    summary: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    remedy: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)


class CodeInfo(BaseModel):
    """An error code found in the input, decoded and named where our tables know it."""

    code: str
    name: str | None = None
    """The one canonical symbolic name; other names of the same code are in `aliases`."""
    aliases: list[str] = Field(default_factory=list)
    meaning: str | None = None
    severity: str | None = None
    facility: str | None = None
    facility_code: int | None = None
    code_value: int | None = None
    source: str | None = None
    """Where the name and meaning come from (a Microsoft page)."""
    causes: list[str] = Field(default_factory=list)


class Explanation(BaseModel):
    """What `cmbot explain` prints with `--json`; an empty findings list is a valid answer."""

    findings: list[Finding] = Field(default_factory=list)
    codes: list[CodeInfo] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
