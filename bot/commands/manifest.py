"""`cmbot manifest [--output PATH | --check PATH] [--request-url URL]`: the Slack app manifest,
generated from the command table (bot/slack/manifest.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.settings import Settings
from bot.slack.app import default_commands
from bot.slack.manifest import ManifestError, manifest_yaml, request_url_for


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "manifest", help="print the Slack app manifest generated from the command table"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--output", type=Path, help="write it to PATH (e.g. slack-manifest.yml)")
    where.add_argument("--check", type=Path, help="exit 1 when PATH is not what the table generates")
    parser.add_argument(
        "--request-url",
        metavar="BASE_URL",
        help="for HTTP instead of Socket Mode: the app's public base URL (https://host); "
        "every request URL becomes BASE_URL/slack/events",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    request_url = request_url_for(args.request_url) if args.request_url else None
    try:
        text = manifest_yaml(default_commands(), request_url=request_url)
    except ManifestError as exc:
        print(f"cmbot manifest: {exc}", file=sys.stderr)
        return 1
    if args.check is not None:
        current = args.check.read_text(encoding="utf-8") if args.check.is_file() else ""
        if current != text:
            print(
                f"cmbot manifest: {args.check} is not what the command table generates; "
                f"run: cmbot manifest --output {args.check}",
                file=sys.stderr,
            )
            return 1
        return 0
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        return 0
    sys.stdout.write(text)
    return 0
