"""Parse what a user typed (`/cmcheck`, `/cmerr`, pasted text) and answer it from the core.

The console uses this directly; replies are plain text with the verdict on the first line.
"""

from __future__ import annotations

import io
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from bot.commands.check import print_report
from bot.commands.explain import print_explanation
from bot.policy import Policy, PolicyError, load_policy
from knowledge.explain import explain
from knowledge.findings import Lang
from probes.check import check_hosts

MAX_HOSTS_PER_COMMAND = 500

HELP = {
    "en": (
        "Commands:\n"
        "  /cmcheck HOST [HOST…] [kb:KB5031356]   check ConfigMgr clients over WinRM (read-only)\n"
        "  /cmerr CODE-OR-TEXT                     explain an error code, symbol or log lines\n"
        "  /lang en|ja                             switch the reply language\n"
        "  help, quit\n"
        "Anything else is read as pasted text: codes and log lines in it are explained."
    ),
    "ja": (
        "コマンド:\n"
        "  /cmcheck ホスト [ホスト…] [kb:KB5031356]   WinRM でクライアントをチェック (読み取りのみ)\n"
        "  /cmerr コードまたはテキスト                エラー コード、シンボル、ログ行を説明\n"
        "  /lang en|ja                             返信の言語を切り替え\n"
        "  help, quit\n"
        "それ以外は貼り付けたテキストとして扱い、含まれるコードやログ行を説明します。"
    ),
}


@dataclass
class Session:
    """One user's conversation state: reply language and identity for the access policy."""

    user_id: str = "console"
    channel_id: str = "console"
    lang: Lang = "en"
    policy: Policy = field(default_factory=Policy.open_default)
    deadline_s: float = 60.0


def policy_from_env() -> Policy:
    path = os.environ.get("CMBOT_POLICY")
    return load_policy(Path(path)) if path else Policy.open_default()


def parse_cmcheck(args: str) -> tuple[list[str], list[str]]:
    try:
        words = shlex.split(args)
    except ValueError:
        words = args.split()
    hosts = [w for w in words if not w.lower().startswith("kb:")]
    kbs = [w[3:] for w in words if w.lower().startswith("kb:")]
    return hosts, kbs


async def answer(line: str, session: Session) -> str | None:
    """The reply to one line, or None when nothing should be said (chatter, blank lines)."""
    text = line.strip()
    if not text:
        return None
    command, _, rest = text.partition(" ")
    command = command.lower()
    if command in ("help", "/help", "/cmbot"):
        return HELP[session.lang]
    if command == "/lang":
        choice = rest.strip().lower()
        if choice not in ("en", "ja"):
            return "Usage: /lang en|ja"
        session.lang = "ja" if choice == "ja" else "en"
        return "言語: 日本語" if session.lang == "ja" else "Language: English"
    if command == "/cmerr":
        return _explain(rest, session, always=True) if rest.strip() else "Usage: /cmerr CODE-OR-TEXT"
    if command == "/cmcheck":
        return await _cmcheck(rest, session)
    return _explain(text, session, always=False)


def _explain(text: str, session: Session, *, always: bool) -> str | None:
    explanation = explain(text, lang=session.lang)
    confident = explanation.findings or any(code.name for code in explanation.codes)
    if not always and not confident:
        return None
    out = io.StringIO()
    print_explanation(explanation, session.lang, out)
    return out.getvalue().rstrip()


async def _cmcheck(args: str, session: Session) -> str:
    hosts, kbs = parse_cmcheck(args)
    if not hosts:
        return "Usage: /cmcheck HOST [HOST…] [kb:KB5031356]"
    if len(hosts) > MAX_HOSTS_PER_COMMAND:
        return f"Too many hosts: at most {MAX_HOSTS_PER_COMMAND} per command."
    refused = []
    for host in hosts:
        decision = session.policy.authorize(
            user_id=session.user_id, channel_id=session.channel_id, target=host
        )
        if not decision:
            refused.append(f"{host[:60]}: {decision.reason}")
    if refused:
        return "Not allowed:\n  " + "\n  ".join(refused)
    reports = await check_hosts(hosts, kbs=kbs, deadline_s=session.deadline_s, lang=session.lang)
    out = io.StringIO()
    for index, report in enumerate(reports):
        if index:
            print(file=out)
        print_report(report, session.lang, out)
    return out.getvalue().rstrip()


def load_session(lang: Lang = "en") -> Session:
    try:
        policy = policy_from_env()
    except PolicyError as exc:
        raise SystemExit(f"cmbot: {exc}") from None
    return Session(lang=lang, policy=policy)
