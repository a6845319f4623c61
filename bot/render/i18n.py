"""The message catalogs: every label, notice, reason, check line, usage and help line a reply shows,
one YAML file per language, checked at load to hold the same keys and placeholders in each.

Adding a language: a catalog file here plus its text in every knowledge entry
(`knowledge.findings.LANGS` names the languages both must cover).
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Self

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from knowledge.findings import LANGS, Lang, Params, Phrase, Refused

CATALOG_DIR = Path(__file__).parent / "catalog"


class Catalog(BaseModel):
    """Every message in every language: `messages[lang][key]` is a `str.format` template."""

    model_config = ConfigDict(frozen=True)

    messages: dict[Lang, dict[str, str]]

    @model_validator(mode="after")
    def _every_key_in_every_language(self) -> Self:
        missing_langs = [lang for lang in LANGS if lang not in self.messages]
        if missing_langs:
            raise ValueError(f"no catalog for {', '.join(missing_langs)}: add catalog/<lang>.yaml")
        reference = self.messages[LANGS[0]]
        for lang in LANGS[1:]:
            other = self.messages[lang]
            absent = sorted(set(reference) - set(other))
            extra = sorted(set(other) - set(reference))
            if absent or extra:
                raise ValueError(
                    f"{lang}.yaml: missing {absent or 'nothing'}, unknown {extra or 'nothing'}; "
                    f"every key of {LANGS[0]}.yaml needs a translation and no other key"
                )
            for key, template in reference.items():
                if _fields(template) != _fields(other[key]):
                    raise ValueError(
                        f"{lang}.yaml: {key!r} uses {sorted(_fields(other[key]))}, "
                        f"{LANGS[0]}.yaml uses {sorted(_fields(template))}; use the same placeholders"
                    )
        return self

    def say(self, lang: Lang, key: str, params: Params | None = None, **more: str | int | float) -> str:
        """The message in `lang` with its placeholders filled (a Phrase parameter is worded first,
        in the same language); KeyError for a key no catalog has."""
        values = {**(params or {}), **more}
        filled = {
            name: self.say(lang, value.key, value.params) if isinstance(value, Phrase) else value
            for name, value in values.items()
        }
        return self.messages[lang][key].format(**filled)

    def phrase(self, lang: Lang, phrase: Phrase) -> str:
        return self.say(lang, phrase.key, phrase.params)

    def has(self, key: str) -> bool:
        return key in self.messages[LANGS[0]]


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """Read `<lang>.yaml` for every language; a ValueError names the file and what to fix."""
    messages: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        path = directory / f"{lang}.yaml"
        if not path.exists():
            raise ValueError(f"{path}: missing; every language in LANGS needs a catalog")
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            raise ValueError(f"{path}: write one `key: text` line per message (strings only)")
        messages[lang] = raw
    return Catalog.model_validate({"messages": messages})


@functools.cache
def catalog() -> Catalog:
    return load_catalog()


def say(lang: Lang, key: str, params: Params | None = None, **more: str | int | float) -> str:
    """`catalog().say(...)`: the one way a renderer turns a key into words."""
    return catalog().say(lang, key, params, **more)


def phrase(lang: Lang, words: Phrase) -> str:
    """A core result's Phrase (a notice, a check's message, a reason) in `lang`."""
    return catalog().phrase(lang, words)


def reason_of(lang: Lang, exc: Exception) -> str:
    """Why a request was refused, in `lang`: a Refused's reason worded from the catalog; any other
    error (an operator's settings file, named by path and field) as its own message."""
    return phrase(lang, exc.reason) if isinstance(exc, Refused) else str(exc)
