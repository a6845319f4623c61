"""Lab scenarios: one YAML file per host in `lab/scenarios/`, validated at load.

A scenario names the host, the cause it demonstrates (`healthy` or a cause ID), how it
authenticates, fault knobs for transport tests, and the machine `state` its probes read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.causes import CAUSE_IDS
from knowledge.datafile import load_model

SCENARIO_DIR = Path(__file__).with_name("scenarios")
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
    state: dict[str, Any] = Field(default_factory=dict)

    @field_validator("scenario")
    @classmethod
    def _known_cause(cls, value: str) -> str:
        if value != "healthy" and value not in CAUSE_IDS:
            raise ValueError(f"use 'healthy' or a cause ID from knowledge/causes.py, not {value!r}")
        return value


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge mappings; a patch value that is not a mapping replaces the base value."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_scenario_file(path: Path, _seen: tuple[Path, ...] = ()) -> Scenario:
    scenario = _load_one(path)
    if scenario.extends is None:
        return scenario
    base_path = path.with_name(f"{scenario.extends}.yaml")
    if base_path in _seen or base_path == path:
        raise ScenarioError(f"{path}: field extends: '{scenario.extends}' extends itself in a loop")
    if not base_path.exists():
        raise ScenarioError(f"{path}: field extends: no scenario file {base_path.name} beside it")
    base = load_scenario_file(base_path, (*_seen, path))
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
