"""Slack listeners, thin over the core: parse, authorize, ack, call the core, render Block Kit.

Each surface module exposes `register(app, deps)`; each slash command's listener is named by its
row in the command table (`deps.commands`, `handlers/command_table.py`) and registered from it.
`register_all` is the one place that calls them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import actions, home, messages, shortcuts

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.slack.deps import Deps


def register_all(app: AsyncApp, deps: Deps) -> None:
    names = [command.name for command in deps.commands]
    if len(set(names)) != len(names):
        raise ValueError(f"the command table names a command twice: {names}")
    for command in deps.commands:
        command.listener(app, deps, command)
    for module in (messages, actions, shortcuts, home):
        module.register(app, deps)
