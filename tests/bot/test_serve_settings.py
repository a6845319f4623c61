"""`cmbot serve` without its secrets says which variables to set, in one line, without a traceback."""

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings


def test_missing_settings_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Both missing Slack variables are named."""
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"):
        load_settings()


def test_serve_exits_2_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The CLI prints one short line on stderr and exits 2."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cmbot serve: missing SLACK_BOT_TOKEN") and "Traceback" not in err


def test_invalid_value_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A malformed value names the variable."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CMBOT_PORT", "not-a-port")
    with pytest.raises(SettingsError, match="CMBOT_PORT"):
        load_settings(require_slack=False)
