"""`slack-manifest.yml` is what the command table generates, within Slack's manifest limits, so the
commands the app serves and the commands Slack offers cannot drift apart."""

import dataclasses
from pathlib import Path

import pytest
import yaml

from bot.cli.main import main
from bot.slack.manifest import ManifestError, manifest, manifest_yaml, request_url_for
from handlers.command_table import CMERR, COMMANDS

CHECKED_IN = Path(__file__).parents[3] / "slack-manifest.yml"


def test_the_checked_in_manifest_is_what_the_table_generates() -> None:
    """Byte for byte: a changed row fails here until `cmbot manifest --output slack-manifest.yml` runs."""
    assert CHECKED_IN.read_text(encoding="utf-8") == manifest_yaml(COMMANDS)


def test_manifest_check_names_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`cmbot manifest --check` passes on the checked-in file and, on a stale one, says how to regenerate it."""
    assert main(["manifest", "--check", str(CHECKED_IN)]) == 0
    stale = tmp_path / "slack-manifest.yml"
    stale.write_text(manifest_yaml(COMMANDS[:2]), encoding="utf-8")
    assert main(["manifest", "--check", str(stale)]) == 1
    assert f"run: cmbot manifest --output {stale}" in capsys.readouterr().err


def test_manifest_output_writes_the_file(tmp_path: Path) -> None:
    """`cmbot manifest --output PATH` writes exactly what `cmbot manifest` prints."""
    written = tmp_path / "m.yml"
    assert main(["manifest", "--output", str(written)]) == 0
    assert written.read_text(encoding="utf-8") == manifest_yaml(COMMANDS)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "cmerr"}, "command"),  # must start with "/"
        ({"name": "/" + "x" * 32}, "command"),  # 2-32 characters
        ({"usage_hint": "x" * 1001}, "usage_hint"),  # 1-1000
        ({"usage_hint": ""}, "usage_hint"),
        ({"description": "x" * 2001}, "description"),  # 1-2000
    ],
)
def test_a_row_slack_would_refuse_is_named_with_its_field(change: dict[str, str], field: str) -> None:
    """Slack's limits (slackapi/manifest-schema:schemas/manifest.schema.1.0.0.json) are checked per row,
    and the error names the row and the field."""
    row = dataclasses.replace(CMERR, **change)  # type: ignore[arg-type]
    with pytest.raises(ManifestError, match=rf"row '{row.name}': {field}:"):
        manifest((*COMMANDS[:1], row))


def test_two_rows_with_one_name_are_refused() -> None:
    """A command named twice cannot be generated (Slack keeps one; Bolt would run only one listener)."""
    with pytest.raises(ManifestError, match="twice"):
        manifest((*COMMANDS, CMERR))


def test_http_manifest_sets_every_request_url_and_turns_socket_mode_off() -> None:
    """For HTTP serving, each command, the events and interactivity post to the app's one URL."""
    url = request_url_for("https://cmbot.example.com/")
    assert url == "https://cmbot.example.com/slack/events"
    generated = yaml.safe_load(manifest_yaml(COMMANDS, request_url=url))
    assert {c["url"] for c in generated["features"]["slash_commands"]} == {url}
    assert generated["settings"]["event_subscriptions"]["request_url"] == url
    assert generated["settings"]["interactivity"]["request_url"] == url
    assert generated["settings"]["socket_mode_enabled"] is False


def test_fixed_parts_are_within_slacks_limits() -> None:
    """App name ≤ 35, description ≤ 140, bot name ≤ 80, shortcut name ≤ 24 and its description ≤ 150
    characters (slackapi/manifest-schema:schemas/manifest.schema.1.0.0.json)."""
    generated = manifest(COMMANDS)
    display = generated["display_information"]
    assert 1 <= len(display["name"]) <= 35 and 1 <= len(display["description"]) <= 140
    assert 1 <= len(generated["features"]["bot_user"]["display_name"]) <= 80
    for shortcut in generated["features"]["shortcuts"]:
        assert 1 <= len(shortcut["name"]) <= 24 and 1 <= len(shortcut["description"]) <= 150
        assert shortcut["type"] in ("message", "global")
