"""`cmbot worker [--concurrency N]`: run queue workers (REDIS_URL names the shared Redis)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.access.policy import PolicyError
from bot.jobs.worker import build_worker
from bot.settings import Settings, SettingsError
from bot.state.redis_server import RedisUnavailable, check_reachable


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("worker", help="run check workers from the Redis queue")
    parser.add_argument("--concurrency", type=int, default=10, help="checks at once (default 10)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    url = settings.redis_url
    if not url:
        print(
            "cmbot worker: set REDIS_URL to the Redis the bot uses (workers must share it)", file=sys.stderr
        )
        return 2
    try:
        check_reachable(url)
    except RedisUnavailable as exc:
        print(f"cmbot worker: {exc}", file=sys.stderr)
        return 2
    logging.getLogger().setLevel(logging.INFO)
    try:
        worker = build_worker(url, settings, concurrency=args.concurrency)  # loads CMBOT_POLICY's file
    except (PolicyError, SettingsError) as exc:
        print(f"cmbot worker: {exc}", file=sys.stderr)
        return 2
    asyncio.run(worker.start())
    return 0
