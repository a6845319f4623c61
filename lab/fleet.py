"""A lab fleet: many lab hosts cloned from existing scenario files, for fleet tests and benches.

`fleet_scenarios({"sup-service-unavailable": 30, "cache-too-small": 8})` gives 38 scenarios
named `fleet-sup-service-unavailable-01`…; each keeps its file's state and faults, so every
host answers exactly what that scenario's host answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lab.scenario import SCENARIO_DIR, Scenario, ScenarioError, load_scenario_file


def fleet_scenarios(counts: Mapping[str, int], directory: Path = SCENARIO_DIR) -> list[Scenario]:
    """`{scenario file stem: how many hosts}` → that many renamed copies of each scenario."""
    scenarios: list[Scenario] = []
    for stem, count in counts.items():
        path = directory / f"{stem}.yaml"
        if not path.exists():
            raise ScenarioError(f"{path}: no such scenario file (use a name from {directory})")
        base = load_scenario_file(path)
        width = max(2, len(str(count)))
        scenarios.extend(
            base.model_copy(update={"name": f"fleet-{stem}-{index:0{width}d}"[:63]})
            for index in range(1, count + 1)
        )
    return scenarios


__all__ = ["fleet_scenarios"]
