"""Slash-command acks while hostile input is explained (security review V4): a 40,000-character
pasted message ("Scan error" + 39,900 newlines) and a 1 MB `/cmerr` ("error" + spaces) go into
`cmbot serve` (its own process), then for `WINDOW_S` seconds bursts of signed `/cmcheck` and
`/cmerr` requests measure the ack round trip. Before the explain pool the whole process froze
for 16 s on the first input alone (review E2); the target (issue 14) is p99 under 100 ms.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench._report import write_section
from bench.ack import _percentile, _wait_healthy
from bot.jobs.explain_pool import BUDGET_S, POOL_SIZE
from bot.loopback.web_api import SignedDriver
from bot.slack.server import EVENTS_PATH

SECRET = "bench-secret"
WINDOW_S = 10.0
BURST = 4
PAUSE_S = 0.2
MESSAGE = "Scan error" + "\n" * 39_900
CMERR = "error" + " " * (1_000_000 - 6) + "x"
"""Not all spaces at the end: the handler strips the command text."""


async def main() -> None:
    users, responses = itertools.count(1), itertools.count(1)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    standin = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("_standin.py"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert standin.stdout is not None
    slack_url = standin.stdout.readline().strip()
    state = tempfile.mkdtemp(prefix="cmbot-bench-state-")
    try:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"{slack_url}/api/",
            "CMBOT_CHECK_DEADLINE": "2",
            "CMBOT_STATE_DIR": state,
        }
        env.pop("SLACK_APP_TOKEN", None)
        env.pop("REDIS_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=BURST * 2)) as session:
                await _wait_healthy(session, base)
                driver = SignedDriver(base + EVENTS_PATH, SECRET, session)

                async def stats() -> dict[str, int]:
                    async with session.get(f"{slack_url}/stats") as response:
                        return dict(await response.json())

                async def answered(count: int, timeout_s: float) -> float:
                    started = time.perf_counter()
                    async with asyncio.timeout(timeout_s):
                        while (await stats()).get("response_url", 0) < count:  # noqa: ASYNC110 - another process
                            await asyncio.sleep(0.05)
                    return time.perf_counter() - started

                async def timed(kind: str) -> float:
                    started = time.perf_counter()
                    if kind == "cmcheck":
                        status, _ = await driver.command(
                            "/cmcheck", "pc-0001.invalid", user=f"U{next(users)}"
                        )
                    else:
                        status, _ = await driver.command(
                            "/cmerr", "0x80244022", response_url=f"{slack_url}/response/{next(responses)}"
                        )
                    assert status == 200
                    return (time.perf_counter() - started) * 1000

                async def bursts(check_acks: list[float], err_acks: list[float]) -> int:
                    """Bursts for WINDOW_S; returns how many /cmerr were sent (each is answered)."""
                    sent, started = 0, time.perf_counter()
                    while time.perf_counter() - started < WINDOW_S:
                        kinds = ["cmcheck", "cmerr"] * (BURST // 2)
                        results = await asyncio.gather(*(timed(k) for k in kinds))
                        check_acks.extend(r for k, r in zip(kinds, results, strict=True) if k == "cmcheck")
                        err_acks.extend(r for k, r in zip(kinds, results, strict=True) if k == "cmerr")
                        sent += BURST // 2
                        await asyncio.sleep(PAUSE_S)
                    return sent

                await driver.command("/cmerr", "0x80244022", response_url=f"{slack_url}/response/0")
                await answered(1, 120)  # the explain workers are up and the knowledge base loaded
                quiet_check: list[float] = []
                quiet_err: list[float] = []
                sent_err = await bursts(quiet_check, quiet_err)
                await answered(1 + sent_err, 120)  # settled: every quiet answer is in
                hostile_at = time.perf_counter()
                event = {"type": "message", "channel": "C1", "user": "U1", "ts": "9.1", "text": MESSAGE}
                status, _ = await driver.event(event, event_id="Ev-stall")
                assert status == 200
                body_kb = len(urllib.parse.quote_plus(CMERR)) // 1024
                status, _ = await driver.command(
                    "/cmerr", CMERR, response_url=f"{slack_url}/response/hostile"
                )
                assert status == 200
                check_acks: list[float] = []
                err_acks: list[float] = []
                sent_err += await bursts(check_acks, err_acks)
                await answered(1 + 1 + sent_err, 180)
                all_answered = time.perf_counter() - hostile_at
        finally:
            server.terminate()
            server.wait(timeout=20)
    finally:
        standin.communicate(timeout=10)
    rows = [
        ("baseline: `/cmcheck pc-0001.invalid`, no hostile input", quiet_check),
        ("baseline: `/cmerr 0x80244022`, no hostile input", quiet_err),
        ("`/cmcheck pc-0001.invalid` during the hostile input", check_acks),
        ("`/cmerr 0x80244022` during the hostile input", err_acks),
    ]
    for name, values in rows:
        print(
            f"{name}: p50 {statistics.median(values):.1f} ms, p99 {_percentile(values, 0.99):.1f} ms, max {max(values):.1f} ms"
        )
    print(f"every request answered {all_answered:.1f} s after the hostile input was sent")
    table = "\n".join(
        f"| {n} | {len(v)} | {statistics.median(v):.1f} ms | {_percentile(v, 0.99):.1f} ms | {max(v):.1f} ms |"
        for n, v in rows
    )
    worst = max(_percentile(v, 0.99) for _, v in rows[2:])
    write_section(
        "stall.py",
        f"""## Acks while hostile input is explained (`bench/stall.py`)

`cmbot serve` in its own process (HTTP on loopback, embedded Redis, in-process queue workers),
2-core machine shared with other work. At t=0 it receives a 40,000-character channel message
(`"Scan error"` + 39,900 newlines, auto-reply on) and a 1 MB `/cmerr` (`"error"` + spaces,
a {body_kb} KB form body); then for {WINDOW_S:.0f} s, bursts of {BURST} concurrent signed requests
(half `/cmcheck`, half `/cmerr`), the next {PAUSE_S * 1000:.0f} ms after the last ack. The
baseline is the same {WINDOW_S:.0f} s of bursts just before, with no hostile input.

| request | n | p50 | p99 | max |
| --- | ---: | ---: | ---: | ---: |
{table}

Target (issue 14): acks under 100 ms p99 while the hostile input runs —
{"met" if worst < 100 else "NOT met"} (worst p99 {worst:.1f} ms). Before (security review E2),
the first input alone froze the process, acks and `/healthz` included, for 16 s.
Every request of the run, the two hostile ones included, was answered {all_answered:.1f} s
after t=0.

How: `explain` runs in a pool of {POOL_SIZE} worker processes (`bot/jobs/explain_pool.py`), never in a thread of
the serving process, whose event loop only waits on a pipe; a worker that overruns the
{BUDGET_S:.0f} s budget is killed and the request answered with a notice. Quick `/cmerr` answers
(not their acks) wait for a free worker while both are busy with hostile input. The baseline
rows are the control: on this shared machine, runs under heavier load from other work gave
p99 of 140-550 ms, for the baseline and the hostile rows alike (the load, not the input).""",
    )


if __name__ == "__main__":
    asyncio.run(main())
