"""The AdminService client against the lab's loopback AdminService: real HTTPS with the lab CA,
real NTLM, the documented OData shapes; collections, deployment status lists, and clear errors."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from lab.adminservice import LabAdminService, LabCollection, LabSite
from lab.scenario import load_scenarios
from lab.server import tls_context
from lab.testing import Lab, run_lab
from probes.adminservice import (
    AdminService,
    AdminServiceError,
    AdminServiceSettings,
    adminservice_settings,
    odata_string,
)
from tests._words import in_english

NAMES = [
    "lab-healthy",
    "lab-sup-service-unavailable",
    "lab-cache-too-small",
    "lab-winrm-refused",
    "lab-not-targeted",
]


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site_lab() -> Iterator[Lab]:
    """Five lab hosts and the loopback AdminService that knows them."""
    with run_lab([s for s in load_scenarios() if s.name in NAMES], adminservice=True) as lab:
        yield lab


def _settings(lab: Lab) -> AdminServiceSettings:
    assert lab.adminservice_path is not None
    settings = adminservice_settings(file=lab.adminservice_path)
    assert settings is not None
    return settings


def test_all_systems_lists_every_host(site_lab: Lab) -> None:
    """The built-in All Systems collection (SMS00001) holds every lab host."""
    with AdminService(_settings(site_lab)) as service:
        assert sorted(service.collection_members("All Systems")) == sorted(NAMES)
        assert service.collection_members("lab sup-service-unavailable") == ["lab-sup-service-unavailable"]


def test_deployment_error_and_unknown_lists(site_lab: Lab) -> None:
    """StatusType 5 lists the failing scenarios, 4 the unreachable one; not-targeted is not in it."""
    with AdminService(_settings(site_lab)) as service:
        name, failing = service.deployment_devices("16777245", "error")
        assert name == "Windows 11 Cumulative Updates 2026-11 - Required"
        assert sorted(failing) == ["lab-cache-too-small", "lab-sup-service-unavailable"]
        assert service.deployment_devices("{16777245-7a3b-4c5d-9e8f-0a1b2c3d4e5f}", "unknown")[1] == [
            "lab-winrm-refused"
        ]


def test_unknown_ids_get_clear_answers(site_lab: Lab) -> None:
    """An unknown collection or deployment ID, or a malformed one, is a short sentence, not a traceback."""
    with AdminService(_settings(site_lab)) as service:
        for call, kind, words in (
            (
                lambda: service.collection_members("No Such PCs"),
                "not_found",
                "no collection named 'No Such PCs'",
            ),
            (
                lambda: service.deployment_devices("99999", "error"),
                "not_found",
                "no software update deployment",
            ),
            (lambda: service.deployment_devices("abc';--", "error"), "bad_input", "is not a deployment ID"),
            (lambda: service.deployment_devices("16777245", "broken"), "bad_input", "` must be `error`"),
        ):
            with pytest.raises(AdminServiceError) as caught:
                call()
            assert caught.value.kind == kind and words in in_english(caught.value)


def test_unreachable_tls_and_auth_are_told_apart(site_lab: Lab, tmp_path: Path) -> None:
    """Nothing listening, an unknown CA, and a wrong password each get their own answer."""
    good = _settings(site_lab)
    cases = [
        (
            good.model_copy(
                update={"url": f"https://127.0.0.1:{_closed_port()}/AdminService", "timeout_s": 2}
            ),
            "unreachable",
        ),
        (good.model_copy(update={"ca_file": None}), "tls"),
        (good.model_copy(update={"password": SecretStr("wrong")}), "auth"),
    ]
    for settings, kind in cases:
        with AdminService(settings) as service, pytest.raises(AdminServiceError) as caught:
            service.collection_members("All Systems")
        assert caught.value.kind == kind
        assert "wrong" not in str(caught.value) and good.password.get_secret_value() not in str(caught.value)


def test_pages_and_quotes(site_lab: Lab) -> None:
    """`@odata.nextLink` pages are followed; a quote in a name is an OData literal, not syntax."""
    assert site_lab.adminservice is not None
    assert odata_string("O'Brien") == "'O''Brien'"
    site = LabSite(
        collections=[
            LabCollection(
                collection_id="LAB09999", name="O'Brien's PCs", members=[f"pc-{n}" for n in range(7)]
            )
        ]
    )
    tls = site_lab.directory / "lab-server.pem", site_lab.directory / "lab-server.key"
    paged = LabAdminService(site, tls_context(*tls), page_size=2).start()
    try:
        settings = _settings(site_lab).model_copy(update={"url": paged.url})
        with AdminService(settings) as service:
            assert service.collection_members("O'Brien's PCs") == [f"pc-{n}" for n in range(7)]
        assert paged.requests >= 5
    finally:
        paged.stop()


def test_settings_need_https() -> None:
    """An http:// AdminService URL is refused at load: the service is HTTPS only."""
    with pytest.raises(AdminServiceError) as caught:
        adminservice_settings(url="http://cm01/AdminService", username="u")
    assert caught.value.kind == "not_configured" and "url" in in_english(caught.value)
    assert adminservice_settings() is None
