"""Secrets are masked in any text and in every log record."""

import logging

import pytest

from probes.secrets import MASK, RedactingFilter, redact, register_secret


def test_registered_secret_is_masked() -> None:
    """A registered value disappears from text wherever it occurs."""
    register_secret("S3cret-Pa55w0rd!")
    assert redact("login with S3cret-Pa55w0rd! failed") == f"login with {MASK} failed"


@pytest.mark.parametrize(
    "text",
    [
        "token xoxb-1234-5678-abcdefgh",
        "app token xapp-1-A111-222-ccc",
        "url?user=a&password=hunter22&x=1",
        "Authorization: Basic dXNlcjpwYXNz",
    ],
)
def test_secret_shapes_are_masked(text: str) -> None:
    """Slack tokens, password pairs and auth headers are masked even if never registered."""
    out = redact(text)
    assert MASK in out
    assert "hunter22" not in out and "dXNlcjpwYXNz" not in out and "abcdefgh" not in out


def test_log_filter_masks_args_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    """The filter masks message arguments and exception text before handlers format them."""
    register_secret("TopSecretValue42")
    logger = logging.getLogger("cmbot.test.redact")
    logger.addFilter(RedactingFilter())
    try:
        raise RuntimeError("connect failed for password TopSecretValue42")
    except RuntimeError:
        with caplog.at_level(logging.INFO):
            logger.exception("check of %s with %s", "pc-1", "TopSecretValue42")
    text = caplog.text
    assert "TopSecretValue42" not in text
    assert "pc-1" in text and MASK in text
