"""`cmbot serve` without its secrets says which variables to set, in one line, without a traceback."""

import pytest

from bot.cli.main import main
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


def test_socket_mode_needs_no_signing_secret(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """With SLACK_APP_TOKEN (Socket Mode) the signing secret may be left out."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert load_settings().slack_signing_secret is None


@pytest.mark.parametrize(
    ("bot", "app", "message"),
    [
        ("xapp-1", None, "SLACK_BOT_TOKEN must start with xoxb-"),
        ("xoxb-1", "xoxb-2", "SLACK_APP_TOKEN must start with xapp-"),
    ],
)
def test_swapped_tokens_are_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path, bot: str, app: str | None, message: str
) -> None:  # type: ignore[no-untyped-def]
    """A token with the other token's prefix is refused with the variable and the prefix it needs."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", bot)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    if app is None:
        monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    else:
        monkeypatch.setenv("SLACK_APP_TOKEN", app)
    with pytest.raises(SettingsError, match=message):
        load_settings()
