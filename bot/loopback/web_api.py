"""The loopback Slack, product code (the console runs on it, tests drive it): a stand-in for
Slack's Web API that records what the bot posts, and a driver that sends signed requests into
the real app.

    async with SlackStandIn() as slack:
        bot = SignedDriver(app_url, secret)
        await bot.command("/cmerr", "0x80244022")
        slack.posted[-1]
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

import aiohttp
from aiohttp import web

from bot.loopback.payloads import (
    block_actions_payload,
    command_payload,
    event_payload,
    message_action_payload,
)

__all__ = [
    "Call",
    "Harness",
    "SignedDriver",
    "SlackStandIn",
    "command_payload",
    "event_payload",
    "serving_http",
]


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class SlackStandIn:
    """Answers Web API methods like Slack would and records every call. Every stand-in opened is
    listed in `opened`, so one test fixture can check all that the bot sent against Slack's rules."""

    opened: ClassVar[list[SlackStandIn]] = []
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    file_bodies: dict[str, bytes] = field(default_factory=dict)
    locales: dict[str, str] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    """Members of each user group (usergroups.users.list); an unknown ID is `no_such_subteam`."""
    not_in_channels: set[str] = field(default_factory=set)
    """Channels where chat.postMessage answers `not_in_channel` (the bot was never invited)."""
    rate_limit_next: int = 0
    server_error_next: int = 0
    fail_next: dict[str, int] = field(default_factory=dict)
    """Method → how many of its next calls answer Slack's `fatal_error` (e.g. users.info)."""
    calls: list[Call] = field(default_factory=list)
    answers: dict[int, str] = field(default_factory=dict)
    """The `ts` answered to each call, by its index in `calls`."""
    response_uses: list[str] = field(default_factory=list)
    """The response_url of each answer posted through one, in order (Slack allows 5 per URL)."""
    replies: set[str] = field(default_factory=set)
    """The ts of every message the bot posted as a thread reply (never a valid thread_ts)."""
    responses: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    """Bytes the bot uploaded (files_upload_v2 step 2), by the file ID step 1 gave it."""
    url: str = ""
    _runner: web.AppRunner | None = None
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def posted(self) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method in ("chat.postMessage", "chat.update")]

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    def routes(self, application: web.Application) -> None:
        """The stand-in's paths; a subclass adds its own (Socket Mode, uploads) and calls this."""
        application.router.add_post("/api/{method}", self._api)
        application.router.add_get("/api/{method}", self._api)
        application.router.add_post("/response/{id}", self._response_url)
        application.router.add_get("/files/{id}", self._file)
        application.router.add_post("/upload/{id}", self._upload)

    async def __aenter__(self) -> SlackStandIn:
        application = web.Application(client_max_size=64 * 1024 * 1024)
        self.routes(application)
        self._runner = web.AppRunner(application)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        SlackStandIn.opened.append(self)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self) -> str:
        return f"{self.url}/response/{next(self._ts)}"

    def add_file(
        self, file_id: str, name: str, body: bytes, channel: str, ts: str, *, thread_ts: str | None = None
    ) -> None:
        """A file shared in `channel` by the message `ts` (a reply in thread `thread_ts`, if given),
        as files.info describes it (node-slack-sdk FilesInfoResponse: Shares → Public)."""
        self.file_bodies[file_id] = body
        share: dict[str, Any] = {
            "ts": ts,
            "channel_name": "helpdesk",
            "team_id": "T1",
            "share_user_id": "U2",
            "source": "UPLOAD",
            "reply_count": 0,
            "reply_users_count": 0,
        }
        if thread_ts:
            share.update(thread_ts=thread_ts, is_silent_share=False)
        self.files[file_id] = {
            "id": file_id,
            "created": int(time.time()),
            "name": name,
            "title": name,
            "mimetype": "text/plain",
            "filetype": "text",
            "pretty_type": "Plain Text",
            "user": "U2",
            "mode": "hosted",
            "is_external": False,
            "size": len(body),
            "channels": [channel],
            "groups": [],
            "ims": [],
            "url_private": f"{self.url}/files/{file_id}",
            "url_private_download": f"{self.url}/files/{file_id}",
            "shares": {"public": {channel: [share]}},
        }

    async def wait_for(self, method: str, count: int = 1) -> list[dict[str, Any]]:
        """Wait until `count` calls of `method` were recorded (no sleeps as synchronisation).

        Callers bound the wait with `asyncio.timeout(...)`.
        """
        while len(self.of(method)) < count:
            self.changed.clear()
            await self.changed.wait()
        return self.of(method)

    async def _args(self, request: web.Request) -> dict[str, Any]:
        """Query parameters (slack_sdk sends `params=` methods that way, even on POST) and the body."""
        if request.method == "GET":
            fields: dict[str, Any] = dict(request.query)
        elif request.content_type == "application/json":
            return {**request.query, **dict(await request.json())}
        else:
            fields = {**request.query, **(await request.post())}
        args: dict[str, Any] = {}
        for key, value in fields.items():
            text = value if isinstance(value, str) else ""
            try:
                args[key] = json.loads(text) if key in ("blocks", "view", "attachments", "files") else text
            except json.JSONDecodeError:
                args[key] = text
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if not request.headers.get("Authorization", "").startswith("Bearer xoxb-"):
            return web.json_response({"ok": False, "error": "not_authed"})
        if self.rate_limit_next > 0 and method.startswith("chat."):
            self.rate_limit_next -= 1
            self.calls.append(Call(f"429:{method}", {}))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        if self.server_error_next > 0 and method.startswith("chat."):
            self.server_error_next -= 1
            self.calls.append(Call(f"500:{method}", {}))
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        args = await self._args(request)
        self.calls.append(Call(method, args))
        answer = self._answer(method, args)
        if "ts" in answer:
            self.answers[len(self.calls) - 1] = str(answer["ts"])
            if method == "chat.postMessage" and args.get("thread_ts"):
                self.replies.add(str(answer["ts"]))
        self.changed.set()
        return web.json_response(answer)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if self.fail_next.get(method, 0) > 0:  # `fatal_error`: https://api.slack.com/methods/users.info
            self.fail_next[method] -= 1
            return {"ok": False, "error": "fatal_error"}
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "cmbot"}
        if method == "chat.postMessage" and args.get("channel") in self.not_in_channels:
            return {"ok": False, "error": "not_in_channel"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            ts = args.get("ts") or f"{int(time.time())}.{next(self._ts):06d}"
            return {"ok": True, "channel": args.get("channel"), "ts": ts}
        if method == "users.info":  # `locale` only when asked for (include_locale)
            user = args.get("user", "")
            found: dict[str, Any] = {"id": user, "name": user.lower(), "is_bot": False}
            if str(args.get("include_locale", "")).lower() in ("1", "true"):
                found["locale"] = self.locales.get(user, "en-US")
            return {"ok": True, "user": found}
        if method == "usergroups.users.list":
            group = str(args.get("usergroup", ""))
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.usergroups[group]}
        if method == "files.getUploadURLExternal":
            file_id = f"FU{next(self._ts)}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = args.get("files") or []
            if any(f.get("id") not in self.uploads for f in files):
                return {"ok": False, "error": "file_upload_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "files.info":
            file = self.files.get(str(args.get("file")))
            return {"ok": True, "file": file} if file else {"ok": False, "error": "file_not_found"}
        return {"ok": True}

    async def _response_url(self, request: web.Request) -> web.Response:
        self.response_uses.append(request.match_info["id"])
        self.responses.append(await request.json())
        self.calls.append(Call("response_url", self.responses[-1]))
        self.changed.set()
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["id"]
        self.uploads[file_id] = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id, "size": len(self.uploads[file_id])}))
        self.changed.set()
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def _file(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization", "") != "Bearer xoxb-test-token":
            return web.Response(status=403)
        body = self.file_bodies.get(request.match_info["id"])
        self.calls.append(Call("download", {"file_id": request.match_info["id"]}))  # tests count them
        return web.Response(body=body) if body is not None else web.Response(status=404)


@dataclass
class Harness:
    """What a scenario test holds: the Web API stand-in, the signed driver, the app's dependencies."""

    slack: SlackStandIn
    bot: SignedDriver
    deps: Any


@dataclass
class SignedDriver:
    """Sends requests signed like Slack's (HMAC-SHA256 over `v0:timestamp:body`) to the app.
    Every JSON ack the app answers is kept in `acks` (checked by the tests' conformance fixture);
    commands and clicks carry a response_url on `response_base` when none is given, as Slack's do."""

    acks: ClassVar[list[dict[str, Any]]] = []
    url: str
    secret: str
    session: aiohttp.ClientSession | None = None
    response_base: str = ""
    _responses: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))

    def response_url(self, given: str = "") -> str:
        if given or not self.response_base:
            return given
        return f"{self.response_base}/response/{next(self._responses)}"

    def sign(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new(self.secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signed: bool = True,
    ) -> tuple[int, str]:
        all_headers = {
            "Content-Type": content_type,
            **(self.sign(body, timestamp) if signed else {}),
            **(headers or {}),
        }
        assert self.session is not None
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as response:
            text = await response.text()
            if response.content_type == "application/json" and text:
                SignedDriver.acks.append(json.loads(text))
            return response.status, text

    async def command(
        self,
        command: str,
        text: str,
        *,
        user: str = "U1",
        channel: str = "C1",
        response_url: str = "",
        **kwargs: Any,
    ) -> tuple[int, str]:
        body = urllib.parse.urlencode(
            command_payload(
                command, text, user=user, channel=channel, response_url=self.response_url(response_url)
            )
        )
        return await self.post(body, "application/x-www-form-urlencoded", **kwargs)

    async def event(self, event: dict[str, Any], *, event_id: str = "Ev1", **kwargs: Any) -> tuple[int, str]:
        body = json.dumps(event_payload(event, event_id))
        return await self.post(body, "application/json", **kwargs)

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        message_ts: str,
        thread_ts: str | None = None,
        user: str = "U1",
        channel: str = "C1",
        response_url: str = "",
    ) -> tuple[int, str]:
        """A button press on the bot's message `message_ts` (in thread `thread_ts`, if any)."""
        payload = block_actions_payload(
            action_id,
            value,
            message_ts=message_ts,
            thread_ts=thread_ts,
            user=user,
            channel=channel,
            response_url=self.response_url(response_url),
        )
        return await self.interactive(payload)

    async def shortcut(
        self, typed: str, *, ts: str, thread_ts: str | None = None, user: str = "U1", channel: str = "C1"
    ) -> tuple[int, str]:
        """The "Diagnose with cmbot" message shortcut on a message a person typed."""
        payload = message_action_payload(
            typed, ts=ts, thread_ts=thread_ts, user=user, channel=channel, response_url=self.response_url()
        )
        return await self.interactive(payload)

    async def interactive(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **kwargs)


@asynccontextmanager
async def serving_http(deps: Any, secret: str) -> AsyncIterator[SignedDriver]:
    """The real app over HTTP on a loopback port 0, and a driver signing with `secret`. On exit the
    work started after acks is awaited, so every answer is recorded before the stand-in stops."""
    from bot.slack.app import build_app  # noqa: PLC0415 - the stand-in itself needs none of the app
    from bot.slack.server import EVENTS_PATH, web_app  # noqa: PLC0415

    runner = web.AppRunner(web_app(build_app(deps), acking=deps.background.acking))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            api_url = str(getattr(deps.settings, "slack_api_url", "") or "")
            yield SignedDriver(
                f"http://127.0.0.1:{port}{EVENTS_PATH}",
                secret,
                session,
                response_base=api_url.removesuffix("/").removesuffix("/api")
                if api_url.startswith("http://127.")
                else "",
            )
        await deps.background.drain(timeout_s=30)
    finally:
        await runner.cleanup()
