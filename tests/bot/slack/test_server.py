"""The HTTP front door (security review V10): unsigned bodies are refused before anything parses
them, bodies are capped, and a body that dribbles in is cut off."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pydantic import SecretStr

import bot.slack.server as server
from bot.loopback.web_api import SignedDriver, SlackStandIn, serving_http
from bot.settings import Settings
from bot.slack.app import build_deps

SECRET = "front-door-secret"


@pytest.fixture
async def driver() -> AsyncIterator[SignedDriver]:
    async with SlackStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
        )
        async with serving_http(build_deps(settings), SECRET) as signed:
            yield signed


async def test_unsigned_body_is_refused_before_it_is_parsed(driver: SignedDriver) -> None:
    """V10 (H6, E16): an unsigned 100,000-deep JSON body gets 401 from the signature check; Bolt,
    which parses before it verifies, answered it with a 500 (RecursionError in json.loads)."""
    status, body = await driver.post("[" * 100_000, "application/json", signed=False)
    assert status == 401 and json.loads(body) == {"error": "invalid request"}
    status, _ = await driver.post("[" * 100_000, "application/json", headers=driver.sign("{}"))
    assert status == 401  # a signature of another body


async def test_signed_requests_still_reach_bolt(driver: SignedDriver) -> None:
    """V10: a signed url_verification passes the check and is answered by Bolt."""
    body = json.dumps({"type": "url_verification", "challenge": "c-1", "token": "t"})
    status, answer = await driver.post(body, "application/json")
    assert status == 200 and "c-1" in answer


async def test_body_over_the_cap_is_refused(driver: SignedDriver) -> None:
    """V10: a signed body over MAX_BODY_BYTES (1.5 MiB) gets 413; the old cap was 4 MB."""
    big = "text=" + "x" * (2 * 1024 * 1024)
    status, _ = await driver.post(big, "application/x-www-form-urlencoded")
    assert status == 413


async def test_a_dribbling_body_is_cut_off(driver: SignedDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    """V10 (H7): a body announced at 100 bytes that never arrives gets 408 after BODY_READ_S,
    instead of holding the connection open for as long as the sender likes."""
    monkeypatch.setattr(server, "BODY_READ_S", 0.5)
    parts = urlsplit(driver.url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(
            f"POST {parts.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 100\r\n\r\n{".encode()
        )
        await writer.drain()
        async with asyncio.timeout(5):
            status_line = await reader.readline()
        assert b" 408 " in status_line
    finally:
        writer.close()


def test_compose_redis_wants_a_password() -> None:
    """V7: compose's Redis starts with requirepass from REDIS_PASSWORD (compose refuses to start
    without it), and the bot and the workers connect with it."""
    import yaml  # noqa: PLC0415

    services = yaml.safe_load((Path(__file__).resolve().parents[3] / "compose.yaml").read_text())["services"]
    assert "--requirepass" in " ".join(services["redis"]["command"])
    assert services["redis"]["environment"]["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
    for name in ("bot", "worker"):
        assert services[name]["environment"]["REDIS_URL"] == "redis://:${REDIS_PASSWORD}@redis:6379/0"
