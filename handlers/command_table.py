"""The command table: one row per slash command (bot/slack/slash.py says what a row holds).

Adding a command is a row here and its listener module in `handlers/`; `cmbot manifest --output
slack-manifest.yml` then writes the manifest from the table (tests/bot/slack/test_manifest_file.py
fails until the checked-in file is regenerated).
"""

from __future__ import annotations

from typing import Any

from bot.slack.slash import (
    LANG_CHOICES,
    CmbotCommand,
    Command,
    Example,
    Form,
    parse_cmbot,
    parse_cmcheck,
    parse_cmerr,
)
from handlers.commands import register_cmcheck, register_cmerr
from handlers.settings import register_cmbot

CMCHECK: Command[tuple[list[str], list[str]]] = Command(
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
    answers="check",
    listener=register_cmcheck,
    description="Check ConfigMgr clients over WinRM (read-only) and name the cause",
    usage_hint="PC-1234 [PC-5678 …] [kb:KB5031356]",
)
CMERR: Command[str] = Command(
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
        # A pasted CMTrace line: Slack sends its `<` and `>` as entities, the listener reads them back.
        Example(
            "<![LOG[Failed to end search job. Error = 0x80244022.]LOG]!>",
            "<![LOG[Failed to end search job. Error = 0x80244022.]LOG]!>",
        ),
        Example("  WU_E_PT_HTTP_STATUS_SERVICE_UNAVAILABLE ", "WU_E_PT_HTTP_STATUS_SERVICE_UNAVAILABLE"),
    ),
    listener=register_cmerr,
    description="Explain an error code, a symbol or log lines",
    usage_hint="0x80244022",
)
CMBOT: Command[CmbotCommand] = Command(
    name="/cmbot",
    forms=(
        Form(
            f"/cmbot autoreply on|off, /cmbot lang {LANG_CHOICES}",
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
    listener=register_cmbot,
    description="This channel's cmbot settings (auto-replies, language) and help",
    usage_hint=f"autoreply on|off · lang {LANG_CHOICES} · settings · help",
)
COMMANDS: tuple[Command[Any], ...] = (CMCHECK, CMERR, CMBOT)
"""Every slash command, in the order help, App Home and the manifest list them."""
