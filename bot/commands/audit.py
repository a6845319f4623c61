"""`cmbot audit [--user U] [--host H] [--since HOURS] [--json]`: who ran what, where, with what
outcome; `cmbot audit --feedback`: per-cause precision from the "Right cause? 👍 / 👎" votes.

Rows hold what users typed (a refused target is kept as typed), so text output shows control
characters as escapes: a newline or an ANSI sequence cannot forge a row or reach the terminal
(security review V12)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime

from redis.asyncio import Redis

from bot.settings import Settings
from bot.state.redis_server import RedisUnavailable, check_reachable
from bot.state.store import AuditLog, CausePrecision, RedisFeedback

_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="read the audit stream")
    parser.add_argument("--user", help="a Slack user ID")
    parser.add_argument("--host", help="a host name")
    parser.add_argument("--since", type=float, help="only the last N hours")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--feedback", action="store_true", help="per-cause precision from users' votes")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    url = settings.redis_url
    if not url:
        print("cmbot audit: set REDIS_URL to the bot's Redis", file=sys.stderr)
        return 2
    try:
        check_reachable(url)
    except RedisUnavailable as exc:
        print(f"cmbot audit: {exc}", file=sys.stderr)
        return 2
    if args.feedback:
        return _print_feedback(asyncio.run(_precision(url)), as_json=args.json)
    since = time.time() - args.since * 3600 if args.since else None
    rows = asyncio.run(_read(url, args.count, args.user, args.host, since))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        when = datetime.fromtimestamp(float(row["ts"]), UTC).strftime("%Y-%m-%d %H:%M:%S")
        user, action, target, outcome = (
            safe(row.get(k, "")) for k in ("user", "action", "target", "outcome")
        )
        print(f"{when}  {user:12} {action:8} {target:30} {outcome}")
    return 0


def safe(text: str) -> str:
    """One terminal line: control characters (newline, ESC, C1) shown as \\xNN."""
    return text.translate(_CONTROL)


def _print_feedback(rows: list[CausePrecision], *, as_json: bool) -> int:
    if as_json:
        print(
            json.dumps(
                [
                    {"cause": r.cause, "right": r.right, "wrong": r.wrong, "precision": round(r.precision, 4)}
                    for r in rows
                ],
                indent=2,
            )
        )
        return 0
    if not rows:
        print("no votes yet")
        return 0
    print(f"{'cause':36} {'right':>5} {'wrong':>5} {'precision':>9}")
    for row in sorted(rows, key=lambda r: (r.precision, -(r.right + r.wrong))):
        print(f"{safe(row.cause):36} {row.right:5} {row.wrong:5} {row.precision:9.0%}")
    return 0


async def _precision(url: str) -> list[CausePrecision]:
    redis = Redis.from_url(url)
    try:
        return await RedisFeedback(redis).precision()
    finally:
        await redis.aclose()


async def _read(
    url: str, count: int, user: str | None, host: str | None, since: float | None
) -> list[dict[str, str]]:
    redis = Redis.from_url(url)
    try:
        return await AuditLog(redis).read(count=count, user=user, host=host, since=since)
    finally:
        await redis.aclose()
