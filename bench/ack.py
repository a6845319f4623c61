"""Slash-command ack latency in HTTP mode: 50 concurrent signed `/cmcheck` and `/cmerr` requests
into `cmbot serve` (its own process, aiohttp on loopback), its Web API pointed at a loopback
stand-in in a third process (`bench/_standin.py`).

Baseline in the same run: the same number of requests to `/healthz` on the same server (no Bolt).
Target from issue 5: p99 under 100 ms.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench._report import write_section
from bot.loopback.web_api import SignedDriver
from bot.slack.server import EVENTS_PATH

CONCURRENT = 50
ROUNDS = 10
SECRET = "bench-secret"
QUIET_S = 0.3


async def _timed(coro_factory) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    await coro_factory()
    return (time.perf_counter() - started) * 1000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def _wait_healthy(session: aiohttp.ClientSession, base: str) -> None:
    for _ in range(200):
        try:
            async with session.get(base + "/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("cmbot serve did not start")


async def main() -> None:
    responses, users = itertools.count(1), itertools.count(1)
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
    try:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"{slack_url}/api/",
            "CMBOT_CHECK_DEADLINE": "2",
            "CMBOT_STATE_DIR": tempfile.mkdtemp(prefix="cmbot-bench-state-"),  # serve's own Redis data
        }
        env.pop("SLACK_APP_TOKEN", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENT)) as session:
                await _wait_healthy(session, base)
                driver = SignedDriver(base + EVENTS_PATH, SECRET, session)

                async def health() -> None:
                    async with session.get(base + "/healthz") as response:
                        await response.read()

                async def cmcheck() -> None:
                    # one user per request, so the per-user rate limit (20 a minute) never refuses
                    status, body = await driver.command("/cmcheck", "pc-0001.invalid", user=f"U{next(users)}")
                    assert (status, body) == (200, ""), body

                async def cmerr() -> None:
                    status, _ = await driver.command(
                        "/cmerr", "0x80244022", response_url=f"{slack_url}/response/{next(responses)}"
                    )
                    assert status == 200

                sent = {"cmcheck": 0, "cmerr": 0}

                async def settled() -> None:
                    """Every answer of the bursts so far has reached the stand-in (each check one
                    verdict update and one thread post, each /cmerr one response), then a short quiet."""
                    want = {
                        "chat.update": sent["cmcheck"],
                        "chat.postMessage": 2 * sent["cmcheck"],
                        "response_url": sent["cmerr"],
                    }
                    async with asyncio.timeout(120):
                        while True:
                            async with session.get(f"{slack_url}/stats") as response:
                                seen = await response.json()
                            if all(seen.get(method, 0) >= n for method, n in want.items()):
                                break
                            await asyncio.sleep(0.05)
                    await asyncio.sleep(QUIET_S)

                async def burst(name: str, kind) -> list[float]:  # type: ignore[no-untyped-def]
                    await settled()
                    sent[name] = sent.get(name, 0) + CONCURRENT
                    return await asyncio.gather(*(_timed(kind) for _ in range(CONCURRENT)))

                for name, warm in (("health", health), ("cmcheck", cmcheck), ("cmerr", cmerr)):
                    await burst(name, warm)  # open all 50 connections; load the knowledge base
                baseline, check_acks, err_acks = [], [], []
                for _ in range(ROUNDS):
                    baseline.extend(await burst("health", health))
                    check_acks.extend(await burst("cmcheck", cmcheck))
                    err_acks.extend(await burst("cmerr", cmerr))
                    print(
                        f"round p99: healthz {_percentile(baseline[-CONCURRENT:], 0.99):.0f} ms, cmcheck {_percentile(check_acks[-CONCURRENT:], 0.99):.0f} ms, cmerr {_percentile(err_acks[-CONCURRENT:], 0.99):.0f} ms"
                    )
                await settled()
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        standin.communicate(timeout=10)
    rows = []
    for name, values in (
        ("`/healthz` (baseline, no Bolt)", baseline),
        ("`/cmcheck pc-0001.invalid`", check_acks),
        ("`/cmerr 0x80244022`", err_acks),
    ):
        rows.append((name, statistics.median(values), _percentile(values, 0.99)))
    for name, p50, p99 in rows:
        print(f"{name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    base_p50 = rows[0][1]
    table = "\n".join(
        f"| {n} | {p50:.1f} ms | {p99:.1f} ms | {p50 / base_p50:.1f}x |" for n, p50, p99 in rows
    )
    worst = max(p99 for _, _, p99 in rows[1:])
    write_section(
        "ack.py",
        f"""## Slash-command ack latency (`bench/ack.py`)

HTTP mode on loopback, {CONCURRENT} concurrent signed requests per burst, {ROUNDS} bursts each
({CONCURRENT * ROUNDS} requests per row), 2-core machine. Ack time is the HTTP round trip of the
slash command into `cmbot serve` running in its own process; the check itself runs after the
ack (here on a `.invalid` name that fails at once, so the bench measures the bot, not WinRM).

| request | p50 | p99 | p50 vs baseline |
| --- | ---: | ---: | ---: |
{table}

Target (issue 5): p99 under 100 ms — {"met" if worst < 100 else "NOT met"} (worst p99 {worst:.1f} ms).

How: each listener acks and hands its follow-up work (Web API calls, explain, the rate limit
and the enqueue) to a tracked background task, so Bolt answers HTTP as soon as the listener
returns (`process_before_response`, no 10 ms polling for the ack), and that follow-up work waits
while other requests are still being acked. The Web API client keeps one keep-alive session.
Each burst starts once every answer of the bursts before it has reached the stand-in (and
{QUIET_S:.1f} s of quiet), so a row measures acks under a burst of its own kind, not under the
previous burst's checks; that every request was answered is part of the run.
Not met in every condition: when a burst lands while the previous burst's 50 checks are still
being answered on the same two cores (this bench with a fixed 1 s pause instead), the
`/cmcheck` p99 ranged from 51 to 270 ms between runs. Running the queue workers on other
machines (`CMBOT_INPROCESS_WORKERS=0`, `cmbot worker`) keeps that work off the acking process.""",
    )


if __name__ == "__main__":
    asyncio.run(main())
