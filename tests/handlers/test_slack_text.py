"""Inbound Slack text read back as typed: entities decoded once, control sequences for what they show."""

import pytest

from bot.loopback.payloads import slack_escaped
from bot.render.blocks import escape
from handlers.slack_text import command_text, from_slack


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("a &amp; b &lt;x&gt;", "a & b <x>"),
        ("&amp;lt; stays an entity once", "&lt; stays an entity once"),  # typed "&lt;" arrives as &amp;lt;
        ("hi <@U0123ABC>", "hi @U0123ABC"),
        ("hi <@U0123ABC|alice>", "hi @alice"),
        ("in <#C0123|helpdesk>", "in #helpdesk"),
        ("<!channel> <!here|here> <!subteam^S0DESK|@desk>", "@channel here @desk"),
        (
            "URL=<http://mp01.corp.example/ccm_system/request>",
            "URL=http://mp01.corp.example/ccm_system/request",
        ),
        ("see <https://evil.example/f|report>", "see report"),
        ("mp <http://mp01.corp.example|mp01.corp.example>", "mp mp01.corp.example"),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"),
    ],
)
def test_from_slack_reads_text_as_typed(sent: str, typed: str) -> None:
    """Slack's escaping and control sequences come back as the person saw them."""
    assert from_slack(sent) == typed


def test_round_trip_escapes_exactly_once() -> None:
    """Typed text → Slack's encoding → read → escaped for output shows the typed text once."""
    typed = '<![LOG[Error = 0x80244022 & more]LOG]!><time="03:15:00.000-540">'
    shown = escape(from_slack(slack_escaped(typed)))
    assert shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == typed
    assert "&amp;lt;" not in shown


def test_command_text_makes_phone_punctuation_plain() -> None:
    """Curly quotes, dashes and no-break spaces from phone keyboards become what was meant."""
    assert (
        command_text("\u201cpc-1\u201d\u00a0kb:KB5031356 \u2014 \u2018x\u2019")
        == "\"pc-1\" kb:KB5031356 - 'x'"
    )
