"""What users type, parsed once for the Slack handlers and the console: `/cmcheck` arguments,
the help text, and the access policy from the environment."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from bot.policy import Policy, load_policy

MAX_HOSTS_PER_COMMAND = 500

HELP = {
    "en": (
        "Commands:\n"
        "  /cmcheck HOST [HOST…] [kb:KB5031356]   check ConfigMgr clients over WinRM (read-only)\n"
        "  /cmcheck group:NAME                     check a host group (CMBOT_GROUPS)\n"
        "  /cmerr CODE-OR-TEXT                     explain an error code, symbol or log lines\n"
        "  /lang en|ja                             switch the reply language\n"
        "  help, quit\n"
        "Anything else is read as a channel message: codes and log lines in it are explained."
    ),
    "ja": (
        "コマンド:\n"
        "  /cmcheck ホスト [ホスト…] [kb:KB5031356]   WinRM でクライアントをチェック (読み取りのみ)\n"
        "  /cmcheck group:名前                     ホスト グループをチェック (CMBOT_GROUPS)\n"
        "  /cmerr コードまたはテキスト                エラー コード、シンボル、ログ行を説明\n"
        "  /lang en|ja                             返信の言語を切り替え\n"
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
