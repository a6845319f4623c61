"""`cmbot console [--with-lab] [--lang en|ja]`: the bot in a terminal."""

from __future__ import annotations

import argparse
import logging

from bot.cli.console import run_console
from bot.settings import Settings
from knowledge.findings import DEFAULT_LANG, LANGS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("console", help="talk to the bot in a terminal (stdin commands)")
    parser.add_argument("--with-lab", action="store_true", help="start the WinRM lab hosts and use them")
    parser.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG)
    parser.add_argument("--deadline", type=float, default=60.0, help="seconds per host check")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("saq").setLevel(logging.ERROR)
    logging.getLogger("slack_bolt").setLevel(logging.ERROR)
    return run_console(settings, lang=args.lang, with_lab=args.with_lab, deadline_s=args.deadline)
