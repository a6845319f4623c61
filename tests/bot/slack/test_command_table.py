"""The command table: every example parses as written, and help, App Home and the console read it."""

import pytest

from bot.slack.manifest import slash_command_entry
from bot.slack.slash import Command, Example, command_named, help_text
from handlers.command_table import COMMANDS
from handlers.home import how_to

EXAMPLES = [(command, example) for command in COMMANDS for example in command.examples]


@pytest.mark.parametrize(("command", "example"), EXAMPLES, ids=[f"{c.name} {e.args}" for c, e in EXAMPLES])
def test_each_example_parses_as_documented(command: Command, example: Example) -> None:  # type: ignore[type-arg]
    """An example in the table is what the command's parser really makes of that text."""
    assert command.parse(example.args) == example.parsed


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_every_command_is_in_help_and_on_app_home(command: Command) -> None:  # type: ignore[type-arg]
    """Help in both languages, the console's help and App Home's how-to list every form of the command."""
    for form in command.forms:
        assert form.usage in help_text(COMMANDS, "en", surface="slack")
        assert form.usage in help_text(COMMANDS, "ja", surface="slack")
        assert form.usage in help_text(COMMANDS, "en", surface="console")
        assert form.usage in how_to(COMMANDS, "en")
    assert command.examples, "every command carries at least one example"


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_every_row_is_a_valid_manifest_entry(command: Command) -> None:  # type: ignore[type-arg]
    """Each row's name, description and usage hint are within Slack's manifest limits."""
    entry = slash_command_entry(command)
    assert entry["command"] == command.name and entry["should_escape"] is False


def test_command_names_are_unique() -> None:
    """No two rows claim one slash command (Bolt would run only the first listener)."""
    names = [command.name for command in COMMANDS]
    assert len(set(names)) == len(names)


def test_commands_are_found_by_name_whatever_the_case() -> None:
    """The console dispatches through the table, so `/CMERR` is `/cmerr` and `/nosuch` is nothing."""
    assert command_named(COMMANDS, "/CMERR") is not None and command_named(COMMANDS, "/nosuch") is None
