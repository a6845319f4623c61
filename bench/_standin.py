"""Run the Slack Web API stand-in in its own process, so a benchmark's load generator does not
share an event loop with it (Slack's API is on other machines). Prints its base URL, then
serves until stdin closes."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.testing import SlackStandIn


async def main() -> None:
    async with SlackStandIn() as slack:
        print(slack.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
