"""The real-text corpus (`tests/corpus/<group>/<id>.yaml`): load, validate and score it.

Each case is real text with its source and the cause it shows (or none, for a negative); see
tests/corpus/README.md. `score` runs every case through `explain` exactly as `cmbot explain
--json` does and counts, per cause, how often the top finding is right.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.causes import CAUSE_IDS
from knowledge.datafile import field_problems, read_yaml
from knowledge.findings import Explanation, Lang

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "corpus"
_CASE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_README_ID = re.compile(r"^\| `([a-z0-9-]+)` \|", re.MULTILINE)


class CorpusError(ValueError):
    """One or more case files are broken; each line names the file and field."""


class Case(BaseModel):
    """One real text with where it came from and the cause it shows (None: a negative)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_CASE_ID)
    lang: Lang
    kind: Literal["log", "prose", "code", "mixed"]
    text: str = Field(min_length=1)
    source: str = Field(min_length=8)
    expect: str | None
    also: list[str] = Field(default_factory=list)
    note: str = Field(min_length=1)

    @field_validator("source")
    @classmethod
    def _source_shape(cls, value: str) -> str:
        if not (value.startswith(("https://", "http://")) or re.match(r"^[\w.-]+/[\w.-]+:\S+", value)):
            raise ValueError("give a URL or owner/repo:path that shows the text")
        return value

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset(([self.expect] if self.expect else []) + self.also)


def load_corpus(directory: Path = CORPUS_DIR, known_causes: Iterable[str] = ()) -> list[Case]:
    """Every case under `directory`; CorpusError lists every broken file with its field."""
    allowed = set(known_causes) | set(CAUSE_IDS) | readme_causes(directory)
    cases: list[Case] = []
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*/*.y*ml")):
        try:
            raw = read_yaml(path, CorpusError, "corpus case")
            case = Case.model_validate(raw or {})
        except CorpusError as exc:
            problems.append(str(exc))
            continue
        except ValidationError as exc:
            problems.append(f"{path}: {field_problems(exc)}")
            continue
        if case.id in seen:
            problems.append(f"{path}: field id: {case.id!r} is also used by {seen[case.id]}")
        seen[case.id] = path
        unknown = sorted(c for c in case.accepted if allowed and c not in allowed)
        if unknown:
            problems.append(
                f"{path}: field expect/also: unknown cause ID(s) {unknown}; "
                "use an ID of knowledge/entries or add it to tests/corpus/README.md"
            )
        cases.append(case)
    if problems:
        raise CorpusError("\n".join(problems))
    return cases


def readme_causes(directory: Path) -> set[str]:
    """The new cause IDs the corpus README lists (its table of IDs beyond the entries)."""
    readme = directory / "README.md"
    return set(_README_ID.findall(readme.read_text(encoding="utf-8"))) if readme.is_file() else set()


@dataclass(frozen=True)
class Outcome:
    case: Case
    top: str | None
    found: tuple[str, ...]

    @property
    def right(self) -> bool:
        return self.top in self.case.accepted if self.case.expect else not self.found


@dataclass
class CauseScore:
    expected: int = 0
    recalled: int = 0
    predicted: int = 0
    precise: int = 0

    @property
    def recall(self) -> float | None:
        return self.recalled / self.expected if self.expected else None

    @property
    def precision(self) -> float | None:
        return self.precise / self.predicted if self.predicted else None


@dataclass
class Score:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def positives(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.expect]

    @property
    def negatives(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.case.expect]

    @property
    def top_right_rate(self) -> float:
        positives = self.positives
        return sum(o.right for o in positives) / len(positives) if positives else 1.0

    @property
    def false_finding_rate(self) -> float:
        negatives = self.negatives
        return sum(not o.right for o in negatives) / len(negatives) if negatives else 0.0

    def by_cause(self) -> dict[str, CauseScore]:
        scores: dict[str, CauseScore] = {}
        for outcome in self.outcomes:
            expect = outcome.case.expect
            if expect:
                expected = scores.setdefault(expect, CauseScore())
                expected.expected += 1
                expected.recalled += outcome.right
            if outcome.top:
                predicted = scores.setdefault(outcome.top, CauseScore())
                predicted.predicted += 1
                predicted.precise += bool(expect) and outcome.right
        return dict(sorted(scores.items()))


def score(cases: Sequence[Case], explain: Callable[[str, Lang], Explanation]) -> Score:
    """Run every case through `explain(text, lang)`; the top finding is the first one."""
    result = Score()
    for case in cases:
        explanation = explain(case.text, case.lang)
        found = tuple(f.id for f in explanation.findings)
        result.outcomes.append(Outcome(case, found[0] if found else None, found))
    return result
