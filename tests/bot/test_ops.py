"""Operations: /healthz and /metrics, the Dockerfile and compose file."""

from pathlib import Path

import aiohttp
import yaml
from aiohttp import web
from pydantic import SecretStr

from bot.jobs.metrics import observe_report
from bot.jobs.queue import SaqDispatcher
from bot.settings import Settings
from bot.slack.app import build_app, build_deps
from bot.slack.server import web_app
from bot.state.redis_server import EmbeddedRedis

ROOT = Path(__file__).resolve().parents[2]


async def _get(app: web.Application, path: str) -> tuple[int, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}{path}") as response,
        ):
            return response.status, await response.text()
    finally:
        await runner.cleanup()


async def test_healthz_and_metrics(redis_server: EmbeddedRedis) -> None:
    """/healthz reports the queue; /metrics exposes checks, durations, findings per cause and queue depth."""
    import redis as sync_redis  # noqa: PLC0415

    sync_redis.Redis.from_url(redis_server.url).flushdb()  # the shared server may hold other tests' jobs
    settings = Settings(slack_bot_token=SecretStr("xoxb-x"), slack_signing_secret=SecretStr("s"))
    deps = build_deps(settings, redis_url=redis_server.url)
    assert isinstance(deps.dispatcher, SaqDispatcher)
    observe_report("sup-scan-timeout", "sup-scan-timeout", 1.5)
    app = web_app(build_app(deps), queue_depth=deps.dispatcher.depth)
    status, body = await _get(app, "/healthz")
    assert status == 200 and '"queue_depth": 0' in body
    status, body = await _get(web_app(build_app(deps), queue_depth=deps.dispatcher.depth), "/metrics")
    assert status == 200
    for name in (
        "cmbot_checks_total",
        "cmbot_check_seconds",
        'cmbot_findings_total{cause="sup-scan-timeout"}',
        "cmbot_queue_depth",
    ):
        assert name in body


async def test_healthz_reports_a_down_queue() -> None:
    """With Redis down, /healthz answers 503 instead of raising."""
    settings = Settings(slack_bot_token=SecretStr("xoxb-x"), slack_signing_secret=SecretStr("s"))
    deps = build_deps(settings, redis_url=EmbeddedRedis().url)
    status, _ = await _get(web_app(build_app(deps), queue_depth=deps.dispatcher.depth), "/healthz")  # type: ignore[attr-defined]
    assert status == 503


def test_dockerfile_is_slim_non_root_with_healthcheck() -> None:
    """The image runs as a non-root user, from a slim base, with a health check on /healthz."""
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert "\nUSER cmbot" in text and "useradd" in text
    assert "HEALTHCHECK" in text and "/healthz" in text


def test_compose_has_redis_bot_two_workers_and_lab_profile() -> None:
    """compose.yaml: redis, the bot, two workers on the shared Redis, and a lab profile."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"redis", "bot", "worker", "lab"} <= set(services)
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["worker"]["environment"]["REDIS_URL"] == services["bot"]["environment"]["REDIS_URL"]
    assert services["lab"]["profiles"] == ["lab"]
    assert "healthcheck" in services["redis"]
