"""500 hosts checked through the saq queue with 1 and with 2 `cmbot worker` processes.

The 500 inventory names point at 10 loopback lab hosts (healthy, NTLM with encryption), so each
check is a full WinRM round trip; answers go to a loopback Slack stand-in. Measured: hosts per
second from the first enqueue to the last final answer, and the scaling ratio.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import write_section
from bot.dispatch import CheckRequest
from bot.queue import SaqDispatcher, make_queue
from bot.redis_server import EmbeddedRedis
from bot.testing import SlackStandIn
from lab.scenario import load_scenarios
from lab.testing import run_lab
from probes.inventory import Inventory, save_inventory

HOSTS = int(os.environ.get("FLEET_HOSTS", "500"))
LAB_HOSTS = 10
CONCURRENCY = 16


async def _run(workers: int, inventory: Path) -> float:
    server = EmbeddedRedis().start()
    try:
        async with SlackStandIn() as slack:
            env = {
                **os.environ,
                "REDIS_URL": server.url,
                "SLACK_BOT_TOKEN": "xoxb-test-token",
                "SLACK_API_URL": slack.api_url,
                "CMBOT_INVENTORY": str(inventory),
                "CMBOT_CHECK_DEADLINE": "30",
            }
            processes = [
                subprocess.Popen(
                    [sys.executable, "-m", "bot.cli", "worker", "--concurrency", str(CONCURRENCY)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(workers)
            ]
            dispatcher = SaqDispatcher(make_queue(server.url))
            await asyncio.sleep(2)  # workers connect before the clock starts
            started = time.perf_counter()
            for index in range(HOSTS):
                await dispatcher.submit(
                    CheckRequest(
                        request_id=uuid.uuid4().hex,
                        hosts=[f"fleet-{index:03d}"],
                        user_id="U1",
                        channel_id="C1",
                        message_ts=f"{index}.1",
                    )
                )
            await slack.wait_for("chat.update", HOSTS)
            elapsed = time.perf_counter() - started
            finals = [u for u in slack.of("chat.update") if str(u.get("text", "")).startswith("fleet-")]
            assert len(finals) == HOSTS, len(finals)
            for process in processes:
                process.terminate()
                process.wait(timeout=15)
            await dispatcher.queue.disconnect()
            return elapsed
    finally:
        server.stop()


async def main() -> None:
    healthy = next(s for s in load_scenarios() if s.name == "lab-healthy")
    scenarios = [healthy.model_copy(update={"name": f"lab-fleet-{i}"}) for i in range(LAB_HOSTS)]
    with run_lab(scenarios) as lab:
        hosts = [
            lab.inventory.hosts[i % LAB_HOSTS].model_copy(update={"name": f"fleet-{i:03d}"})
            for i in range(HOSTS)
        ]
        inventory = lab.directory / "fleet.yaml"
        save_inventory(Inventory(hosts=hosts), inventory)
        one = await _run(1, inventory)
        two = await _run(2, inventory)
    rate1, rate2 = HOSTS / one, HOSTS / two
    print(
        f"1 worker: {one:.1f} s ({rate1:.1f} hosts/s); 2 workers: {two:.1f} s ({rate2:.1f} hosts/s); x{rate2 / rate1:.2f}"
    )
    write_section(
        "fleet.py",
        f"""## Fleet: {HOSTS} hosts through the queue (`bench/fleet.py`)

{HOSTS} inventory names over {LAB_HOSTS} loopback lab hosts (NTLM with message encryption, full
bundle and diagnosis per host), enqueued with saq on an embedded Redis, each `cmbot worker`
process running {CONCURRENCY} checks at once, answers posted to a loopback Slack stand-in.
The clock runs from the first enqueue to the last final answer; 2-core machine (the lab, the
stand-in and the workers share it).

| workers | time | hosts/s | vs 1 worker |
| --- | ---: | ---: | ---: |
| 1 process | {one:.1f} s | {rate1:.1f} | 1.0x |
| 2 processes | {two:.1f} s | {rate2:.1f} | {rate2 / rate1:.2f}x |

On this 2-core machine the lab hosts, the Slack stand-in and the workers compete for the same
two cores, so the ratio understates what separate worker machines give.""",
    )


if __name__ == "__main__":
    asyncio.run(main())
