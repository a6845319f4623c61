"""`cmbot audit [--user U] [--host H] [--since HOURS] [--json]`: who ran what, where, with what outcome."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from datetime import UTC, datetime

from redis.asyncio import Redis

from bot.redis_server import RedisUnavailable, check_reachable
from bot.store import AuditLog


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="read the audit stream")
    parser.add_argument("--user", help="a Slack user ID")
    parser.add_argument("--host", help="a host name")
    parser.add_argument("--since", type=float, help="only the last N hours")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    url = os.environ.get("REDIS_URL")
    if not url:
        print("cmbot audit: set REDIS_URL to the bot's Redis", file=sys.stderr)
        return 2
    try:
        check_reachable(url)
    except RedisUnavailable as exc:
        print(f"cmbot audit: {exc}", file=sys.stderr)
        return 2
    since = time.time() - args.since * 3600 if args.since else None
    rows = asyncio.run(_read(url, args.count, args.user, args.host, since))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        when = datetime.fromtimestamp(float(row["ts"]), UTC).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{when}  {row['user']:12} {row['action']:8} {row['target']:30} {row['outcome']}")
    return 0


async def _read(
    url: str, count: int, user: str | None, host: str | None, since: float | None
) -> list[dict[str, str]]:
    redis = Redis.from_url(url)
    try:
        return await AuditLog(redis).read(count=count, user=user, host=host, since=since)
    finally:
        await redis.aclose()
