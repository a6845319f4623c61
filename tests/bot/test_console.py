"""The console answers piped commands against the lab hosts, like `echo … | make run`."""

import subprocess
import sys

import pytest

from bot.policy import load_policy
from bot.router import Session, answer, parse_cmcheck


def _console(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_piped_cmcheck_prints_the_diagnosis() -> None:
    """`/cmcheck <lab host>` piped into the console prints that host's verdict first."""
    result = _console("/cmcheck lab-sup-scan-timeout\n", "--with-lab")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("lab-sup-scan-timeout: sup-scan-timeout:")
    assert "❌ Scan (WUAHandler.log)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_piped_cmerr_prints_the_explanation() -> None:
    """`/cmerr 0x80244022` piped into the console prints its explanation, verdict first."""
    result = _console("/cmerr 0x80244022\n", "--with-lab")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sup-service-unavailable:")
    assert "WU_E_PT_HTTP_STATUS_SERVICE_UNAVAIL" in result.stdout


def test_japanese_console() -> None:
    """With --lang ja the answer is in Japanese."""
    result = _console("/cmerr 0x80072ee2\n", "--lang", "ja")
    assert "タイムアウト" in result.stdout.splitlines()[0]


async def test_chatter_gets_no_reply() -> None:
    """Plain conversation without codes or log lines gets no answer."""
    assert await answer("anyone up for lunch?", Session()) is None
    assert await answer("   ", Session()) is None


async def test_pasted_code_gets_a_reply_and_lang_switches() -> None:
    """A pasted code is explained; /lang switches the reply language."""
    session = Session()
    reply = await answer("seeing 0x800704c7 on the install", session)
    assert reply is not None and reply.startswith("max-runtime-exceeded")
    await answer("/lang ja", session)
    reply = await answer("/cmerr 0x800704c7", session)
    assert reply is not None and "最長実行時間" in reply


def test_parse_cmcheck() -> None:
    """Hosts and kb: parameters are told apart."""
    assert parse_cmcheck("pc-1 pc-2 kb:KB5031356") == (["pc-1", "pc-2"], ["KB5031356"])


async def test_policy_refusal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A user outside the policy is refused before anything connects."""
    path = tmp_path / "policy.yaml"
    path.write_text("rules: [{name: desk, users: [U1], hosts: ['pc-*']}]\n")
    session = Session(user_id="U2", policy=load_policy(path))
    reply = await answer("/cmcheck pc-1", session)
    assert reply is not None and reply.startswith("Not allowed")


@pytest.mark.parametrize("line", ["/cmcheck", "/cmerr", "/lang fr"])
async def test_usage_messages(line: str) -> None:
    """Incomplete commands get a one-line usage answer."""
    reply = await answer(line, Session())
    assert reply is not None and reply.startswith("Usage")
