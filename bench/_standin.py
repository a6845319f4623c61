"""Run the Slack Web API stand-in in its own process, so a benchmark's load generator does not
share an event loop with it (Slack's API is on other machines). Prints its base URL, then
serves until stdin closes. `GET /stats` counts the calls per method, so the benchmark can wait
until every answer of a burst has arrived before it starts the next one."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.loopback.web_api import SlackStandIn


class CountingStandIn(SlackStandIn):
    def routes(self, application: web.Application) -> None:
        super().routes(application)
        application.router.add_get("/stats", self._stats)

    async def _stats(self, _: web.Request) -> web.Response:
        return web.json_response(dict(Counter(call.method for call in self.calls)))


async def main() -> None:
    async with CountingStandIn() as slack:
        print(slack.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
