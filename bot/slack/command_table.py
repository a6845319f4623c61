"""The one command table: each slash command's name, usage, help line, examples and parser.

The Slack listeners' usage replies, `/cmbot help`, the console's help and dispatch, App Home's
how-to and the manifest test all read this table; each example is also a test (sopel's
`@plugin.example` idea: sopel-irc/sopel:sopel/plugin.py), so help cannot describe a command
that parses differently.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from knowledge.findings import Lang

MAX_HOSTS_PER_COMMAND = 500


@dataclass(frozen=True)
class Form:
    """One way to call a command, with its help line in each language."""

    usage: str
    help: dict[Lang, str]


@dataclass(frozen=True)
class Example:
    """What a user types after the command, and what the command's parser makes of it."""

    args: str
    parsed: object


@dataclass(frozen=True)
class Command:
    name: str
    forms: tuple[Form, ...]
    parse: Callable[[str], object]
    examples: tuple[Example, ...]
    answers: Literal["response_url", "messages"]
    """How the reply comes: through the command's response_url, or as posted (threaded) messages."""
    usage_note: str = ""

    @property
    def usage(self) -> str:
        """The usage reply to a call that cannot be run."""
        return f"Usage: {self.forms[0].usage}{self.usage_note}"


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


CMBOT_USAGE = (
    "Usage: /cmbot autoreply on|off|default · /cmbot lang en|ja|auto · /cmbot settings · /cmbot help"
)
_ON = {"on", "yes", "true", "enable", "enabled"}
_OFF = {"off", "no", "false", "disable", "disabled"}
_DEFAULT = {"default", "auto", "reset"}


@dataclass(frozen=True)
class CmbotCommand:
    """`/cmbot …` parsed: `help`, `show`, `set` (with `changes`) or `usage` (with `problem`)."""

    kind: Literal["help", "show", "set", "usage"]
    changes: dict[str, bool | Lang | None] = field(default_factory=dict)
    problem: str = ""


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
        return CmbotCommand("usage", problem="Usage: /cmbot autoreply on|off|default")
    if name in ("lang", "language"):
        if value in ("en", "ja"):
            return CmbotCommand("set", {"lang": "ja" if value == "ja" else "en"})
        if value in _DEFAULT:
            return CmbotCommand("set", {"lang": None})
        return CmbotCommand("usage", problem="Usage: /cmbot lang en|ja|auto")
    return CmbotCommand("usage", problem=CMBOT_USAGE)


CMCHECK = Command(
    name="/cmcheck",
    forms=(
        Form(
            "/cmcheck HOST [HOST…] [kb:KB5031356]",
            {
                "en": "check ConfigMgr clients over WinRM (read-only)",
                "ja": "WinRM でクライアントをチェック (読み取りのみ)",
            },
        ),
        Form(
            "/cmcheck group:NAME",
            {"en": "check a host group (CMBOT_GROUPS)", "ja": "ホスト グループをチェック (CMBOT_GROUPS)"},
        ),
        Form(
            "/cmcheck collection:NAME",
            {
                "en": "check a ConfigMgr collection (AdminService)",
                "ja": "ConfigMgr のコレクションをチェック (AdminService)",
            },
        ),
        Form(
            "/cmcheck deployment:ID status:error",
            {
                "en": "check a deployment's error (or unknown) clients",
                "ja": "展開のエラー (または不明) のクライアントをチェック",
            },
        ),
    ),
    parse=parse_cmcheck,
    examples=(
        Example("PC-1234", (["PC-1234"], [])),
        Example("PC-1234 PC-5678 kb:KB5031356", (["PC-1234", "PC-5678"], ["KB5031356"])),
        Example('collection:"All Systems"', (["collection:All Systems"], [])),
    ),
    answers="messages",
)
CMERR = Command(
    name="/cmerr",
    forms=(
        Form(
            "/cmerr CODE-OR-TEXT",
            {
                "en": "explain an error code, symbol or log lines",
                "ja": "エラー コード、シンボル、ログ行を説明",
            },
        ),
    ),
    parse=parse_cmerr,
    examples=(
        Example("0x80244022", "0x80244022"),
        Example("  WU_E_PT_HTTP_STATUS_SERVICE_UNAVAILABLE ", "WU_E_PT_HTTP_STATUS_SERVICE_UNAVAILABLE"),
    ),
    answers="response_url",
    usage_note=" (an error code, a symbol or log lines)",
)
CMBOT = Command(
    name="/cmbot",
    forms=(
        Form(
            "/cmbot autoreply on|off, /cmbot lang en|ja|auto",
            {"en": "this channel's settings", "ja": "このチャンネルの設定"},
        ),
        Form(
            "/cmbot settings, /cmbot help",
            {"en": "show them, or this help", "ja": "設定を表示、またはこのヘルプ"},
        ),
    ),
    parse=parse_cmbot,
    examples=(
        Example("help", CmbotCommand("help")),
        Example("autoreply off", CmbotCommand("set", {"auto_reply": False})),
        Example("lang ja", CmbotCommand("set", {"lang": "ja"})),
        Example("lang auto", CmbotCommand("set", {"lang": None})),
    ),
    answers="response_url",
)
COMMANDS: tuple[Command, ...] = (CMCHECK, CMERR, CMBOT)
"""Every slash command, in the order help lists them (the manifest must list the same names)."""

CONSOLE_ONLY: tuple[Form, ...] = (
    Form("/lang en|ja", {"en": "switch your own reply language", "ja": "自分の返信言語を切り替え"}),
    Form("help, quit", {"en": "this help, leave", "ja": "このヘルプ、終了"}),
)
_TITLE: dict[Lang, str] = {"en": "Commands:", "ja": "コマンド:"}
_MESSAGES: dict[Lang, dict[str, str]] = {
    "en": {
        "slack": "Paste codes or log lines in a channel, or upload a log: cmbot answers in the thread.",
        "console": "Anything else is read as a channel message: codes and log lines in it are explained.",
    },
    "ja": {
        "slack": "コードやログ行をチャンネルに貼るか、ログをアップロードすると、スレッドで回答します。",
        "console": "それ以外はチャンネルへの投稿として扱い、含まれるコードやログ行を説明します。",
    },
}


def command_named(name: str) -> Command | None:
    return next((c for c in COMMANDS if c.name == name.lower()), None)


def help_text(lang: Lang, *, surface: Literal["slack", "console"]) -> str:
    """The command list for `/cmbot help` (Slack) or the console's `help` (with its own extras)."""
    forms = [form for command in COMMANDS for form in command.forms]
    if surface == "console":
        forms.extend(CONSOLE_ONLY)
    width = max(len(form.usage) for form in forms) + 3
    lines = [_TITLE[lang], *(f"  {form.usage.ljust(width)}{form.help[lang]}" for form in forms)]
    return "\n".join([*lines, _MESSAGES[lang][surface]])


def how_to_lines(lang: Lang = "en") -> list[str]:
    """App Home's bullets, one per way to call each command."""
    return [f"• `{form.usage}` {form.help[lang]}." for command in COMMANDS for form in command.forms]
