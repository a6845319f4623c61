"""Stages of the update flow and code families: reasoning from "what failed" plus "why".

A log line says which stage failed (policy, location, scan, download, install, restart, MP
communication); the code in it says why. `knowledge/stages/<id>.yaml` holds, per stage, the
regexes of its failure lines, the entries a code of that stage can point at, families of codes
(ranges, e.g. every WU_E_PT_* protocol-talker code), and the stage's own cause for a code nothing
else explains. Each file carries examples its patterns must and must not match, validated like
entries.

A stage finding is *reasoned*, not literal: its confidence is below the entries' literal patterns,
highest when an entry of the stage lists the code, lower for a family, lowest for the stage cause.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from knowledge.codes import find_codes
from knowledge.findings import CodeInfo
from knowledge.models import Entry, Examples

STAGE_DIR = Path(__file__).with_name("stages")
LISTED_CONFIDENCE = 0.7
"""A stage failure whose code an entry of that stage lists (e.g. scan + 0x80244022)."""


def _hex(value: object) -> object:
    if isinstance(value, str) and value.lower().startswith("0x"):
        return int(value, 16)
    return value


class Family(BaseModel):
    """A range of codes with one meaning for this stage, e.g. WU_E_PT_* → the SUP cannot be used."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    first: int = Field(ge=0, le=0xFFFFFFFF)
    last: int = Field(ge=0, le=0xFFFFFFFF)
    cause: str
    confidence: float = Field(default=0.55, ge=0.0, le=LISTED_CONFIDENCE)
    source: str = Field(pattern=r"^https://\S+$", description="the page that defines the range")

    @field_validator("first", "last", mode="before")
    @classmethod
    def _hex_value(cls, value: object) -> object:
        return _hex(value)

    @model_validator(mode="after")
    def _ordered(self) -> Family:
        if self.first > self.last:
            raise ValueError(f"first (0x{self.first:08X}) is after last (0x{self.last:08X}); swap them")
        return self

    def holds(self, value: int) -> bool:
        return self.first <= value <= self.last


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    patterns: list[str] = Field(min_length=1, description="regexes of this stage's failure lines")
    causes: list[str] = Field(default_factory=list, description="entries whose codes refine a failure")
    families: list[Family] = Field(default_factory=list)
    cause: str = Field(description="the stage's cause for a failure code nothing else explains")
    confidence: float = Field(default=0.45, ge=0.0, le=LISTED_CONFIDENCE)
    examples: Examples

    @field_validator("patterns")
    @classmethod
    def _compile(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"{value!r} does not compile ({exc})") from exc
        return values


class StageError(ValueError):
    """A stage file is broken; the message names the file and field."""


def load_stages(directory: Path = STAGE_DIR) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            stage = Stage.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except ValidationError as exc:
            fields = "; ".join(
                f"field {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise StageError(f"{path}: {fields}") from None
        except yaml.YAMLError:
            raise StageError(f"{path}: not valid YAML") from None
        if stage.id != path.stem:
            raise StageError(f"{path}: field id: must equal the file name '{path.stem}'")
        stages.append(stage)
    return tuple(stages)


@functools.cache
def builtin_stages() -> tuple[Stage, ...]:
    return load_stages()


@dataclass(frozen=True, slots=True)
class Reasoned:
    """The cause a stage failure points at, how specific that is, and the code behind it."""

    cause: str
    confidence: float
    code: CodeInfo
    basis: str


class Reasoner:
    """Resolves a failure line of a stage to a cause, given the entries that may refine it."""

    def __init__(self, stages: Sequence[Stage], entries: Iterable[Entry]):
        self.stages = {stage.id: stage for stage in stages}
        known = {entry.id: entry for entry in entries}
        self._strong: dict[str, str] = {}
        for entry in known.values():
            for code in entry.codes:
                self._strong.setdefault(code, entry.id)
        self._listed: dict[str, dict[str, str]] = {}
        for stage in stages:
            listed: dict[str, str] = {}
            for cause in stage.causes:
                refined = known.get(cause)
                for code in (*refined.codes, *refined.context_codes) if refined else ():
                    listed.setdefault(code, cause)
            self._listed[stage.id] = listed
        self.usable = {
            stage.id
            for stage in stages
            if stage.cause in known and all(f.cause in known for f in stage.families)
        }

    def resolve(self, stage_id: str, text: str) -> Reasoned | None:
        """The cause for a failure line of `stage_id`, from the first error code in it."""
        stage = self.stages.get(stage_id)
        if stage is None or stage_id not in self.usable:
            return None
        codes = [c for c in find_codes(text, limit=5) if c.severity == "error" and c.code.startswith("0x")]
        if not codes:
            return None
        listed = self._listed[stage_id]
        for code in codes:
            if code.code in listed:
                return Reasoned(listed[code.code], LISTED_CONFIDENCE, code, _basis(stage, code, None))
        for code in codes:  # a code only one cause has, whatever stage reports it
            if code.code in self._strong:
                return Reasoned(self._strong[code.code], LISTED_CONFIDENCE, code, _basis(stage, code, None))
        code = codes[0]
        value = int(code.code, 16)
        for family in stage.families:
            if family.holds(value):
                return Reasoned(family.cause, family.confidence, code, _basis(stage, code, family))
        return Reasoned(stage.cause, stage.confidence, code, _basis(stage, code, None))


def _basis(stage: Stage, code: CodeInfo, family: Family | None) -> str:
    """`a software update scan failed with 0x8024401F (WU_E_PT_...: meaning), a protocol-talker code`."""
    named = f"{code.code} ({code.name}: {code.meaning})" if code.name else f"{code.code} ({code.meaning})"
    return f"a {stage.title} failed with {named}" + (f", {family.name}" if family else "")
