"""WinRM credentials come from the inventory, per-domain profiles or the default, never echoed."""

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.redact import redact
from probes.credentials import CredentialError, credential_for
from probes.inventory import InventoryHost


def test_inventory_credential_wins() -> None:
    """A lab inventory entry carries its own user and password."""
    entry = InventoryHost(
        name="lab-a", endpoint="http://127.0.0.1:1/wsman", username="LAB\\u", password=SecretStr("pw-1234")
    )
    credential = credential_for("lab-a", entry, env={"CMBOT_WINRM_USER": "other"})
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
    credential = credential_for("pc-1.corp.example.com", None, env=env)
    assert credential.username == "CORP\\svc_cmbot"
    assert credential.password is not None and credential.password.get_secret_value() == "Sup3r-Secret-Value"
    assert "Sup3r-Secret-Value" not in redact("login Sup3r-Secret-Value failed")


def test_default_profile_and_missing() -> None:
    """Other hosts use the default profile; with none, the error names the variables, not values."""
    assert (
        credential_for(
            "pc-2", None, env={"CMBOT_WINRM_USER": "u", "CMBOT_WINRM_PASSWORD": "p-99999"}
        ).username
        == "u"
    )
    with pytest.raises(CredentialError, match="CMBOT_WINRM_USER"):
        credential_for("pc-2", None, env={})


def test_basic_over_plain_http_is_refused() -> None:
    """The runner refuses to send a Basic password over plain HTTP."""
    import pytest as _pytest  # noqa: PLC0415

    from probes.credentials import Credential  # noqa: PLC0415
    from probes.runner import Unreachable, run_probe  # noqa: PLC0415

    entry = InventoryHost(name="pc-1", endpoint="http://127.0.0.1:9/wsman", auth="basic")
    with _pytest.raises(Unreachable, match="only used over HTTPS"):
        run_probe(entry, Credential("u", SecretStr("p")), "# x", {}, deadline_s=1)
