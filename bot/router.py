"""What users type, parsed once for the Slack handlers and the console: `/cmcheck` and `/cmbot`
arguments, the help text, and the access policy from the environment."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from bot.access.policy import Policy, load_policy
from knowledge.findings import Lang

MAX_HOSTS_PER_COMMAND = 500

HELP = {
    "en": (
        "Commands:\n"
        "  /cmcheck HOST [HOST…] [kb:KB5031356]   check ConfigMgr clients over WinRM (read-only)\n"
        "  /cmcheck group:NAME                     check a host group (CMBOT_GROUPS)\n"
        "  /cmcheck collection:NAME                check a ConfigMgr collection (AdminService)\n"
        "  /cmcheck deployment:ID status:error     check a deployment's error (or unknown) clients\n"
        "  /cmerr CODE-OR-TEXT                     explain an error code, symbol or log lines\n"
        "  /cmbot autoreply on|off, /cmbot lang en|ja|auto   this channel's settings\n"
        "  /lang en|ja                             switch your own reply language\n"
        "  help, quit\n"
        "Anything else is read as a channel message: codes and log lines in it are explained."
    ),
    "ja": (
        "コマンド:\n"
        "  /cmcheck ホスト [ホスト…] [kb:KB5031356]   WinRM でクライアントをチェック (読み取りのみ)\n"
        "  /cmcheck group:名前                     ホスト グループをチェック (CMBOT_GROUPS)\n"
        "  /cmcheck collection:名前                ConfigMgr のコレクションをチェック (AdminService)\n"
        "  /cmcheck deployment:ID status:error     展開のエラー (または不明) のクライアントをチェック\n"
        "  /cmerr コードまたはテキスト                エラー コード、シンボル、ログ行を説明\n"
        "  /cmbot autoreply on|off, /cmbot lang en|ja|auto   このチャンネルの設定\n"
        "  /lang en|ja                             自分の返信言語を切り替え\n"
        "  help, quit\n"
        "それ以外はチャンネルへの投稿として扱い、含まれるコードやログ行を説明します。"
    ),
}


def policy_from_env() -> Policy:
    path = os.environ.get("CMBOT_POLICY")
    return load_policy(Path(path)) if path else Policy.open_default()


def parse_cmcheck(args: str) -> tuple[list[str], list[str]]:
    """Hosts (and `group:NAME`) and `kb:` parameters from the command text."""
    try:
        words = shlex.split(args)
    except ValueError:
        words = args.split()
    hosts = [w for w in words if not w.lower().startswith("kb:")]
    kbs = [w[3:] for w in words if w.lower().startswith("kb:")]
    return hosts, kbs


CMBOT_USAGE = (
    "Usage: /cmbot autoreply on|off|default · /cmbot lang en|ja|auto · /cmbot settings · /cmbot help"
)
_ON = {"on", "yes", "true", "enable", "enabled"}
_OFF = {"off", "no", "false", "disable", "disabled"}
_DEFAULT = {"default", "auto", "reset"}


@dataclass(frozen=True)
class CmbotCommand:
    """`/cmbot …` parsed: `help`, `show`, `set` (with `changes`) or `usage` (with `problem`)."""

    kind: str
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
