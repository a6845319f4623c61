"""How long the whole lab takes to start (every scenario host, TLS material included).

Baseline in the same run: starting a single host. Target from issue 3: under 2 s for the lab.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import write_section
from lab.scenario import load_scenarios
from lab.testing import start_lab

RUNS = 7


def _time_start(scenarios: list) -> float:  # type: ignore[type-arg]
    started = time.perf_counter()
    lab = start_lab(scenarios)
    elapsed = time.perf_counter() - started
    lab.stop()
    return elapsed


def main() -> None:
    scenarios = load_scenarios()
    single = [next(s for s in scenarios if s.name == "lab-healthy")]
    whole = statistics.median(_time_start(scenarios) for _ in range(RUNS))
    one = statistics.median(_time_start(single) for _ in range(RUNS))
    print(f"whole lab ({len(scenarios)} hosts): {whole * 1000:.1f} ms; one host: {one * 1000:.1f} ms")
    write_section(
        "lab_start.py",
        f"""## Lab start (`bench/lab_start.py`)

Median of {RUNS} starts on the 2-core machine, each including the throwaway CA and server
certificate (EC P-256) and the inventory file.

| what | median | vs one host |
| --- | ---: | ---: |
| one host (`lab-healthy`) | {one * 1000:.1f} ms | 1.0x |
| the whole lab ({len(scenarios)} hosts) | {whole * 1000:.1f} ms | {whole / one:.1f}x |

Target (issue 3): the whole lab under 2 s — {"met" if whole < 2 else "NOT met"}.""",
    )


if __name__ == "__main__":
    main()
