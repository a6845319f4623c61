"""Every user path, run with a known WinRM password and DEBUG logging, never shows that password."""

import base64
import logging

import pytest

from bot.cli.console import ConsoleBot
from bot.cli.main import main
from bot.settings import Settings
from lab.testing import Lab

PATHS = [
    "/cmcheck lab-healthy lab-sup-scan-timeout kb:KB5031356",
    "/cmcheck lab-winrm-badcreds",
    "/cmcheck lab-winrm-tls",
    "/cmcheck lab-winrm-drop lab-winrm-refused",
    "/cmcheck pc-404.invalid",
    "/cmcheck bad;name",
    "/cmerr 0x80072ee2",
    "[CCMHTTP] ERROR: URL=http://mp/ccm_system/request, Port=80, Code=0, Text=CCM_E_BAD_HTTP_STATUS_CODE",
    "/lang ja",
    "/cmcheck lab-dual-scan",
]


def _forms(lab: Lab) -> list[str]:
    password = lab.credentials.password
    user = lab.credentials.qualified
    return [password, base64.b64encode(f"{user}:{password}".encode()).decode()]


async def test_console_paths_never_show_the_password(lab: Lab, caplog: pytest.LogCaptureFixture) -> None:
    """Replies, raw log records (all loggers at DEBUG, no redaction filter) and exception text are
    free of the secret."""
    replies: list[str] = []
    with caplog.at_level(logging.DEBUG):
        async with ConsoleBot.running(Settings(), lang="en", deadline_s=3) as bot:
            for line in PATHS:
                try:
                    replies.append(await bot.handle(line) or "")
                except Exception as exc:  # noqa: BLE001 - any error text is scanned for secrets too
                    replies.append(repr(exc))
            replies.append(repr([c.args for c in bot.slack.calls]))
    seen = "\n".join(replies) + caplog.text
    assert "lab-sup-scan-timeout: sup-scan-timeout" in seen
    for form in _forms(lab):
        assert form not in seen


def test_cli_paths_never_show_the_password(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    """`cmbot check --json` and the human output carry no secret, for good and bad hosts."""
    main(["check", "lab-healthy", "lab-winrm-badcreds", "--json", "--deadline", "3"])
    main(["check", "lab-winrm-tls", "lab-mp-unreachable", "--deadline", "3"])
    out = capsys.readouterr()
    for form in _forms(lab):
        assert form not in out.out + out.err
    assert lab.inventory_path is not None
    assert lab.credentials.password in lab.inventory_path.read_text()  # the one place it is written
