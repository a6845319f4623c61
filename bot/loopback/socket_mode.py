"""A loopback stand-in for Slack's Socket Mode, beside the Web API stand-in it extends.

`apps.connections.open` (with an `xapp-` token) hands out a `ws://127.0.0.1:PORT/link` URL; the
bot's Socket Mode client connects there, gets `hello`, and receives envelopes the test sends.
Each send waits for the bot's ack frame for that envelope and returns it:

    async with SocketModeStandIn() as slack:
        ...start `cmbot serve` with SLACK_APP_TOKEN and SLACK_API_URL=slack.api_url...
        await slack.connected()
        ack = await slack.send_command("/cmerr", "0x80244022", response_url=slack.response_url())
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from bot.loopback.web_api import Call, SlackStandIn, command_payload, event_payload

LINK_PATH = "/link"


@dataclass
class SocketModeStandIn(SlackStandIn):
    """Web API stand-in plus the Socket Mode WebSocket; records every frame the bot sends back."""

    connections_opened: int = 0
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    _socket: web.WebSocketResponse | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _envelopes: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _socket_changed: asyncio.Event = field(default_factory=asyncio.Event)

    def routes(self, application: web.Application) -> None:
        super().routes(application)
        application.router.add_get(LINK_PATH, self._link)

    async def __aexit__(self, *exc: object) -> None:
        for socket in self._sockets:
            await socket.close()
        await super().__aexit__(*exc)

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "apps.connections.open":
            return await super()._api(request)
        if not request.headers.get("Authorization", "").startswith("Bearer xapp-"):
            self.calls.append(Call("refused:apps.connections.open", {}))
            self.changed.set()
            return web.json_response({"ok": False, "error": "invalid_auth"})
        self.connections_opened += 1
        self.calls.append(Call("apps.connections.open", {}))
        self.changed.set()
        return web.json_response({"ok": True, "url": f"ws{self.url.removeprefix('http')}{LINK_PATH}"})

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        self._socket = socket
        self._socket_changed.set()
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                continue
            answer = json.loads(frame.data)
            envelope = answer.get("envelope_id")
            if envelope:
                self.acks[str(envelope)] = answer
                self.calls.append(Call("socket_ack", answer))
                self.changed.set()
        return socket

    async def connected(self, count: int = 1) -> None:
        """Wait until the bot has opened its `count`-th WebSocket (bound by the caller's timeout)."""
        while len(self._sockets) < count or self._socket is None or self._socket.closed:
            self._socket_changed.clear()
            await self._socket_changed.wait()

    async def send(self, kind: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """Send one envelope and return the bot's ack frame for it."""
        assert self._socket is not None, "no Socket Mode connection; await connected() first"
        envelope_id = f"env-{next(self._envelopes)}"
        await self._socket.send_json({"envelope_id": envelope_id, "type": kind, "payload": payload, **extra})
        while envelope_id not in self.acks:
            self.changed.clear()
            await self.changed.wait()
        return self.acks[envelope_id]

    async def send_command(
        self, command: str, text: str, *, user: str = "U1", channel: str = "C1", response_url: str = ""
    ) -> dict[str, Any]:
        payload = command_payload(command, text, user=user, channel=channel, response_url=response_url)
        return await self.send("slash_commands", payload, accepts_response_payload=True)

    async def send_event(
        self, event: dict[str, Any], *, event_id: str = "Ev1", retry_attempt: int = 0, retry_reason: str = ""
    ) -> dict[str, Any]:
        payload = event_payload(event, event_id)
        return await self.send(
            "events_api",
            payload,
            accepts_response_payload=False,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )

    async def send_interactive(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.send("interactive", payload, accepts_response_payload=False)

    async def ask_to_reconnect(self) -> None:
        """Slack's `disconnect` frame (`refresh_requested`): the client opens a new connection."""
        assert self._socket is not None
        await self._socket.send_json({"type": "disconnect", "reason": "refresh_requested"})
