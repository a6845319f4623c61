"""`cmbot check HOST --deployment {GUID}` verifies the deployment's targeting like `/cmcheck`."""

from __future__ import annotations

import pytest

from lab.testing import Lab


def test_cli_reports_a_deployment_not_on_the_host(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    """A deployment unique ID with no assignment on the host: exit 1 and not-targeted."""
    from bot.cli.main import main  # noqa: PLC0415

    code = main(["check", "lab-healthy", "--deployment", "{16777245-0000-0000-0000-000000000001}"])
    assert code == 1
    assert "not-targeted" in capsys.readouterr().out
