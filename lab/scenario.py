"""Lab scenarios: one YAML file per host in `lab/scenarios/`, validated at load.

A scenario names the host, the cause it demonstrates (`healthy` or a cause ID), how it
authenticates, fault knobs for transport tests, the PowerShell that answers, and the machine
`state`: each section exactly as its script writes it (`probes/scripts/sections/<name>.ps1`), and
under `errors` the failure lines (`Out-Failure`) of sections that threw. A scenario that extends no
other starts from every section's healthy example (`probes/facts.py` healthy_sections). A log
section's `lines` are the log's lines as they stand in the file; the lab prints those the bundle's
filter keeps. Loading rejects a key or a value no script can write: every section must pass the facts
model on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.causes import CAUSE_IDS
from knowledge.datafile import load_model
from knowledge.loader import load_entries
from knowledge.stages import builtin_stages
from probes.facts import (
    LOG_SOURCES,
    SECTION_MODELS,
    SECTIONS,
    Facts,
    SectionError,
    build_facts,
    healthy_sections,
)
from probes.logfilter import kept_lines, log_filters
from probes.output import classify_failure

SCENARIO_DIR = Path(__file__).with_name("scenarios")
CANNOT_CHECK = "cannot-check"
"""A lab outcome, not a cause: the host answers but the checks cannot all run (`expect` says how)."""
LabAuth = Literal["basic", "ntlm", "https"]


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and field."""


class Faults(BaseModel):
    """Transport fault knobs; all off by default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wrong_password: bool = Field(default=False, description="the inventory gets a wrong password (401)")
    operation_timeouts: int = Field(default=0, ge=0, description="TimedOut faults before output")
    always_timeout: bool = Field(default=False, description="every Receive times out")
    hang: bool = Field(default=False, description="Receive never answers")
    drop_connection: bool = Field(default=False, description="close the connection without answering")
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    refuse: bool = Field(default=False, description="nothing listens on the port")
    untrusted_certificate: bool = Field(default=False, description="inventory gets a CA that did not sign")


class Failure(BaseModel):
    """What `Out-Failure` writes for a section whose script threw."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exception: str
    native: str = ""
    hresult: str = ""
    message: str = ""


class PowerShellHost(BaseModel):
    """How the host's PowerShell answers (docs/PROBES.md "Lab hosts")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(default="5.1.19041.4648", pattern=r"^\d+\.\d+(\.\d+){0,2}$")
    language_mode: Literal["FullLanguage", "ConstrainedLanguage", "RestrictedLanguage", "NoLanguage"] = (
        "FullLanguage"
    )
    stdout_bom: bool = Field(default=False, description="stdout starts with a UTF-8 BOM")
    warning_lines: list[str] = Field(default_factory=list, description="lines written before the output")
    crash: str | None = Field(
        default=None, description="powershell.exe fails before the bootstrap: exit 1 with this CLIXML error"
    )
    die_before: str | None = Field(
        default=None, description="the bundle dies before this section: exit 1, `crash` as its CLIXML stderr"
    )
    stall_before: str | None = Field(
        default=None,
        description="a section whose provider hangs: output stops before it, the command never ends",
    )

    @field_validator("stall_before", "die_before")
    @classmethod
    def _known_section(cls, value: str | None) -> str | None:
        if value is not None and value not in SECTIONS:
            raise ValueError(f"use a section name from probes/facts.py SECTIONS, not {value!r}")
        return value


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    scenario: str
    description: str = ""
    auth: LabAuth = "ntlm"
    faults: Faults = Field(default_factory=Faults)
    extends: str | None = Field(
        default=None, description="another scenario file (stem) whose state this one starts from"
    )
    powershell: PowerShellHost = Field(default_factory=PowerShellHost)
    expect: str = Field(default="", description="text the report's verdict or checklist must contain")
    state: dict[str, Any] = Field(default_factory=dict)

    @property
    def sections(self) -> dict[str, Any]:
        return {k: v for k, v in self.state.items() if k != "errors"}

    @property
    def failures(self) -> dict[str, Failure]:
        return {k: Failure.model_validate(v) for k, v in (self.state.get("errors") or {}).items()}

    def emitted(self, log_sources: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """The sections as the scripts print them: a log section's `lines` are its log's lines as they
        stand in the file, and the script keeps those its filter passes (`log_sources`: the filters the
        bundle carries; default: the ones the built-in bundle is assembled with)."""
        specs = log_sources if log_sources is not None else builtin_log_sources()
        sections = dict(self.sections)
        for name, spec in specs.items():
            value = sections.get(name)
            if isinstance(value, dict) and isinstance(value.get("lines"), list):
                sections[name] = {**value, "lines": kept_lines([str(x) for x in value["lines"]], spec)}
        return sections

    def facts(self) -> Facts:
        """The facts a check of this host reads (its failures classified as the bot classifies them)."""
        errors = {name: classify_failure(f.model_dump()) for name, f in self.failures.items()}
        return build_facts(self.emitted(), errors, expected=False)

    @field_validator("scenario")
    @classmethod
    def _known_cause(cls, value: str) -> str:
        if value not in ("healthy", CANNOT_CHECK) and value not in CAUSE_IDS:
            raise ValueError(
                f"use 'healthy', '{CANNOT_CHECK}' or a cause ID from knowledge/causes.py, not {value!r}"
            )
        return value


def builtin_log_sources() -> dict[str, dict[str, Any]]:
    """The log sections' filters as the bundle carries them, built from the loaded knowledge base."""
    filters = log_filters(load_entries(), builtin_stages())
    return {name: filters[name].as_data() for name in LOG_SOURCES}


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge mappings; a patch value that is not a mapping replaces the base value."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def check_state(path: Path, scenario: Scenario) -> None:
    """Every section must be one a script writes, with keys and values its script can produce."""
    for key in scenario.sections:
        if key not in SECTION_MODELS:
            raise ScenarioError(f"{path}: field state.{key}: no probe script writes a section named {key!r}")
    raw_errors = scenario.state.get("errors") or {}
    if not isinstance(raw_errors, dict):
        raise ScenarioError(f"{path}: field state.errors: a mapping of section name to failure")
    errors: dict[str, SectionError] = {}
    for name, value in raw_errors.items():
        if name not in SECTIONS:
            raise ScenarioError(f"{path}: field state.errors.{name}: not a probe section")
        try:
            errors[name] = classify_failure(Failure.model_validate(value).model_dump())
        except ValueError as exc:
            raise ScenarioError(f"{path}: field state.errors.{name}: {exc}") from None
    facts = build_facts(scenario.sections, errors, expected=False)
    for name, error in facts.errors.items():
        if error.kind == "schema":
            raise ScenarioError(f"{path}: field state.{name}: {error.message}; write it as the script does")


def load_scenario_file(path: Path, _seen: tuple[Path, ...] = ()) -> Scenario:
    scenario = _resolve(path, _seen)
    check_state(path, scenario)
    return scenario


def _resolve(path: Path, _seen: tuple[Path, ...] = ()) -> Scenario:
    scenario = _load_one(path)
    if scenario.extends is None:
        # The root of every chain starts from each section's healthy output (probes/facts.py examples).
        return scenario.model_copy(update={"state": _merge(healthy_sections(), scenario.state)})
    base_path = path.with_name(f"{scenario.extends}.yaml")
    if base_path in _seen or base_path == path:
        raise ScenarioError(f"{path}: field extends: '{scenario.extends}' extends itself in a loop")
    if not base_path.exists():
        raise ScenarioError(f"{path}: field extends: no scenario file {base_path.name} beside it")
    base = _resolve(base_path, (*_seen, path))
    return scenario.model_copy(update={"state": _merge(base.state, scenario.state)})


def _load_one(path: Path) -> Scenario:
    return load_model(path, Scenario, ScenarioError, "scenario file")


def load_scenarios(directory: Path = SCENARIO_DIR) -> list[Scenario]:
    scenarios = [load_scenario_file(p) for p in sorted(directory.glob("*.yaml"))]
    names = [s.name for s in scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ScenarioError(f"{directory}: host names used twice: {', '.join(duplicates)}")
    return scenarios
