"""Credentials go only where the operator said (security review V1, V2, V3, V12): a loopback
endpoint records every Authorization header, and none reaches an unlisted, look-alike, IP-literal
or proxied target."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.render.i18n import say
from bot.settings import Settings
from lab.hostile import HostileEndpoint
from lab.testing import Lab
from probes.check import check_host
from probes.credentials import CredentialError, Credentials, NotTrusted, credential_for
from probes.inventory import InventoryHost
from probes.secrets import redact
from tests._words import latin_words_left, verdict

SERVICE = {"CMBOT_WINRM_USER": "CORP\\svc-cmbot", "CMBOT_WINRM_PASSWORD": "Svc-Passw0rd-123"}


@pytest.fixture
def recorder() -> Iterator[HostileEndpoint]:
    with HostileEndpoint("record") as endpoint:
        yield endpoint


@pytest.fixture
def service_account(monkeypatch: pytest.MonkeyPatch, recorder: HostileEndpoint) -> HostileEndpoint:
    """The service account with NTLM allowed, and every non-inventory host aimed at the recorder."""
    for name, value in SERVICE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CMBOT_WINRM_ALLOW_NTLM", "1")
    monkeypatch.setenv("CMBOT_WINRM_PORT", str(recorder.port))
    monkeypatch.delenv("CMBOT_INVENTORY", raising=False)
    return recorder


NOT_KNOWN_WORDED = say("en", "refuse.host_not_known")
"""The reply a host outside every credential's scope gets (probes/check.py target_problem)."""


def test_inventory_credential_wins() -> None:
    """A lab inventory entry carries its own user and password."""
    entry = InventoryHost(
        name="lab-a", endpoint="http://127.0.0.1:1/wsman", username="LAB\\u", password=SecretStr("pw-1234")
    )
    credential = credential_for("lab-a", entry, Credentials.from_variables({"CMBOT_WINRM_USER": "other"}))
    assert credential.username == "LAB\\u"
    assert "pw-1234" not in repr(credential)


def test_domain_profile_from_secret_file(tmp_path: Path) -> None:
    """Hosts under a domain use that domain's profile; the password file is read and redacted."""
    secret = tmp_path / "pw"
    secret.write_text("Sup3r-Secret-Value\n")
    env = {
        "CMBOT_CRED_CORP_EXAMPLE_COM_USER": "CORP\\svc_cmbot",
        "CMBOT_CRED_CORP_EXAMPLE_COM_PASSWORD_FILE": str(secret),
        "CMBOT_WINRM_USER": "default",
    }
    credential = credential_for("pc-1.corp.example.com", None, Credentials.from_variables(env))
    assert credential.username == "CORP\\svc_cmbot"
    assert credential.password is not None and credential.password.get_secret_value() == "Sup3r-Secret-Value"
    assert "Sup3r-Secret-Value" not in redact("login Sup3r-Secret-Value failed")


def test_default_profile_serves_only_its_domains() -> None:
    """V1: the default credential goes to hosts under CMBOT_WINRM_DOMAINS, and nowhere else."""
    env = {**SERVICE, "CMBOT_WINRM_DOMAINS": "corp.example.com, 10.1.0.0/16"}
    assert (
        credential_for("pc-2.corp.example.com", None, Credentials.from_variables(env)).username
        == "CORP\\svc-cmbot"
    )
    assert credential_for("10.1.2.3", None, Credentials.from_variables(env)).username == "CORP\\svc-cmbot"
    for host in ("pc-2", "attacker-box", "pc-2.attacker.net", "10.2.0.1", "corp.example.com.evil.net"):
        with pytest.raises(NotTrusted, match="not a known host"):
            credential_for(host, None, Credentials.from_variables(env))
    with pytest.raises(NotTrusted, match="add it to the inventory or the allowed domains"):
        credential_for("pc-2", None, Credentials.from_variables(SERVICE))


@pytest.mark.parametrize("host", ["pc-1.corp-example.com", "pc-1.corp.example-com", "pc-1.corp-example-com"])
def test_look_alike_domains_get_no_domain_credential(host: str) -> None:
    """V2: CMBOT_CRED_CORP_EXAMPLE_COM serves corp.example.com only, never a hyphenated look-alike."""
    env = {"CMBOT_CRED_CORP_EXAMPLE_COM_USER": "CORP\\svc", "CMBOT_CRED_CORP_EXAMPLE_COM_PASSWORD": "pw-5678"}
    assert (
        credential_for("pc-1.corp.example.com", None, Credentials.from_variables(env)).username == "CORP\\svc"
    )
    with pytest.raises(NotTrusted):
        credential_for(host, None, Credentials.from_variables(env))


def test_explicit_domains_and_the_most_specific_profile_wins() -> None:
    """A profile's _DOMAINS lists its suffixes; the longest matching suffix picks the profile."""
    env = {
        "CMBOT_CRED_EMEA_USER": "EMEA\\svc",
        "CMBOT_CRED_EMEA_DOMAINS": "emea.corp-example.com",
        "CMBOT_CRED_CORP_USER": "CORP\\svc",
        "CMBOT_CRED_CORP_DOMAINS": "corp-example.com",
    }
    assert (
        credential_for("pc.emea.corp-example.com", None, Credentials.from_variables(env)).username
        == "EMEA\\svc"
    )
    assert (
        credential_for("pc.apac.corp-example.com", None, Credentials.from_variables(env)).username
        == "CORP\\svc"
    )
    with pytest.raises(CredentialError, match="CMBOT_CRED_CORP_DOMAINS"):
        credential_for(
            "pc.x", None, Credentials.from_variables({**env, "CMBOT_CRED_CORP_DOMAINS": "bad_domain!"})
        )


def test_basic_over_plain_http_is_refused() -> None:
    """The runner refuses to send a Basic password over plain HTTP."""
    from probes.credentials import Credential  # noqa: PLC0415
    from probes.runner import Unreachable, run_probe  # noqa: PLC0415

    entry = InventoryHost(name="pc-1", endpoint="http://127.0.0.1:9/wsman", auth="basic")
    with pytest.raises(Unreachable, match="only used over HTTPS"):
        run_probe(entry, Credential("u", SecretStr("p")), "# x", {}, deadline_s=1)


@pytest.mark.parametrize(
    "host",
    [
        "attacker-box",
        "localhost",
        "pc-9.attacker.net",
        "127.0.0.1",
        "0x7f000001",
        "127.1",
        "0177.0.0.1",
        '"127.0.0.1 "',
        "::1",
        '"::1 "',
        "[::ffff:127.0.0.1]",
    ],
)
def test_no_credential_reaches_an_unlisted_host(service_account: HostileEndpoint, host: str) -> None:
    """V1/V3: with no policy, no inventory and no allowed domains, an unlisted name (IP literals in
    any spelling included) is refused before DNS, and the listener records no request at all."""
    report = asyncio.run(check_host(host, deadline_s=3, config=Settings().probe_config()))
    assert not report.reachable
    assert verdict(report) == f"not checked: {NOT_KNOWN_WORDED}"
    assert service_account.seen == []


def test_look_alike_domain_gets_nothing(
    service_account: HostileEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """V2: a per-domain credential for corp.example.com is not offered to pc-1.corp-example.com."""
    monkeypatch.setenv("CMBOT_CRED_CORP_EXAMPLE_COM_USER", "CORP\\svc-corp")
    monkeypatch.setenv("CMBOT_CRED_CORP_EXAMPLE_COM_PASSWORD", "Corp-Passw0rd-9")
    report = asyncio.run(check_host("pc-1.corp-example.com", deadline_s=3, config=Settings().probe_config()))
    assert verdict(report) == f"not checked: {NOT_KNOWN_WORDED}"
    assert service_account.seen == []


def test_an_allowed_network_gets_ntlm_only_when_allowed(
    service_account: HostileEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorder proves the harness: a host inside CMBOT_WINRM_DOMAINS is offered NTLM (allowed
    for this credential); with NTLM not allowed and no Kerberos ticket, nothing is sent."""
    monkeypatch.setenv("CMBOT_WINRM_DOMAINS", "127.0.0.0/8")
    monkeypatch.setenv("KRB5CCNAME", "FILE:/nonexistent/ccache")
    monkeypatch.delenv("KRB5_CLIENT_KTNAME", raising=False)
    report = asyncio.run(check_host("0x7f000001", deadline_s=3, config=Settings().probe_config()))
    assert verdict(report).startswith("winrm-unreachable")
    assert any(a.startswith("Negotiate ") for a in service_account.authorizations)
    service_account.seen.clear()
    monkeypatch.setenv("CMBOT_WINRM_ALLOW_NTLM", "0")
    report = asyncio.run(check_host("127.0.0.1", deadline_s=3, config=Settings().probe_config()))
    assert "NTLM is not allowed" in verdict(report) and "CMBOT_WINRM_ALLOW_NTLM" in verdict(report)
    japanese = verdict(report, "ja")
    assert "NTLM が許可されていません" in japanese and "CMBOT_WINRM_ALLOW_NTLM" in japanese
    assert latin_words_left(japanese, allowed=["NTLM", "Kerberos", "winrm-unreachable"]) == []
    assert service_account.seen == []


def test_environment_proxy_is_not_used(
    lab: Lab, recorder: HostileEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """V12 (A15): HTTP_PROXY and REQUESTS_CA_BUNDLE are ignored; the check goes straight to the host
    and the proxy sees no request, so no NTLM login passes through it."""
    monkeypatch.setenv("CMBOT_INVENTORY", str(lab.inventory_path))
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{recorder.port}")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca-bundle.pem")
    report = asyncio.run(check_host("lab-healthy", deadline_s=10, config=Settings().probe_config()))
    assert report.reachable, verdict(report)
    assert recorder.seen == []
