"""Settings from the environment and `.env` (pydantic-settings), with one clear line per gap.

This is the only module that reads `os.environ`: the entry points (`cmbot` and its subcommands,
the app factory, the worker) load one `Settings` and pass its values down; `knowledge/` and
`probes/` get plain parameters (`ProbeConfig`, KB directories), never the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from knowledge.findings import DEFAULT_LANG, Lang
from probes.adminservice import AdminServiceError, AdminServiceSettings, adminservice_settings
from probes.config import ProbeConfig
from probes.credentials import CREDENTIAL_PREFIXES, CredentialError, Credentials
from probes.secrets import register_secret


class SettingsError(ValueError):
    """Settings that cannot run the bot; the message names each variable to set."""


class _CredentialVariables(PydanticBaseSettingsSource):
    """Every `CMBOT_WINRM_*` and `CMBOT_CRED_<NAME>_*` variable, from `.env` and the environment
    (the environment wins): the profile names are the operator's, so no field can list them."""

    def __init__(
        self, settings_cls: type[BaseSettings], env: EnvSettingsSource, dotenv: DotEnvSettingsSource
    ) -> None:
        super().__init__(settings_cls)
        self._env, self._dotenv = env, dotenv

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, str] = {}
        for source in (self._dotenv.env_vars, self._env.env_vars):
            found.update(
                {
                    key.upper(): value
                    for key, value in source.items()
                    if value is not None and key.upper().startswith(CREDENTIAL_PREFIXES)
                }
            )
        return {"winrm_variables": found} if found else {}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    cmbot_port: int = 3000
    cmbot_lang: Lang = DEFAULT_LANG
    cmbot_auto_reply: bool = True
    cmbot_check_deadline: float = Field(60.0, gt=0)
    cmbot_policy: Path | None = None
    """The access policy file (docs/SECURITY.md); unset, everyone may check every host."""
    cmbot_groups: Path | None = None
    """Host groups for `group:NAME` targets (a YAML mapping of name to host list)."""
    redis_url: str | None = None
    """The shared Redis; unset, `cmbot serve` and the console start an embedded one."""
    cmbot_inprocess_workers: bool = True
    """`cmbot serve` runs check workers in its own process (0: only `cmbot worker` processes)."""
    cmbot_heartbeat_s: int = Field(6, ge=1)
    """A queued check silent this long is taken to be on a dead worker and handed to another."""
    cmbot_state_dir: Path | None = None
    """Where `cmbot serve` keeps the embedded Redis's data (default $XDG_STATE_HOME/cmbot)."""
    xdg_state_home: Path | None = None
    cmbot_kb_path: str = ""
    """Extra knowledge-entry directories, separated like PATH, overlaid on the built-in entries."""
    cmbot_inventory: Path | None = None
    """The host inventory (`cmbot lab` writes one): names → WinRM endpoints and credentials."""
    cmbot_winrm_port: int = Field(5985, ge=1, le=65535)
    """WinRM's HTTP listener port for hosts outside the inventory."""
    cmbot_adminservice: Path | None = None
    cmbot_adminservice_url: str | None = None
    cmbot_adminservice_username: str | None = None
    cmbot_adminservice_password: SecretStr | None = None
    cmbot_adminservice_password_file: Path | None = None
    cmbot_adminservice_ca_file: Path | None = None
    cmbot_debug: bool = False
    """Let an unexpected error's traceback through (`cmbot` prints a reference otherwise)."""
    winrm_variables: dict[str, str] = Field(default_factory=dict, repr=False)
    """The WinRM credential profiles' variables (`probes/credentials.py` reads them)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        assert isinstance(env_settings, EnvSettingsSource)
        assert isinstance(dotenv_settings, DotEnvSettingsSource)
        credentials = _CredentialVariables(settings_cls, env_settings, dotenv_settings)
        return init_settings, env_settings, dotenv_settings, credentials, file_secret_settings

    def register_secrets(self) -> None:
        for secret in (
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.cmbot_adminservice_password,
        ):
            if secret is not None:
                register_secret(secret.get_secret_value())
        for name, value in self.winrm_variables.items():
            if name.endswith("_PASSWORD"):
                register_secret(value)

    @property
    def kb_dirs(self) -> tuple[Path, ...]:
        return tuple(Path(p) for p in self.cmbot_kb_path.split(os.pathsep) if p.strip())

    def credentials(self) -> Credentials:
        """The WinRM credential profiles; a bad scope is a SettingsError naming its variable."""
        try:
            return Credentials.from_variables(self.winrm_variables)
        except CredentialError as exc:
            raise SettingsError(f"invalid settings: {exc}") from None

    def probe_config(self) -> ProbeConfig:
        """What a check needs: credentials, inventory, WinRM port and the knowledge base."""
        return ProbeConfig(
            credentials=self.credentials(),
            inventory=self.cmbot_inventory,
            winrm_port=self.cmbot_winrm_port,
            kb_dirs=self.kb_dirs,
        )

    def adminservice(self) -> AdminServiceSettings | None:
        """The AdminService to resolve ConfigMgr targets through, or None when unset; unusable
        settings are an AdminServiceError, answered where a target needed them."""
        password = self.cmbot_adminservice_password
        return adminservice_settings(
            file=self.cmbot_adminservice,
            url=self.cmbot_adminservice_url,
            username=self.cmbot_adminservice_username,
            password=password.get_secret_value() if password else None,
            password_file=self.cmbot_adminservice_password_file,
            ca_file=self.cmbot_adminservice_ca_file,
        )

    def state_dir(self) -> Path:
        """Where `cmbot serve` keeps what must outlive the process (the embedded Redis's data)."""
        if self.cmbot_state_dir is not None:
            return self.cmbot_state_dir
        return (self.xdg_state_home or Path.home() / ".local" / "state") / "cmbot"


def load_settings(*, require_slack: bool = True) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"invalid settings: {problems}") from None
    settings.register_secrets()
    settings.credentials()  # a bad credential scope is named now, not at the first check
    if require_slack:
        require_slack_settings(settings)
    return settings


def require_slack_settings(settings: Settings) -> None:
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


__all__ = ["AdminServiceError", "Settings", "SettingsError", "load_settings", "require_slack_settings"]
