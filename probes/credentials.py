"""WinRM credentials, and the hosts each one may be offered to.

A credential goes only where the operator said: to a host listed in the inventory, or to a host
whose normalized name lies under a DNS suffix (or in an IP network) configured for THAT
credential. Every other name is refused before any DNS lookup or connection, whoever asks and
whatever the access policy says (the policy decides who may ask, not where credentials go).

Profiles come from the operator's settings (the environment or `.env`, gathered by
`bot/settings.py` and handed over as a `Credentials`) or from secret files, never from chat:
- the default profile: `CMBOT_WINRM_USER`, `CMBOT_WINRM_PASSWORD` (or `..._PASSWORD_FILE`),
  `CMBOT_WINRM_DOMAINS` (comma-separated DNS suffixes and CIDR networks; empty = inventory only),
  `CMBOT_WINRM_ALLOW_NTLM` (`1` to allow NTLM when the bot has no Kerberos ticket or keytab);
- per-domain profiles `CMBOT_CRED_<NAME>_USER`, `..._PASSWORD[_FILE]`, `..._DOMAINS`,
  `..._ALLOW_NTLM`. Without `_DOMAINS` the profile serves exactly the suffix its name spells with
  dots (`CMBOT_CRED_CORP_EXAMPLE_COM` → `corp.example.com`, never `corp-example.com`).

Suffixes match whole labels of the normalized name (`pc-1.corp.example.com` is under
`corp.example.com`; `pc-1.corp-example.com` and `corp.example.com.evil.net` are not), and a short
name is under no suffix. Every password read is registered for redaction.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from probes.inventory import InventoryHost
from probes.secrets import register_secret
from probes.targets import BadHostName, is_ip_literal, validate_host

DEFAULT_PREFIX = "CMBOT_WINRM"
DOMAIN_PREFIX = "CMBOT_CRED_"
CREDENTIAL_PREFIXES = (DEFAULT_PREFIX + "_", DOMAIN_PREFIX)
"""The variables that make up the profiles (the settings gather every one of them)."""
NOT_KNOWN = (
    "not a known host: add it to the inventory or the allowed domains "
    "(CMBOT_WINRM_DOMAINS, or CMBOT_CRED_<NAME>_DOMAINS)"
)
_PROFILE_VAR = re.compile(r"CMBOT_CRED_([A-Z0-9_]+?)_(?:USER|DOMAINS)")
_TRUE = {"1", "true", "yes", "on"}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class CredentialError(ValueError):
    """No usable credential for a host; the message names the variables to set, never a value."""


class NotTrusted(CredentialError):
    """The host is outside every credential's scope: nothing is sent to it."""


@dataclass(frozen=True)
class Credential:
    username: str | None
    password: SecretStr | None
    allow_ntlm: bool = False
    source: str = DEFAULT_PREFIX
    """The profile's variable prefix (or 'inventory'), to name in messages."""

    def __repr__(self) -> str:
        return f"Credential(username={self.username!r}, password=***, source={self.source!r})"


@dataclass(frozen=True)
class Scope:
    """The DNS suffixes and networks one credential may be offered to."""

    suffixes: tuple[str, ...] = ()
    networks: tuple[Network, ...] = ()

    def covers(self, name: str) -> int:
        """How specific the match is (0 = no match): longer suffixes and networks win."""
        if is_ip_literal(name):
            address = ipaddress.ip_address(name)
            return max((n.prefixlen + 1 for n in self.networks if address in n), default=0)
        return max((len(s) + 1 for s in self.suffixes if name.endswith("." + s)), default=0)


def parse_scope(text: str, variable: str) -> Scope:
    """`corp.example.com, 10.1.0.0/16` → Scope; a bad entry names the variable."""
    suffixes: list[str] = []
    networks: list[Network] = []
    for raw in re.split(r"[,\s]+", text.strip()):
        if not raw:
            continue
        if "/" in raw or is_ip_literal(raw.strip("[]")):
            try:
                networks.append(ipaddress.ip_network(raw.strip("[]"), strict=False))
            except ValueError:
                raise CredentialError(f"{variable}: '{raw[:60]}' is not a network (10.1.0.0/16)") from None
            continue
        try:
            suffix = validate_host(raw.removeprefix("*.").removeprefix("."))
        except BadHostName:
            raise CredentialError(
                f"{variable}: '{raw[:60]}' is not a DNS suffix (letters, digits and '-', dot-separated)"
            ) from None
        if is_ip_literal(suffix):
            raise CredentialError(
                f"{variable}: '{raw[:60]}' is an address; write it as a network (a.b.c.d/32)"
            )
        suffixes.append(suffix)
    return Scope(tuple(suffixes), tuple(networks))


@dataclass(frozen=True)
class Profile:
    prefix: str
    scope: Scope

    def credential(self, env: Mapping[str, str]) -> Credential:
        return Credential(
            username=env.get(f"{self.prefix}_USER") or None,
            password=_secret(env, self.prefix),
            allow_ntlm=env.get(f"{self.prefix}_ALLOW_NTLM", "").strip().lower() in _TRUE,
            source=self.prefix,
        )


def profiles(env: Mapping[str, str]) -> list[Profile]:
    """Every configured profile: per-domain ones first, then the default."""
    found: list[Profile] = []
    names = sorted({m.group(1) for key in env if (m := _PROFILE_VAR.fullmatch(key))})
    for name in names:
        prefix = DOMAIN_PREFIX + name
        raw = env.get(f"{prefix}_DOMAINS")
        implied = name.lower().replace("_", ".")
        found.append(Profile(prefix, parse_scope(implied if raw is None else raw, f"{prefix}_DOMAINS")))
    if env.get(f"{DEFAULT_PREFIX}_USER") or env.get(f"{DEFAULT_PREFIX}_DOMAINS"):
        scope = parse_scope(env.get(f"{DEFAULT_PREFIX}_DOMAINS", ""), f"{DEFAULT_PREFIX}_DOMAINS")
        found.append(Profile(DEFAULT_PREFIX, scope))
    return found


@dataclass(frozen=True)
class Credentials:
    """The configured profiles and the variables they read; the default has none, so only
    inventory hosts (with their own credential or the default profile's) are ever offered one."""

    profiles: tuple[Profile, ...] = ()
    variables: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_variables(cls, env: Mapping[str, str]) -> Credentials:
        """Parse every profile's scope now: a bad one is a CredentialError naming its variable."""
        return cls(tuple(profiles(env)), dict(env))


NO_CREDENTIALS = Credentials()


def _secret(env: Mapping[str, str], prefix: str) -> SecretStr | None:
    if value := env.get(f"{prefix}_PASSWORD"):
        register_secret(value)
        return SecretStr(value)
    if path := env.get(f"{prefix}_PASSWORD_FILE"):
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError:
            raise CredentialError(f"cannot read {prefix}_PASSWORD_FILE") from None
        register_secret(value)
        return SecretStr(value)
    return None


def profile_for(name: str, credentials: Credentials = NO_CREDENTIALS) -> Profile | None:
    """The most specific profile whose scope covers the normalized `name`, if any."""
    best: tuple[int, Profile] | None = None
    for profile in credentials.profiles:
        score = profile.scope.covers(name)
        if score and (best is None or score > best[0]):
            best = (score, profile)
    return best[1] if best else None


def credential_for(
    host_name: str, entry: InventoryHost | None, credentials: Credentials = NO_CREDENTIALS
) -> Credential:
    """The credential for a normalized host name, or NotTrusted / CredentialError.

    Inventory hosts use their own credential, else the profile covering them, else the default
    profile (the operator listed them). Any other host needs a profile whose scope covers it."""
    if entry is not None and entry.username and entry.password is not None:
        register_secret(entry.password.get_secret_value())
        return Credential(entry.username, entry.password, allow_ntlm=True, source="inventory")
    profile = profile_for(host_name, credentials)
    if profile is None and entry is None:
        raise NotTrusted(NOT_KNOWN)
    if profile is None:
        profile = Profile(DEFAULT_PREFIX, Scope())
    return profile.credential(credentials.variables)


def kerberos_ready() -> bool:
    """True when the bot can get Kerberos tickets: a valid TGT in its ticket cache (KRB5CCNAME)
    or a client keytab (KRB5_CLIENT_KTNAME), as MIT's GSSAPI sees them.
    https://web.mit.edu/kerberos/krb5-latest/doc/appdev/gssapi.html#initiator-credentials"""
    try:
        import gssapi  # noqa: PLC0415 - optional until Kerberos is configured

        credentials = gssapi.Credentials(usage="initiate")
        return bool(credentials.lifetime is None or credentials.lifetime > 0)
    except Exception:  # noqa: BLE001 - GSSAPI raises its own types per backend: no usable ticket
        return False
