"""A full check as one bundled probe vs each check as its own shell and command (the naive way).

Both run in the same process against the same lab host: NTLM with message encryption over HTTP,
20 ms of added latency per request. Counted: HTTP requests the host served, and wall time.
Target from issue 4: the bundle needs at most a fifth of the naive request count.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import winrm

from bench._report import write_section
from lab.scenario import Faults, load_scenarios
from lab.testing import run_lab
from probes.check import check_host
from probes.facts import SECTIONS
from probes.scripts import bootstrap_arguments, single_section_script, stdin_payload

RUNS = 3
LATENCY_MS = 20


def main() -> None:
    healthy = next(s for s in load_scenarios() if s.name == "lab-healthy")
    slow = healthy.model_copy(update={"name": "bench-slow", "faults": Faults(latency_ms=LATENCY_MS)})
    with run_lab([slow]) as lab:
        os.environ["CMBOT_INVENTORY"] = str(lab.inventory_path)
        host = lab.host("bench-slow")
        entry = lab.inventory.get("bench-slow")
        assert entry is not None and entry.password is not None
        bundle_times, bundle_requests, naive_times, naive_requests = [], [], [], []
        for _ in range(RUNS):
            before = host.counters["requests"]
            started = time.perf_counter()
            report = asyncio.run(check_host("bench-slow", deadline_s=60))
            bundle_times.append(time.perf_counter() - started)
            bundle_requests.append(host.counters["requests"] - before)
            assert report.reachable and not report.findings, report.verdict

            session = winrm.Session(
                entry.endpoint,
                auth=(entry.username or "", entry.password.get_secret_value()),
                transport="ntlm",
            )
            before = host.counters["requests"]
            started = time.perf_counter()
            for name in SECTIONS:
                # Each section in its own shell and powershell.exe; on stdin like the bundle, because a
                # section with the header no longer fits run_ps's -EncodedCommand (8191 characters).
                protocol = session.protocol
                shell = protocol.open_shell(codepage=65001)
                command = protocol.run_command(shell, "powershell.exe", bootstrap_arguments())
                protocol.send_command_input(
                    shell, command, stdin_payload(single_section_script(name), {}), end=True
                )
                _out, err, code = protocol.get_command_output(shell, command)
                protocol.cleanup_command(shell, command)
                protocol.close_shell(shell)
                assert code == 0, (name, err[:200])
            naive_times.append(time.perf_counter() - started)
            naive_requests.append(host.counters["requests"] - before)
    b_req, n_req = statistics.median(bundle_requests), statistics.median(naive_requests)
    b_time, n_time = statistics.median(bundle_times), statistics.median(naive_times)
    print(f"bundle: {b_req} requests, {b_time:.3f} s; naive: {n_req} requests, {n_time:.3f} s")
    write_section(
        "check.py",
        f"""## Full check: one bundle vs one shell and command per check (`bench/check.py`)

One lab host, NTLM with message encryption over HTTP, {LATENCY_MS} ms added per request; median of
{RUNS} runs each. The naive way runs each of the {len(SECTIONS)} probe sections in its own pywinrm
shell and powershell.exe command (a new shell, and a new NTLM handshake, per section).

| way | HTTP requests | wall time | vs naive |
| --- | ---: | ---: | ---: |
| naive: {len(SECTIONS)} x shell + command | {n_req:.0f} | {n_time:.3f} s | 1.0x |
| cmbot: one bundle on stdin | {b_req:.0f} | {b_time:.3f} s | {b_req / n_req:.3f}x requests, {b_time / n_time:.3f}x time |

Target (issue 4): at most a fifth of the naive request count — {"met" if b_req * 5 <= n_req else "NOT met"}
({n_req / b_req:.1f}x fewer requests). On a real Windows host each command also starts its own
powershell.exe, so the wall-time gap is larger there.""",
    )


if __name__ == "__main__":
    main()
