"""`cmbot serve [--port N]`: run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.app import build_app, build_deps
from bot.policy import PolicyError
from bot.server import serve
from bot.settings import SettingsError, load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the Slack app")
    parser.add_argument("--port", type=int, help="HTTP port (default CMBOT_PORT or 3000)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
        deps = build_deps(settings)
    except (SettingsError, PolicyError) as exc:
        print(f"cmbot serve: {exc}", file=sys.stderr)
        return 2
    app = build_app(deps)
    asyncio.run(serve(app, settings, port=args.port))
    return 0
