"""Settings from the environment and `.env` (pydantic-settings), with one clear line per gap."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from probes.secrets import register_secret


class SettingsError(ValueError):
    """Settings that cannot run the bot; the message names each variable to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    cmbot_port: int = 3000
    cmbot_lang: Literal["en", "ja"] = "en"
    cmbot_auto_reply: bool = True
    cmbot_check_deadline: float = 60.0
    cmbot_policy: Path | None = None
    """The access policy file (docs/SECURITY.md); unset, everyone may check every host."""
    redis_url: str | None = None
    """The shared Redis; unset, `cmbot serve` and the console start an embedded one."""
    cmbot_inprocess_workers: bool = True
    """`cmbot serve` runs check workers in its own process (0: only `cmbot worker` processes)."""

    def register_secrets(self) -> None:
        for secret in (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token):
            if secret is not None:
                register_secret(secret.get_secret_value())


def load_settings(*, require_slack: bool = True) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"invalid settings: {problems}") from None
    settings.register_secrets()
    if require_slack:
        _require_slack(settings)
    return settings


def _require_slack(settings: Settings) -> None:
    """The bot token always; the signing secret only over HTTP (Socket Mode frames are not
    signed); each token with the prefix Slack gives it, since swapping them is a common slip."""
    needed = [("SLACK_BOT_TOKEN", settings.slack_bot_token)]
    if settings.slack_app_token is None:
        needed.append(("SLACK_SIGNING_SECRET", settings.slack_signing_secret))
    missing = [name for name, value in needed if value is None]
    if missing:
        raise SettingsError(
            f"missing {' and '.join(missing)}: set them in the environment or .env (see docs/slack-setup.md)"
        )
    for name, secret, prefix, what in (
        ("SLACK_BOT_TOKEN", settings.slack_bot_token, "xoxb-", "the Bot User OAuth Token"),
        ("SLACK_APP_TOKEN", settings.slack_app_token, "xapp-", "an app-level token with connections:write"),
    ):
        if secret is not None and not secret.get_secret_value().startswith(prefix):
            raise SettingsError(f"{name} must start with {prefix} ({what}; see docs/slack-setup.md)")
