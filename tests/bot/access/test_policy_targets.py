"""The policy decides normalized host names, with globs matched label by label (security review V3)."""

from pathlib import Path

import pytest

from bot.access.policy import Policy, load_policy
from tests._words import in_english

POLICY = """
allowed_domains: [corp.example.com]
rules:
  - name: desk
    users: [U1]
    hosts: ["pc-*", "*.corp.example.com"]
  - name: everything
    users: [U2]
    hosts: ["*"]
"""

UNANCHORED = """
rules:
  - name: desk
    users: [U1]
    hosts: ["pc-*"]
"""


def _load(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return load_policy(path)


@pytest.mark.parametrize(
    "target", ["0x7f000001", "127.1", '"127.0.0.1 "', '"::1 "', "0xa9fea9fe", "2130706433"]
)
def test_ip_literals_in_any_spelling_are_refused(tmp_path: Path, target: str) -> None:
    """V3 (A12, A13): hex, short, decimal and quoted spellings are IP literals, refused as such."""
    decision = _load(tmp_path, POLICY).authorize(user_id="U2", target=target)
    assert not decision
    assert "IP addresses are not allowed" in in_english(decision.reason)


@pytest.mark.parametrize("target", ["pc-1.attacker.net", "pc-x.corp.example.com.attacker.net"])
def test_globs_do_not_run_past_a_label(tmp_path: Path, target: str) -> None:
    """V3 (A11): `pc-*` matches the short name pc-1, not pc-1.attacker.net, even without allowed_domains."""
    policy = _load(tmp_path, UNANCHORED)
    assert policy.authorize(user_id="U1", target="pc-1")
    assert not policy.authorize(user_id="U1", target=target)


def test_domain_globs_match_one_label_and_trailing_dots(tmp_path: Path) -> None:
    """`*.corp.example.com` matches pc-1.corp.example.com, written with a trailing dot or in capitals."""
    policy = _load(tmp_path, POLICY)
    assert policy.authorize(user_id="U1", target="PC-1.CORP.EXAMPLE.COM.")
    assert not policy.authorize(user_id="U1", target="pc-1.corp-example.com")


def test_bad_names_are_refused_by_the_policy_itself(tmp_path: Path) -> None:
    """A name that is not a host (newline, shell text) is refused with the validator's reason."""
    decision = _load(tmp_path, POLICY).authorize(user_id="U2", target="pc-1\n.evil.com")
    assert not decision and "not a valid host name" in in_english(decision.reason)


def test_open_default_still_answers_any_valid_name() -> None:
    """No policy file: anyone may ask (where credentials go is decided by the credential scope)."""
    assert Policy.open_default().authorize(user_id="U0", target="0x7f000001")
