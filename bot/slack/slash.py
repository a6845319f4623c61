"""Slash commands as data: the row type of the command table, the parsers, and what reads a table.

The table itself (`handlers/command_table.py`) has one row per command: name, forms with their help
lines, examples, parser, listener and manifest entry. The listeners are registered from it; the
usage replies, `/cmbot help`, the console's help and dispatch, App Home's how-to and
`slack-manifest.yml` (`bot/slack/manifest.py`) are built from it; each example is also a test
(sopel's `@plugin.example` idea: sopel-irc/sopel:sopel/plugin.py), so help cannot describe a command
that parses differently.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from bot.render.i18n import say
from knowledge.findings import DEFAULT_LANG, LANGS, Lang, Phrase, lang_named, said

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

MAX_HOSTS_PER_COMMAND = 500
Parsed = TypeVar("Parsed")


@dataclass(frozen=True)
class Form:
    """One way to call a command, with its help line in each language (like a knowledge entry's
    texts: a row of the command table carries its own words, so adding a command is one row)."""

    usage: str
    help: dict[Lang, str]

    def __post_init__(self) -> None:
        if missing := [lang for lang in LANGS if lang not in self.help]:
            raise ValueError(f"command form {self.usage!r}: add its help line in {', '.join(missing)}")


@dataclass(frozen=True)
class Example:
    """What a user types after the command, and what the command's parser makes of it."""

    args: str
    parsed: object


Listener = Callable[["AsyncApp", Any, "Command[Any]"], None]
"""Registers a command's Slack listener: `(app, deps, row)`. It registers under `row.name` and runs
`row.parse`, so the row passed in is the one served. (`deps` is `bot.slack.deps.Deps`, which holds
the table; naming it here would make the two modules import each other.)"""


@dataclass(frozen=True)
class Command(Generic[Parsed]):
    """One row of the command table."""

    name: str
    forms: tuple[Form, ...]
    parse: Callable[[str], Parsed]
    """What the listener, the console and the examples run on the typed arguments."""
    examples: tuple[Example, ...]
    listener: Listener
    description: str
    """The manifest's description: the line Slack shows beside the command in the composer."""
    usage_hint: str
    """The manifest's usage hint: the arguments Slack shows as the user types the command."""
    answers: Literal["response_url", "check"] = "response_url"
    """How the reply comes: through the command's response_url, or as a check's messages (a
    pending message updated with the verdict, one threaded detail per host)."""
    should_escape: bool = False
    """Slack's `should_escape`: false keeps mentions and channels as typed, which is what the
    parsers read (https://docs.slack.dev/reference/app-manifest)."""

    def usage_in(self, lang: Lang) -> str:
        """The usage reply to a call that cannot be run: the first form and what it does."""
        first = self.forms[0]
        return say(lang, "usage.command", usage=first.usage, help=first.help[lang])


def parse_cmcheck(args: str) -> tuple[list[str], list[str]]:
    """Hosts (and `group:NAME`, `collection:NAME`, `deployment:ID`) and `kb:` parameters."""
    try:
        words = shlex.split(args)
    except ValueError:
        words = args.split()
    hosts = [w for w in words if not w.lower().startswith("kb:")]
    kbs = [w[3:] for w in words if w.lower().startswith("kb:")]
    return hosts, kbs


_DEPLOYMENT_ID = re.compile(
    r"deployment:\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?",
    re.IGNORECASE,
)


def split_deployment_ids(words: list[str]) -> tuple[list[str], list[str]]:
    """`deployment:{GUID}` beside host names is the deployment unique ID whose targeting the check
    verifies (seed article 1 asks for it); a numeric `deployment:ID` is a ConfigMgr target that the
    AdminService resolves to hosts (bot/fleet/targets.py)."""
    hosts = [w for w in words if not _DEPLOYMENT_ID.fullmatch(w)]
    deployments = [w.split(":", 1)[1] for w in words if _DEPLOYMENT_ID.fullmatch(w)]
    return hosts, deployments


def parse_cmerr(args: str) -> str:
    """The code, symbol or log lines to explain; empty means the usage reply."""
    return args.strip()


LANG_CHOICES = "|".join([*LANGS, "auto"])
CMBOT_USAGE = said(
    "usage.forms",
    usage=f"/cmbot autoreply on|off|default · /cmbot lang {LANG_CHOICES} · /cmbot settings · /cmbot help",
)
_ON = {"on", "yes", "true", "enable", "enabled"}
_OFF = {"off", "no", "false", "disable", "disabled"}
_DEFAULT = {"default", "auto", "reset"}


@dataclass(frozen=True)
class CmbotCommand:
    """`/cmbot …` parsed: `help`, `show`, `set` (with `changes`) or `usage` (with `problem`)."""

    kind: Literal["help", "show", "set", "usage"]
    changes: dict[str, bool | Lang | None] = field(default_factory=dict)
    problem: Phrase | None = None


def parse_cmbot(args: str) -> CmbotCommand:
    words = args.lower().split()
    if not words or words[0] == "help":
        return CmbotCommand("help")
    if words[0] in ("settings", "status", "show") and len(words) == 1:
        return CmbotCommand("show")
    if len(words) != 2:
        return CmbotCommand("usage", problem=CMBOT_USAGE)
    name, value = words
    if name in ("autoreply", "auto-reply", "replies"):
        if value in _ON | _OFF | _DEFAULT:
            return CmbotCommand("set", {"auto_reply": None if value in _DEFAULT else value in _ON})
        return CmbotCommand("usage", problem=said("usage.forms", usage="/cmbot autoreply on|off|default"))
    if name in ("lang", "language"):
        if (lang := lang_named(value)) is not None and lang == value:
            return CmbotCommand("set", {"lang": lang})
        if value in _DEFAULT:
            return CmbotCommand("set", {"lang": None})
        return CmbotCommand("usage", problem=said("usage.forms", usage=f"/cmbot lang {LANG_CHOICES}"))
    return CmbotCommand("usage", problem=CMBOT_USAGE)


CONSOLE_ONLY: tuple[tuple[str, str], ...] = (
    ("/lang " + "|".join(LANGS), "help.console_lang"),
    ("help, quit", "help.console_quit"),
)
"""The console's own lines: usage and the catalog key of its help."""


def command_named(commands: Sequence[Command[Any]], name: str) -> Command[Any] | None:
    return next((c for c in commands if c.name == name.lower()), None)


def help_text(commands: Sequence[Command[Any]], lang: Lang, *, surface: Literal["slack", "console"]) -> str:
    """The command list for `/cmbot help` (Slack) or the console's `help` (with its own extras)."""
    rows = [(form.usage, form.help[lang]) for command in commands for form in command.forms]
    if surface == "console":
        rows.extend((usage, say(lang, key)) for usage, key in CONSOLE_ONLY)
    width = max(len(usage) for usage, _ in rows) + 3
    lines = [say(lang, "help.title"), *(f"  {usage.ljust(width)}{help}" for usage, help in rows)]
    return "\n".join([*lines, say(lang, f"help.{surface}")])


def how_to_lines(commands: Sequence[Command[Any]], lang: Lang = DEFAULT_LANG) -> list[str]:
    """App Home's bullets, one per way to call each command."""
    return [f"• `{form.usage}` {form.help[lang]}." for command in commands for form in command.forms]
