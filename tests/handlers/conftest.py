"""The real Slack app over HTTP on a loopback port, talking to a recording Web API stand-in.
What it sends is checked against Slack's rules by the `slack_conformance` fixture (tests/conftest.py)."""

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.loopback.web_api import Harness, SlackStandIn, serving_http
from bot.settings import Settings
from bot.slack.app import build_deps
from lab.testing import Lab

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"


@pytest.fixture
async def harness(lab: Lab) -> AsyncIterator[Harness]:
    async with SlackStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr(TOKEN),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
            cmbot_check_deadline=10,
        )
        deps = build_deps(settings)
        async with serving_http(deps, SECRET) as driver:
            yield Harness(slack, driver, deps)
        drain = getattr(deps.dispatcher, "drain", None)
        if drain is not None:
            await drain()  # what it posts is checked by the `slack_conformance` fixture
