"""`cmbot serve [--port N]`: run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP).

Checks go through the saq queue on Redis (REDIS_URL, or an embedded server), run by in-process
workers unless CMBOT_INPROCESS_WORKERS=0; `cmbot worker` adds more on other machines.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from bot.access.policy import PolicyError
from bot.jobs import explain_pool
from bot.jobs.worker import build_worker
from bot.settings import Settings, SettingsError, require_slack_settings
from bot.slack.app import build_app, build_deps, shared_session
from bot.slack.deps import Deps
from bot.slack.server import serve
from bot.state.redis_server import EmbeddedRedis, RedisUnavailable, check_reachable, redis_url

log = logging.getLogger("cmbot.serve")
SHUTDOWN_DRAIN_S = 20.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the Slack app")
    parser.add_argument("--port", type=int, help="HTTP port (default CMBOT_PORT or 3000)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    embedded: EmbeddedRedis | None = None
    try:
        require_slack_settings(settings)
        # the embedded Redis is durable, under the state directory: accepted checks outlive a crash
        url, embedded = redis_url(settings.redis_url, state_dir=settings.state_dir())
        check_reachable(url)
        deps = build_deps(settings, redis_url=url)
    except (SettingsError, PolicyError, RedisUnavailable) as exc:
        print(f"cmbot serve: {exc}", file=sys.stderr)
        if embedded is not None:
            embedded.stop()
        return 2
    try:
        asyncio.run(_serve(deps, settings, url, args.port))
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


async def _serve(deps: Deps, settings: Settings, url: str, port: int | None) -> None:
    explain_pool.pool(settings.kb_dirs).start_warming()
    try:
        async with shared_session(deps.client):
            await _serve_until_stopped(deps, settings, url, port)
    finally:
        explain_pool.shutdown()  # after the drain: what is still explaining now is cut off


async def _serve_until_stopped(deps: Deps, settings: Settings, url: str, port: int | None) -> None:
    depth = getattr(deps.dispatcher, "depth", None)
    tasks = [
        asyncio.create_task(
            serve(build_app(deps), settings, port=port, queue_depth=depth, acking=deps.background.acking)
        )
    ]
    if settings.cmbot_inprocess_workers:
        # saq's worker stops itself on SIGTERM/SIGINT; the server then stops with it.
        worker = build_worker(url, settings, concurrency=10, policy=deps.policy)
        tasks.append(asyncio.create_task(worker.start()))
    else:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, tasks[0].cancel)
    _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    try:
        await deps.background.drain(timeout_s=SHUTDOWN_DRAIN_S)  # acked requests still get answered
    except TimeoutError:
        log.warning("stopped with %d acked requests unanswered", deps.background.pending)
