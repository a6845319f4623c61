"""Slack listeners, thin over the core: parse, authorize, ack, call the core, render Block Kit.

Each module exposes `register(app, deps)`; `register_all` is the one place that calls them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import actions, commands, home, messages, settings, shortcuts

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.slack.deps import Deps


def register_all(app: AsyncApp, deps: Deps) -> None:
    for module in (commands, settings, messages, actions, shortcuts, home):
        module.register(app, deps)
