"""Text as Slack sends it, read back into what the user typed.

Slack delivers message text with `&`, `<` and `>` escaped as `&amp;` `&lt;` `&gt;` (only those
three are entities) and writes mentions, channels, broadcasts and links as `<…>` control
sequences: `<@U123>`, `<#C123|general>`, `<!channel>`, `<!subteam^S123|@desk>`, `<https://x|label>`
(https://docs.slack.dev/messaging/formatting-message-text#escaping,
https://docs.slack.dev/messaging/formatting-message-text#linking-urls). A pasted CMTrace line
`<![LOG[…]LOG]!><time=…>` therefore arrives as `&lt;![LOG[…]LOG]!&gt;&lt;time=…&gt;`; the
matcher must see it as pasted. Output is escaped again, exactly once, in `bot.render.blocks`.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"<([^<>\n]{1,2000})>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
# What phones type for "--" and '"': iOS and Android "smart punctuation" turn them into dashes and
# curly quotes, which no host name, KB or command argument contains.
_MOBILE = str.maketrans(
    {
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u00a0": " ",  # no-break space
        "\u3000": " ",  # ideographic space (Japanese input methods)
    }
)


def _readable(match: re.Match[str]) -> str:
    """One control sequence as the person saw it: the label when there is one."""
    target, _, label = match.group(1).partition("|")
    if target.startswith(("@", "#")):
        return target[0] + (label.lstrip("@#") or target[1:])
    if target.startswith("!"):
        return label or "@" + target[1:].split("^")[0]
    return label or target


def from_slack(text: str) -> str:
    """Message, shortcut or command text as typed: control sequences read, entities decoded once."""
    read = _CONTROL.sub(_readable, text)
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], read)


def command_text(text: str) -> str:
    """Slash-command arguments as typed, with phone punctuation (– — “ ” ‘ ’) made plain."""
    return from_slack(text).translate(_MOBILE)
