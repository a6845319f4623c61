"""The command table: every example parses as written, and help, App Home and the console read it."""

import pytest

from bot.slack.command_table import COMMANDS, Command, Example, command_named, help_text
from handlers.home import HOW_TO

EXAMPLES = [(command, example) for command in COMMANDS for example in command.examples]


@pytest.mark.parametrize(("command", "example"), EXAMPLES, ids=[f"{c.name} {e.args}" for c, e in EXAMPLES])
def test_each_example_parses_as_documented(command: Command, example: Example) -> None:
    """An example in the table is what the command's parser really makes of that text."""
    assert command.parse(example.args) == example.parsed


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_every_command_is_in_help_and_on_app_home(command: Command) -> None:
    """Help in both languages, the console's help and App Home's how-to list every form of the command."""
    for form in command.forms:
        assert form.usage in help_text("en", surface="slack")
        assert form.usage in help_text("ja", surface="slack")
        assert form.usage in help_text("en", surface="console")
        assert form.usage in HOW_TO
    assert command.examples, "every command carries at least one example"


def test_commands_are_found_by_name_whatever_the_case() -> None:
    """The console dispatches through the table, so `/CMERR` is `/cmerr` and `/nosuch` is nothing."""
    assert command_named("/CMERR") is not None and command_named("/nosuch") is None
