"""Access policy: who may run /cmcheck on which hosts from which channels."""

from pathlib import Path

import pytest

from bot.access.policy import Policy, PolicyError, load_policy
from tests._words import in_english

POLICY = """
allowed_domains: [corp.example.com]
rules:
  - name: desktop
    users: [U1]
    channels: [C1]
    hosts: ["pc-*", "*.corp.example.com"]
    groups: [tokyo]
  - name: leads
    usergroups: [S9]
    hosts: ["*"]
    rate_limit: {checks: 100, window_s: 60}
"""


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    return load_policy(path)


def test_open_default_allows_any_valid_target() -> None:
    """With no policy file, anyone may check any host."""
    assert Policy.open_default().authorize(user_id="U0", target="pc-1")


def test_rule_allows_matching_user_channel_and_host(policy: Policy) -> None:
    """A user named in a rule may check a host matching its patterns from its channel."""
    assert policy.authorize(user_id="U1", channel_id="C1", target="PC-1234")
    assert policy.authorize(user_id="U1", channel_id="C1", target="group:tokyo")


@pytest.mark.parametrize(
    ("user", "channel", "target", "reason"),
    [
        ("U2", "C1", "pc-1", "not allowed to run /cmcheck here"),
        ("U1", "C2", "pc-1", "not allowed to run /cmcheck here"),
        ("U1", "C1", "srv-1", "not allowed to check srv-1"),
        ("U1", "C1", "group:osaka", "not allowed to check group:osaka"),
        ("U1", "C1", "pc-1.evil.example.net", "outside the allowed domains"),
        ("U1", "C1", "10.0.0.5", "IP addresses are not allowed"),
    ],
)
def test_refusals_say_why(policy: Policy, user: str, channel: str, target: str, reason: str) -> None:
    """Each refusal carries a short reason the user can act on."""
    decision = policy.authorize(user_id=user, channel_id=channel, target=target)
    assert not decision
    assert reason in in_english(decision.reason)


def test_usergroup_grants_and_rate_limit(policy: Policy) -> None:
    """Membership of a Slack user group grants its rule, with that rule's rate limit."""
    assert policy.authorize(user_id="U7", usergroups=["S9"], channel_id="C5", target="srv.corp.example.com")
    assert policy.rate_limit_for("U7", ["S9"]).checks == 100
    assert policy.rate_limit_for("U1").checks == 20


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [{name: x, usrs: [U1]}]", "field rules.0.usrs"),
        ("rules: [{users: [U1]}]", "field rules.0.name"),
        ("rate_limit: {checks: 0}", "field rate_limit.checks"),
        ("rules: [\n  - name: [", "is not valid YAML"),
    ],
)
def test_invalid_policy_names_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    """A broken policy file is refused with the file and the field in the message."""
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)
