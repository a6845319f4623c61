"""The console drives the real Slack app (same handlers, same queue) and prints its replies."""

import subprocess
import sys

import pytest

from bot.cli.console import ConsoleBot
from bot.settings import Settings
from bot.slack.slash import parse_cmcheck
from lab.testing import Lab


def _console(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "console", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_piped_cmcheck_prints_the_diagnosis() -> None:
    """`/cmcheck <lab host>` piped into the console prints that host's verdict first, then the thread."""
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
    assert result.stdout.startswith("The software update point answered HTTP 503 (0x80244022)")
    assert "WU_E_PT_HTTP_STATUS_SERVICE_UNAVAIL" in result.stdout


def test_japanese_console() -> None:
    """With --lang ja the answer is in Japanese."""
    result = _console("/cmerr 0x80072ee2\n", "--lang", "ja")
    assert "タイムアウト" in result.stdout.splitlines()[0]


@pytest.fixture
async def bot(lab: Lab):  # type: ignore[no-untyped-def]
    async with ConsoleBot.running(Settings(), lang="en", deadline_s=10) as running:
        yield running


async def test_chatter_pasted_codes_and_lang(bot: ConsoleBot) -> None:
    """Chatter gets no reply; a pasted code does; /lang switches the language."""
    assert await bot.handle("anyone up for lunch?") is None
    assert await bot.handle("   ") is None
    reply = await bot.handle("seeing 0x800704c7 on the install")
    assert reply is not None and "0x800704C7" in reply
    await bot.handle("/lang ja")
    reply = await bot.handle("/cmerr 0x800704c7")
    assert reply is not None and "最長実行時間" in reply


async def test_usage_and_refusals(bot: ConsoleBot) -> None:
    """Incomplete commands and bad hosts get one short answer."""
    assert (
        await bot.handle("/cmerr")
    ) == "Usage: /cmerr CODE-OR-TEXT (explain an error code, symbol or log lines)"
    reply = await bot.handle("/cmcheck")
    assert reply is not None and "Usage: /cmcheck" in reply
    reply = await bot.handle("/cmcheck $(calc)")
    assert reply is not None and "not a valid host name" in reply


def test_parse_cmcheck() -> None:
    """Hosts and kb: parameters are told apart."""
    assert parse_cmcheck("pc-1 pc-2 kb:KB5031356") == (["pc-1", "pc-2"], ["KB5031356"])


async def test_cmbot_channel_settings_in_the_console(bot: ConsoleBot) -> None:
    """`/cmbot autoreply off` quiets pasted codes in the console's channel; `/cmbot help` lists commands."""
    reply = await bot.handle("/cmbot autoreply off")
    assert reply is not None and "auto-replies to pasted codes and log lines: off" in reply
    assert await bot.handle("seeing 0x800704c7 on the install") is None
    await bot.handle("/cmbot autoreply on")
    assert "0x800704C7" in (await bot.handle("seeing 0x800704c7 on the install") or "")
    assert "/cmbot lang" in (await bot.handle("/cmbot help") or "")
