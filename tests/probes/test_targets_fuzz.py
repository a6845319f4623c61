"""Host-name validation never raises anything but BadHostName, and what it accepts is safe."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probes.credentials import Credentials, NotTrusted, credential_for
from probes.targets import BadHostName, is_ip_literal, url_host, validate_host

SAFE = re.compile(r"^[a-z0-9.:-]+$")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300))
def test_validate_host_on_any_text(text: str) -> None:
    """Any text is either refused with BadHostName or accepted as letters, digits, '.', ':' and '-'."""
    try:
        name = validate_host(text)
    except BadHostName as exc:
        assert str(exc)
    else:
        assert SAFE.match(name), name
        assert not name.startswith("-")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_normal_form_is_a_fixed_point(text: str) -> None:
    """What validate_host returns is already normal: validating it again gives the same name."""
    try:
        name = validate_host(text)
    except BadHostName:
        return
    assert validate_host(name) == name
    assert name == name.lower() and not name.endswith(".")


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("PC-1.Corp.Example.COM.", "pc-1.corp.example.com"),
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.0.0.0x1", "127.0.0.1"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("2130706433", "127.0.0.1"),
        ('"127.0.0.1 "', "127.0.0.1"),
        ('"::1 "', "::1"),
        ("[::1]", "::1"),
        ("::FFFF:127.0.0.1", "127.0.0.1"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ],
)
def test_aliases_normalize_to_one_name(text: str, normal: str) -> None:
    """V3: every spelling of an address (inet_aton forms, quoted, bracketed) becomes the canonical one,
    so the policy, the credential scope and the host lock all see the same name."""
    assert validate_host(text) == normal
    assert is_ip_literal(normal) == (normal[0].isdigit() or ":" in normal)


@pytest.mark.parametrize(
    "text",
    ["pc-1\n.evil.com", "pc-1\n", "lab-healthy\nx", "fe80::1%eth0", "[fe80::1%25eth0]", "1.2.3.4.5", "pc.0x"],
)
def test_newlines_scoped_and_malformed_addresses_are_refused(text: str) -> None:
    """V12: a newline inside a name, a scoped IPv6 address or a malformed IP literal is refused."""
    if text == "pc-1\n":  # trailing whitespace is stripped like spaces; the name itself is fine
        assert validate_host(text) == "pc-1"
        return
    with pytest.raises(BadHostName):
        validate_host(text)


def test_ipv6_literals_get_brackets_in_urls() -> None:
    """V12: an IPv6 literal goes into the endpoint URL in brackets (RFC 3986 3.2.2)."""
    assert url_host("::1") == "[::1]"
    assert url_host("pc-1.corp.example.com") == "pc-1.corp.example.com"


_LABELS = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LABELS, min_size=1, max_size=5))
def test_a_domain_credential_serves_exactly_its_suffix(labels: list[str]) -> None:
    """V2: for any name, the corp.example.com credential is offered iff the name ends in
    `.corp.example.com` label for label; look-alikes (corp-example.com, xcorp.example.com) never."""
    env = {"CMBOT_CRED_CORP_EXAMPLE_COM_USER": "CORP\\svc"}
    for name in (
        ".".join(labels),
        ".".join([*labels, "corp", "example", "com"]),
        ".".join(labels) + "corp.example.com",
    ):
        try:
            normal = validate_host(name)
        except BadHostName:
            continue
        under = normal.endswith(".corp.example.com")
        try:
            credential_for(normal, None, Credentials.from_variables(env))
        except NotTrusted:
            assert not under, normal
        else:
            assert under, normal
