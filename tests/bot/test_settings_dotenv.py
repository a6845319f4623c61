"""A value set only in `.env` (no environment variable) reaches its reader through the real entry
points (issue 12: `.env` values were ignored by most readers), and a malformed one is one short
line naming the variable."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.cli.main import main
from bot.jobs.dispatch import CheckRequest
from bot.jobs.queue import SaqDispatcher
from bot.loopback.web_api import SlackStandIn
from bot.settings import load_settings
from bot.slack.app import build_deps
from bot.state.redis_server import EmbeddedRedis
from lab.hostile import HostileEndpoint
from lab.scenario import load_scenarios
from lab.testing import run_lab

VARIABLES = (
    "CMBOT_WINRM_USER",
    "CMBOT_WINRM_PASSWORD",
    "CMBOT_WINRM_DOMAINS",
    "CMBOT_WINRM_ALLOW_NTLM",
    "CMBOT_WINRM_PORT",
    "CMBOT_INVENTORY",
    "CMBOT_KB_PATH",
    "CMBOT_ADMINSERVICE",
    "CMBOT_ADMINSERVICE_URL",
    "CMBOT_GROUPS",
    "CMBOT_HEARTBEAT_S",
    "CMBOT_CHECK_DEADLINE",
    "REDIS_URL",
)


@pytest.fixture
def dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory whose `.env` the test writes; none of its variables in the environment."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path / ".env"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_winrm_domains_and_credential_from_dotenv_reach_cmbot_check(
    dotenv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`CMBOT_WINRM_DOMAINS` and the default profile only in `.env`: `cmbot check` offers that
    credential to a host in the allowed network (the recorder sees NTLM), instead of "not known"."""
    monkeypatch.setenv("KRB5CCNAME", "FILE:/nonexistent/ccache")  # no Kerberos: the NTLM path
    monkeypatch.delenv("KRB5_CLIENT_KTNAME", raising=False)
    with HostileEndpoint("record") as recorder:
        dotenv.write_text(
            "CMBOT_WINRM_USER=LAB\\\\svc\nCMBOT_WINRM_PASSWORD=Dotenv-Passw0rd-7\n"
            f"CMBOT_WINRM_DOMAINS=127.0.0.0/8\nCMBOT_WINRM_ALLOW_NTLM=1\nCMBOT_WINRM_PORT={recorder.port}\n",
            encoding="utf-8",
        )
        assert main(["check", "127.0.0.1", "--deadline", "5"]) == 2  # the recorder never logs in
        assert any(a.startswith("Negotiate ") for a in recorder.authorizations)


def test_cred_profile_domains_from_dotenv(dotenv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A per-domain profile `CMBOT_CRED_<NAME>_*` only in `.env` is read (its bad scope is named)."""
    dotenv.write_text(
        "CMBOT_CRED_CORP_USER=CORP\\\\svc\nCMBOT_CRED_CORP_DOMAINS=bad_domain!\n", encoding="utf-8"
    )
    assert main(["check", "pc-1.corp.example.com"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("cmbot check: invalid settings: CMBOT_CRED_CORP_DOMAINS:")


def test_inventory_from_dotenv_reaches_cmbot_check(dotenv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`CMBOT_INVENTORY` only in `.env`: `cmbot check lab-healthy` reaches the lab host."""
    with run_lab([s for s in load_scenarios() if s.name == "lab-healthy"]) as lab:
        dotenv.write_text(f"CMBOT_INVENTORY={lab.inventory_path}\n", encoding="utf-8")
        assert main(["check", "lab-healthy", "--json", "--deadline", "20"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["reachable"] and report["outcome"] == "healthy"


def test_kb_path_from_dotenv_reaches_cmbot_explain(dotenv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`CMBOT_KB_PATH` only in `.env`: `cmbot explain` loads that directory (a broken entry there
    is the one-line knowledge-base error, which an ignored `.env` would never show)."""
    team = dotenv.parent / "team-kb"
    team.mkdir()
    (team / "bad.yaml").write_text("id: Bad Id\n", encoding="utf-8")
    dotenv.write_text(f"CMBOT_KB_PATH={team}\n", encoding="utf-8")
    assert main(["explain", "0x80072ee2"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("cmbot explain: the knowledge base does not load")


def test_adminservice_url_from_dotenv_reaches_cmbot_check(
    dotenv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`CMBOT_ADMINSERVICE_URL` (and its account) only in `.env`: a `collection:` target is asked
    of that service (down here), not refused as "no AdminService configured"."""
    dotenv.write_text(
        f"CMBOT_ADMINSERVICE_URL=https://127.0.0.1:{_closed_port()}/AdminService\n"
        "CMBOT_ADMINSERVICE_USERNAME=LAB\\\\cmbot\nCMBOT_ADMINSERVICE_PASSWORD=Dotenv-Admin-9\n",
        encoding="utf-8",
    )
    assert main(["check", "collection:All Systems"]) == 2
    err = capsys.readouterr().err
    assert "the AdminService at 127.0.0.1 did not answer" in err and "Dotenv-Admin-9" not in err


def test_redis_url_from_dotenv_reaches_cmbot_worker(dotenv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`REDIS_URL` only in `.env`: `cmbot worker` tries that Redis (down here) and says so."""
    port = _closed_port()
    dotenv.write_text(f"REDIS_URL=redis://:pw@127.0.0.1:{port}/0\n", encoding="utf-8")
    assert main(["worker"]) == 2
    assert f"Redis at 127.0.0.1:{port}/0 is not reachable" in capsys.readouterr().err


@pytest.fixture
def queue_dotenv(dotenv: Path) -> Path:
    groups = dotenv.parent / "groups.yaml"
    groups.write_text("pilot: [pc-1.invalid, pc-2.invalid]\n", encoding="utf-8")
    dotenv.write_text(f"CMBOT_HEARTBEAT_S=2\nCMBOT_GROUPS={groups}\n", encoding="utf-8")
    return dotenv


async def test_heartbeat_and_groups_from_dotenv_reach_the_app_factory(
    queue_dotenv: Path, redis_server: EmbeddedRedis
) -> None:
    """`CMBOT_HEARTBEAT_S` and `CMBOT_GROUPS` only in `.env`: the app factory's queue enqueues with
    that heartbeat and its listeners expand that group (the queue read the environment only)."""
    async with SlackStandIn() as slack:
        settings = load_settings(require_slack=False).model_copy(
            update={"slack_bot_token": SecretStr("xoxb-test-token"), "slack_api_url": slack.api_url}
        )
        deps = build_deps(settings, redis_url=redis_server.url)
        assert deps.groups == {"pilot": ["pc-1.invalid", "pc-2.invalid"]}
        dispatcher = deps.dispatcher
        assert isinstance(dispatcher, SaqDispatcher)
        request = CheckRequest(
            request_id=uuid.uuid4().hex, hosts=["pc-1.invalid"], user_id="U1", channel_id="C1"
        )
        await dispatcher.submit(request)
        job = await dispatcher.queue.job(request.request_id)
        assert job is not None and job.heartbeat == 2
        await dispatcher.queue.abort(job, "test done")


@pytest.mark.parametrize(
    ("line", "command", "variable"),
    [
        ("CMBOT_WINRM_PORT=http", ["check", "pc-1.corp.example.com"], "CMBOT_WINRM_PORT"),
        ("CMBOT_CHECK_DEADLINE=soon", ["worker"], "CMBOT_CHECK_DEADLINE"),
        ("CMBOT_HEARTBEAT_S=0", ["explain", "0x80072ee2"], "CMBOT_HEARTBEAT_S"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_it(
    dotenv: Path, capsys: pytest.CaptureFixture[str], line: str, command: list[str], variable: str
) -> None:
    """A malformed value in `.env` stops the command with exit 2 and one line naming the variable
    (it was ignored, or an "unexpected error" with a reference), never a traceback."""
    dotenv.write_text(line + "\n", encoding="utf-8")
    assert main(command) == 2
    (message,) = capsys.readouterr().err.splitlines()
    assert message.startswith(f"cmbot {command[0]}: invalid settings: {variable}:")
    assert "Traceback" not in message
