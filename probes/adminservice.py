"""Read-only client for the ConfigMgr administration service (AdminService), the SMS Provider's
OData v4 REST API: which devices a collection or a deployment's error/unknown list holds.

Routes and classes, as Microsoft documents them:
- `https://<SMSProviderFQDN>/AdminService/wmi/<ClassName>`, GET with OData `$filter`/`$select`
  (learn.microsoft.com/en-us/mem/configmgr/develop/adminservice/overview; the WMI route is
  case-insensitive since 2006: .../adminservice/release-notes)
- `SMS_Collection` (`CollectionID`, `Name`): .../develop/reference/core/clients/collections/
  sms_collection-server-wmi-class
- `SMS_FullCollectionMembership` (`CollectionID`, `Name`, `ResourceID`): the preferred way to
  enumerate a collection's members ("How to Enumerate the Members of a Collection", ConfigMgr SDK)
- `SMS_UpdatesAssignment` (`AssignmentID`, `AssignmentUniqueID`, `AssignmentName`): a software
  update deployment (.../develop/reference/sum/sms_updatesassignment-server-wmi-class)
- `SMS_SUMDeploymentAssetDetails` (`AssignmentID`, `DeviceName`, `StatusType`: 1 Success,
  2 InProgress, 4 Unknown, 5 Error): per-device deployment status
  (.../develop/reference/sum/sms_sumdeploymentassetdetails-server-wmi-class)

Only GET is ever sent. HTTPS with certificate verification always (the site's CA in `ca_file`,
else the system store); the service's own Windows account, NTLM (the administration service
authenticates Windows users: its overview's prerequisites). Nothing here knows of Slack.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import requests
import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from requests_ntlm import HttpNtlmAuth

from knowledge.datafile import load_model
from knowledge.findings import Phrase, Refused, said

ENV_FILE = "CMBOT_ADMINSERVICE"
ENV_URL = "CMBOT_ADMINSERVICE_URL"
ENV_USERNAME = "CMBOT_ADMINSERVICE_USERNAME"
ENV_PASSWORD = "CMBOT_ADMINSERVICE_PASSWORD"  # noqa: S105 - the variable's name, not a password
ENV_PASSWORD_FILE = "CMBOT_ADMINSERVICE_PASSWORD_FILE"  # noqa: S105
ENV_CA_FILE = "CMBOT_ADMINSERVICE_CA_FILE"

STATUS_TYPES: dict[str, int] = {"success": 1, "inprogress": 2, "unknown": 4, "error": 5}
"""`SMS_SUMDeploymentAssetDetails.StatusType` values (the class's documented enumeration)."""

MAX_PAGES = 50
MAX_NAME = 256
_GUID = re.compile(r"^\{?[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}?$")

ErrorKind = Literal["not_configured", "unreachable", "tls", "auth", "not_found", "bad_input", "protocol"]


class AdminServiceError(Refused):
    """Why a lookup failed, as a short `adminservice.*` Phrase for the user (never a secret, never a
    traceback); `kind` is the class of failure."""

    def __init__(self, kind: ErrorKind, reason: Phrase) -> None:
        self.kind = kind
        super().__init__(reason)


class AdminServiceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(description="https://<SMS Provider FQDN>/AdminService")
    username: str = Field(min_length=1, description="DOMAIN\\user of the account cmbot reads with")
    password: SecretStr = Field(repr=False)
    ca_file: Path | None = Field(default=None, description="CA bundle that signed the provider's certificate")
    timeout_s: float = Field(default=15.0, gt=0, le=120)

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("use https://<SMS Provider FQDN>/AdminService (the service is HTTPS only)")
        return value.rstrip("/")


class AdminServiceSettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the field."""


def adminservice_settings(
    *,
    file: Path | None = None,
    url: str | None = None,
    username: str | None = None,
    password: str | None = None,
    password_file: Path | None = None,
    ca_file: Path | None = None,
) -> AdminServiceSettings | None:
    """A settings file (`CMBOT_ADMINSERVICE`), or the URL/username/password settings; None when
    neither is given. The caller (`bot/settings.py`) names where each value came from."""
    try:
        if file is not None:
            return load_model(file, AdminServiceSettings, AdminServiceSettingsError, "file")
        if not url:
            return None
        if not password and password_file is not None:
            password = password_file.read_text(encoding="utf-8").strip()
        return AdminServiceSettings.model_validate(
            {"url": url, "username": username or "", "password": password or "", "ca_file": ca_file}
        )
    except AdminServiceSettingsError as exc:
        raise AdminServiceError("not_configured", said("adminservice.bad_file", error=str(exc))) from None
    except (OSError, ValidationError) as exc:
        fields = (
            ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
            if isinstance(exc, ValidationError)
            else type(exc).__name__
        )
        raise AdminServiceError(
            "not_configured", said("adminservice.bad_settings", fields=fields, setting=ENV_URL)
        ) from None


def save_settings(settings: AdminServiceSettings, path: Path) -> None:
    """Write a settings file (`cmbot lab` does, for its loopback AdminService); owner-only."""
    document = settings.model_dump(mode="json")
    document["password"] = settings.password.get_secret_value()
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)


def odata_string(value: str) -> str:
    """An OData string literal: single quotes, an embedded quote doubled (OData ABNF `SQUOTE-in-string`)."""
    return "'" + value.replace("'", "''") + "'"


def _checked_name(value: str) -> str:
    name = value.strip()
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise AdminServiceError("bad_input", said("adminservice.bad_collection", name=name[:60]))
    return name


class AdminService:
    """One provider, one account; each method is a few GETs on the WMI route."""

    def __init__(self, settings: AdminServiceSettings) -> None:
        self.settings = settings
        self._session = requests.Session()
        self._session.auth = HttpNtlmAuth(settings.username, settings.password.get_secret_value())
        self._session.verify = str(settings.ca_file) if settings.ca_file else True
        self._session.trust_env = False  # the provider is reached directly, never via a user proxy
        self._origin = "{0.scheme}://{0.netloc}".format(urlsplit(settings.url))

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> AdminService:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def query(self, wmi_class: str, filter_: str, select: str) -> list[dict[str, Any]]:
        """Every row of `wmi_class` matching the OData filter, following `@odata.nextLink` pages."""
        url: str | None = (
            f"{self.settings.url}/wmi/{wmi_class}?$filter={quote(filter_, safe='')}&$select={select}"
        )
        rows: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return rows
            document = self._get(url)
            value = document.get("value")
            if not isinstance(value, list):
                raise AdminServiceError("protocol", said("adminservice.no_value"))
            rows.extend(row for row in value if isinstance(row, dict))
            next_link = document.get("@odata.nextLink")
            url = str(next_link) if next_link else None
            if url and not url.startswith(self._origin + "/"):
                raise AdminServiceError("protocol", said("adminservice.other_host"))
        return rows

    def _get(self, url: str) -> dict[str, Any]:
        try:
            response = self._session.get(
                url,
                timeout=self.settings.timeout_s,
                headers={"Accept": "application/json"},
                allow_redirects=False,  # the account's NTLM handshake goes to this host only
            )
        except requests.exceptions.SSLError:
            raise AdminServiceError("tls", said("adminservice.tls")) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout):
            host = urlsplit(self.settings.url).hostname
            raise AdminServiceError(
                "unreachable", said("adminservice.unreachable", host=host or "")
            ) from None
        except requests.exceptions.RequestException as exc:
            raise AdminServiceError(
                "protocol", said("adminservice.failed", error=type(exc).__name__)
            ) from None
        if response.status_code in (401, 403):
            raise AdminServiceError("auth", said("adminservice.auth", status=response.status_code))
        if response.status_code != 200:
            raise AdminServiceError("protocol", said("adminservice.http", status=response.status_code))
        try:
            document = response.json()
        except ValueError:
            raise AdminServiceError("protocol", said("adminservice.not_json")) from None
        if not isinstance(document, dict):
            raise AdminServiceError("protocol", said("adminservice.not_odata"))
        return document

    def collection_members(self, name: str) -> list[str]:
        """Device names in the collection called `name` (exact name, as the console shows it)."""
        wanted = _checked_name(name)
        found = self.query("SMS_Collection", f"Name eq {odata_string(wanted)}", "CollectionID,Name")
        if not found:
            raise AdminServiceError("not_found", said("adminservice.no_collection", name=wanted[:80]))
        collection_id = str(found[0].get("CollectionID", ""))
        members = self.query(
            "SMS_FullCollectionMembership",
            f"CollectionID eq {odata_string(collection_id)}",
            "Name,ResourceID",
        )
        return [str(m["Name"]) for m in members if m.get("Name")]

    def deployment_devices(self, deployment_id: str, status: str) -> tuple[str, list[str]]:
        """(deployment name, device names) of a software update deployment's clients in `status`.

        `deployment_id` is the AssignmentID (a number, e.g. 16777245) or the AssignmentUniqueID
        (a {GUID}); `status` is `error` or `unknown` (or `success`, `inprogress`)."""
        status_type = STATUS_TYPES.get(status.lower())
        if status_type is None:
            raise AdminServiceError("bad_input", said("adminservice.bad_status"))
        ident = deployment_id.strip()
        if ident.isdigit() and len(ident) <= 10:
            match = f"AssignmentID eq {int(ident)}"
        elif _GUID.match(ident):
            guid = ident if ident.startswith("{") else "{" + ident + "}"
            match = f"AssignmentUniqueID eq {odata_string(guid.upper())}"
        else:
            raise AdminServiceError("bad_input", said("adminservice.bad_deployment", text=ident[:40]))
        found = self.query("SMS_UpdatesAssignment", match, "AssignmentID,AssignmentName")
        if not found:
            raise AdminServiceError("not_found", said("adminservice.no_deployment", text=ident[:40]))
        assignment_id = int(found[0].get("AssignmentID", 0))
        rows = self.query(
            "SMS_SUMDeploymentAssetDetails",
            f"AssignmentID eq {assignment_id} and StatusType eq {status_type}",
            "DeviceName,StatusType",
        )
        names = [str(r["DeviceName"]) for r in rows if r.get("DeviceName")]
        return str(found[0].get("AssignmentName", ident)), list(dict.fromkeys(names))


__all__ = [
    "STATUS_TYPES",
    "AdminService",
    "AdminServiceError",
    "AdminServiceSettings",
    "adminservice_settings",
    "odata_string",
    "save_settings",
]
