"""`cmbot` entry point: builds the argument parser from the command modules, reads the settings
(environment and `.env`) once and runs one command with them."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol

from bot.settings import Settings, SettingsError, load_settings
from probes.secrets import install_log_redaction, redact

log = logging.getLogger("cmbot")

COMMAND_MODULES: tuple[str, ...] = (
    "bot.commands.explain",
    "bot.commands.kb",
    "bot.commands.lab",
    "bot.commands.check",
    "bot.commands.collect",
    "bot.commands.console",
    "bot.commands.serve",
    "bot.commands.worker",
    "bot.commands.audit",
    "bot.commands.manifest",
)

Handler = Callable[[argparse.Namespace, Settings], int]


class CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cmbot",
        description="ConfigMgr troubleshooting: explain error codes and logs, check clients over WinRM.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that command is not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    install_log_redaction()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        settings = load_settings(require_slack=False)
    except SettingsError as exc:
        print(f"cmbot {args.command}: {exc}", file=sys.stderr)
        return 2
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if settings.cmbot_debug:
            raise
        ref = uuid.uuid4().hex[:8]
        log.debug("unexpected error, ref %s", ref, exc_info=True)
        print(
            f"cmbot: unexpected error ({redact(type(exc).__name__)}), ref {ref}; "
            "run with CMBOT_DEBUG=1 for details",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    sys.exit(main())
