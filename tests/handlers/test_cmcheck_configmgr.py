"""`/cmcheck deployment:ID status:error` and `/cmcheck collection:NAME` through the real Slack app:
hosts resolved by the lab AdminService (HTTPS, NTLM), then the same access policy as host names."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from pydantic import SecretStr

from bot.access.policy import Policy
from bot.loopback.web_api import Harness, SlackStandIn, serving_http
from bot.settings import Settings
from bot.slack.app import build_deps
from lab.scenario import load_scenarios
from lab.testing import Lab, run_lab

SECRET = "configmgr-secret"
NAMES = [
    "lab-healthy",
    "lab-sup-service-unavailable",
    "lab-cache-too-small",
    "lab-winrm-refused",
    "lab-not-targeted",
]


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site_lab() -> Iterator[Lab]:
    with run_lab([s for s in load_scenarios() if s.name in NAMES], adminservice=True) as lab:
        yield lab


@pytest.fixture
async def app(site_lab: Lab, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    monkeypatch.setenv("CMBOT_INVENTORY", str(site_lab.inventory_path))
    monkeypatch.setenv("CMBOT_ADMINSERVICE", str(site_lab.adminservice_path))
    async with SlackStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
            cmbot_check_deadline=10,
        )
        deps = build_deps(settings)
        async with serving_http(deps, SECRET) as driver:
            yield Harness(slack, driver, deps)
        drain = getattr(deps.dispatcher, "drain", None)
        if drain is not None:
            await drain()


async def _final(harness: Harness) -> dict[str, object]:
    async with asyncio.timeout(60):
        while True:
            updates = [u for u in harness.slack.of("chat.update") if not str(u["text"]).startswith("⏳")]
            if updates:
                return updates[-1]
            harness.slack.changed.clear()
            await harness.slack.changed.wait()


async def test_deployment_error_list_is_checked(app: Harness) -> None:
    """deployment:16777245 status:error checks exactly the deployment's two failing clients."""
    status, body = await app.bot.command("/cmcheck", "deployment:16777245 status:error")
    assert (status, body) == (200, "")
    final = await _final(app)
    assert str(final["text"]).startswith("1/2 ")
    sections = json.dumps(final["blocks"], ensure_ascii=False)
    assert "lab-sup-service-unavailable" in sections and "lab-cache-too-small" in sections
    assert "lab-healthy" not in sections


async def test_collection_members_are_checked(app: Harness) -> None:
    """collection:"All Systems" checks every member; the refused host is clustered as unreachable."""
    await app.bot.command("/cmcheck", 'collection:"All Systems"')
    final = await _final(app)
    sections = json.dumps(final["blocks"], ensure_ascii=False)
    assert "1/5 unreachable: the WinRM port refused the connection" in sections
    assert "✅ 1/5 healthy" in sections


async def test_resolved_hosts_meet_the_access_policy(app: Harness) -> None:
    """A resolved host the user may not check refuses the whole request, ephemerally and audited."""
    app.deps.policy = Policy.model_validate(
        {"rules": [{"name": "sup-desk", "users": ["U1"], "hosts": ["lab-sup-*", "lab-healthy"]}]}
    )
    await app.bot.command(
        "/cmcheck", "deployment:16777245 status:error", response_url=app.slack.response_url()
    )
    async with asyncio.timeout(20):
        (answer,) = await app.slack.wait_for("response_url")
    assert answer["response_type"] == "ephemeral"
    assert "not allowed to check lab-cache-too-small" in answer["text"]
    assert app.slack.of("chat.postMessage") == []


async def test_user_outside_every_rule_is_refused_before_asking(app: Harness) -> None:
    """A user no rule names is refused in the ack: ConfigMgr is never asked."""
    app.deps.policy = Policy.model_validate({"rules": [{"name": "desk", "users": ["U9"], "hosts": ["*"]}]})
    status, body = await app.bot.command("/cmcheck", "collection:All Systems")
    answer = json.loads(body)
    assert status == 200 and answer["response_type"] == "ephemeral"
    assert "not allowed to run /cmcheck" in answer["text"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("deployment:99999 status:error", "no software update deployment with ID 99999"),
        ("collection:Nope", "no collection named 'Nope'"),
        ("deployment:16777245 status:unknown", "lab-winrm-refused"),
    ],
)
async def test_unknown_ids_and_empty_lists_answer_clearly(app: Harness, text: str, words: str) -> None:
    """An unknown deployment or collection gets one short ephemeral line; a real list is checked."""
    await app.bot.command("/cmcheck", text, response_url=app.slack.response_url())
    if "unknown" in text:
        final = await _final(app)
        assert words in json.dumps(final["blocks"])
        return
    async with asyncio.timeout(20):
        (answer,) = await app.slack.wait_for("response_url")
    assert answer["response_type"] == "ephemeral" and words in answer["text"]


async def test_unreachable_or_unconfigured_adminservice(
    app: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A down AdminService, or none configured, is told in one line; nothing is started."""
    monkeypatch.delenv("CMBOT_ADMINSERVICE")
    app.deps.settings = Settings()  # the settings the bot would read now: no AdminService
    await app.bot.command("/cmcheck", "collection:All Systems", response_url=app.slack.response_url())
    async with asyncio.timeout(20):
        (first,) = await app.slack.wait_for("response_url")
    monkeypatch.setenv("CMBOT_ADMINSERVICE_URL", f"https://127.0.0.1:{_closed_port()}/AdminService")
    monkeypatch.setenv("CMBOT_ADMINSERVICE_USERNAME", "LAB\\cmbot")
    monkeypatch.setenv("CMBOT_ADMINSERVICE_PASSWORD", "x")
    app.deps.settings = Settings()
    await app.bot.command("/cmcheck", "collection:All Systems", response_url=app.slack.response_url())
    async with asyncio.timeout(20):
        second = (await app.slack.wait_for("response_url", 2))[1]
    assert "need the ConfigMgr AdminService" in first["text"]
    assert "the AdminService at 127.0.0.1 did not answer" in second["text"]
    assert app.slack.of("chat.postMessage") == []


async def test_incomplete_target_gets_the_usage(app: Harness) -> None:
    """status: without a deployment, or an empty collection:, answers the usage line in the ack."""
    for text in ("status:error", "collection:", "deployment:1 status:maybe"):
        status, body = await app.bot.command("/cmcheck", text)
        assert status == 200 and "Usage: /cmcheck collection:NAME" in json.loads(body)["text"]
