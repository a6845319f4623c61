"""`cmbot console`: the Slack app in a terminal.

Each line becomes a signed Slack request (a slash command, or a channel message for pasted text)
dispatched into the same app and handlers `cmbot serve` runs; checks go through the same queue
(REDIS_URL, or an embedded Redis) to an in-process worker; the Block Kit replies the app posts to
a loopback Web API stand-in are printed as text. With `--with-lab`, host names resolve to the
WinRM lab hosts, so `/cmcheck` works with nothing else set up.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import sys
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, TextIO

from pydantic import SecretStr
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.access.groups import GroupError, expand_targets
from bot.fleet.targets import has_configmgr_targets
from bot.jobs.worker import build_worker
from bot.loopback.payloads import slack_escaped
from bot.loopback.web_api import SignedDriver, SlackStandIn
from bot.render.blocks import Message, render_text
from bot.render.i18n import phrase, say
from bot.settings import Settings
from bot.slack.app import build_app, build_deps
from bot.slack.deps import Deps
from bot.slack.slash import Command, command_named, help_text
from bot.state.redis_server import redis_url
from knowledge.findings import LANGS, Lang, lang_named
from lab.testing import Lab, start_lab

PROMPT = "cmbot> "
USER, CHANNEL = "UCONSOLE", "CCONSOLE"
CONSOLE_TOKEN = "xoxb-console"  # noqa: S105 - the token of the loopback Web API stand-in, not a secret
log = logging.getLogger("cmbot.console")


class ConsoleBot:
    """Drives the real Slack app from text lines and returns its replies as text."""

    def __init__(self, app: Any, deps: Deps, slack: SlackStandIn, secret: str, deadline_s: float) -> None:
        self.app, self.deps, self.slack, self.deadline_s = app, deps, slack, deadline_s
        self._signer = SignedDriver("", secret)
        self._ts = itertools.count(1)

    @classmethod
    @asynccontextmanager
    async def running(
        cls,
        base: Settings,
        *,
        lang: Lang,
        deadline_s: float,
        commands: Sequence[Command[Any]] | None = None,
    ) -> AsyncIterator[ConsoleBot]:
        """The app and a worker on `base` settings, with the loopback Slack's token and URL;
        `commands` is the command table to serve (the product's unless given)."""
        url, embedded = redis_url(base.redis_url)
        secret = secrets.token_hex(16)
        try:
            async with SlackStandIn() as slack:
                slack.locales[USER] = lang  # users.info `locale`: an IETF tag, its language is enough
                settings = base.model_copy(
                    update={
                        "slack_bot_token": SecretStr(CONSOLE_TOKEN),
                        "slack_signing_secret": SecretStr(secret),
                        "slack_app_token": None,
                        "slack_api_url": slack.api_url,
                        "cmbot_lang": lang,
                        "cmbot_check_deadline": deadline_s,
                    }
                )
                deps = build_deps(settings, redis_url=url, commands=commands)
                worker = build_worker(url, settings, concurrency=8, policy=deps.policy)
                worker_task = asyncio.create_task(worker.start())
                try:
                    yield cls(build_app(deps), deps, slack, secret, deadline_s)
                finally:
                    await worker.stop()
                    worker_task.cancel()
        finally:
            if embedded is not None:
                embedded.stop()

    @property
    def lang(self) -> Lang:
        """The console user's reply language (their locale in the Slack stand-in)."""
        return lang_named(self.slack.locales.get(USER)) or LANGS[0]

    async def handle(self, line: str) -> str | None:
        """The reply to one line, or None when the bot stays quiet (chatter, blank lines)."""
        text = line.strip()
        if not text:
            return None
        command, _, rest = text.partition(" ")
        lang = self.lang
        if command.lower() in ("help", "/help"):
            return help_text(self.deps.commands, lang, surface="console")
        if command.lower() == "/lang":
            return self._switch_language(rest.strip(), lang)
        if (known := command_named(self.deps.commands, command)) is not None:
            if known.answers == "response_url":
                return await self._answered_command(known.name, rest)
            return await self._check(known, rest)
        return await self._message(text)

    def _switch_language(self, choice: str, current: Lang) -> str:
        chosen = lang_named(choice)
        if chosen is None:
            return say(current, "usage.forms", usage="/lang " + "|".join(LANGS))
        self.slack.locales[USER] = chosen
        self.deps._user_lang.clear()
        return say(chosen, "console.lang_set", name=say(chosen, "ui.language_name"))

    async def _dispatch(self, body: str, content_type: str) -> str:
        headers: dict[str, str | Sequence[str]] = {"Content-Type": content_type, **self._signer.sign(body)}
        response = await self.app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
        await self.deps.background.drain(timeout_s=self.deadline_s * 2 + 30)
        if response.status != 200:
            return say(self.lang, "console.http", status=response.status)
        return str(response.body or "")

    def _command_body(self, command: str, typed: str) -> str:
        """The command as Slack sends what a person typed: `&`, `<`, `>` as entities, so the
        listener reads the console's text exactly as it reads Slack's."""
        return urllib.parse.urlencode(
            {
                "command": command,
                "text": slack_escaped(typed),
                "user_id": USER,
                "channel_id": CHANNEL,
                "team_id": "T1",
                "response_url": self.slack.response_url(),
                "trigger_id": uuid.uuid4().hex,
            }
        )

    @staticmethod
    def _ack_text(body: str) -> str | None:
        import json  # noqa: PLC0415

        if not body:
            return None
        try:
            return _render(json.loads(body))
        except (ValueError, TypeError, AttributeError):
            return body

    async def _answered_command(self, command: str, text: str) -> str | None:
        """A command answered through its response_url (`/cmerr`, `/cmbot`)."""
        before = len(self.slack.responses)
        ack = self._ack_text(
            await self._dispatch(self._command_body(command, text), "application/x-www-form-urlencoded")
        )
        replies = self.slack.responses[before:]
        return ack if not replies else "\n\n".join(_render(r) for r in replies)

    async def _check(self, command: Command[Any], text: str) -> str | None:
        """A check command (`/cmcheck`): the summary once every host's detail is in its thread."""
        before = len(self.slack.of("chat.postMessage"))
        answered = len(self.slack.responses)
        body = await self._dispatch(
            self._command_body(command.name, text), "application/x-www-form-urlencoded"
        )
        if ack := self._ack_text(body):
            return ack
        targets = command.parse(text)[0]
        if has_configmgr_targets(targets):
            return await self._cmcheck_configmgr(before, answered)
        posts = self.slack.of("chat.postMessage")[before:]
        if not posts:
            return say(self.lang, "console.no_answer")
        pending_ts = self._ts_of(posts[0])
        try:
            hosts = expand_targets(targets, self.deps.groups)
        except GroupError as exc:
            return phrase(self.lang, exc.reason)
        try:
            async with asyncio.timeout(self.deadline_s * 2 + 30):
                while len(self._thread(pending_ts)) < len(hosts):
                    await self.slack.wait_for("chat.postMessage", len(self.slack.of("chat.postMessage")) + 1)
        except TimeoutError:
            return say(self.lang, "console.too_slow")
        summary = [u for u in self.slack.of("chat.update") if u.get("ts") == pending_ts][-1]
        return "\n\n".join([_render(summary), *(_render(d) for d in self._thread(pending_ts))])

    async def _cmcheck_configmgr(self, before: int, answered: int) -> str:
        """ConfigMgr resolves the hosts after the ack: wait for a one-line refusal or the final summary."""
        try:
            async with asyncio.timeout(self.deadline_s * 2 + 30):
                while True:
                    if len(self.slack.responses) > answered:
                        return "\n\n".join(_render(r) for r in self.slack.responses[answered:])
                    posts = self.slack.of("chat.postMessage")[before:]
                    ts = self._ts_of(posts[0]) if posts else None
                    finals = [
                        u
                        for u in self.slack.of("chat.update")
                        if ts and u.get("ts") == ts and not str(u.get("text", "")).startswith("⏳")
                    ]
                    if finals:
                        return "\n\n".join([_render(finals[-1]), *(_render(d) for d in self._thread(ts))])
                    self.slack.changed.clear()
                    await self.slack.changed.wait()
        except TimeoutError:
            return say(self.lang, "console.too_slow")

    def _ts_of(self, args: dict[str, Any]) -> str | None:
        index = next(
            i for i, c in enumerate(self.slack.calls) if c.method == "chat.postMessage" and c.args is args
        )
        ts = self.slack.answers.get(index)
        return str(ts) if ts else None

    def _thread(self, ts: str | None) -> list[dict[str, Any]]:
        return [p for p in self.slack.of("chat.postMessage") if ts and p.get("thread_ts") == ts]

    async def _message(self, text: str) -> str | None:
        import json  # noqa: PLC0415

        before = len(self.slack.of("chat.postMessage"))
        ts = f"{next(self._ts)}.000100"
        event = {"type": "message", "channel": CHANNEL, "user": USER, "ts": ts, "text": slack_escaped(text)}
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A1",
                "event": event,
                "event_id": f"Ev{uuid.uuid4().hex}",
                "event_time": 0,
            }
        )
        await self._dispatch(body, "application/json")
        replies = self.slack.of("chat.postMessage")[before:]
        return "\n\n".join(_render(r) for r in replies) or None


def _render(args: dict[str, Any]) -> str:
    blocks = args.get("blocks") or []
    return (
        render_text(Message(text=str(args.get("text", "")), blocks=blocks))
        if blocks
        else str(args.get("text", ""))
    )


def _banner(lab: Lab | None, out: TextIO) -> None:
    print("cmbot console - the Slack app in your terminal; 'help' for commands, 'quit' to leave.", file=out)
    if lab is not None:
        names = ", ".join(h.name for h in lab.inventory.hosts[:6])
        print(f"{len(lab.inventory.hosts)} lab hosts are running, e.g. {names} …", file=out)
        print("Try: /cmcheck lab-sup-scan-timeout    or    /cmerr 0x80244022", file=out)


async def _loop(bot: ConsoleBot, source: TextIO, out: TextIO, interactive: bool) -> None:
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            print(PROMPT, end="", file=out, flush=True)
        line = await loop.run_in_executor(None, source.readline)
        if not line or line.strip().lower() in ("quit", "exit", "/quit"):
            break
        try:
            reply = await bot.handle(line)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("console command failed, ref %s", ref)
            reply = f"Sorry, that failed inside cmbot (ref {ref}); the error was logged."
        if reply:
            print(reply, file=out, flush=True)
            if not interactive:
                print(file=out)


async def _session(
    settings: Settings, lang: Lang, deadline_s: float, *, source: TextIO, out: TextIO, lab: Lab | None
) -> None:
    interactive = source.isatty()
    async with ConsoleBot.running(settings, lang=lang, deadline_s=deadline_s) as bot:
        if interactive:
            _banner(lab, out)
        await _loop(bot, source, out, interactive)


def run_console(
    settings: Settings,
    *,
    lang: Lang,
    with_lab: bool,
    deadline_s: float = 60.0,
    source: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> int:
    lab = None
    if with_lab:
        lab = start_lab(adminservice=True)
        # the lab's hosts and AdminService, for this session's checks and ConfigMgr targets
        settings = settings.model_copy(
            update={"cmbot_inventory": lab.inventory_path, "cmbot_adminservice": lab.adminservice_path}
        )
    try:
        asyncio.run(_session(settings, lang, deadline_s, source=source, out=out, lab=lab))
    finally:
        if lab is not None:
            lab.stop()
    return 0
