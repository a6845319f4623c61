"""The log sections' filters come from the knowledge base: every line a pattern for that log matches passes."""

import asyncio
import base64
import json
import re
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.loader import BUILTIN_DIR, load_entries
from knowledge.stages import builtin_stages
from lab.scenario import load_scenarios
from lab.shell import _log_sources, answer_probe
from lab.testing import Lab
from probes.check import check_host
from probes.facts import LOG_SOURCES
from probes.logfilter import (
    kept_lines,
    passes,
    pattern_keywords,
    section_patterns,
)
from probes.scripts import SCRIPT_DIR, bundle_script

KB = load_entries()
STAGES = builtin_stages()
REGEXES = sorted({regex for source in LOG_SOURCES.values() for regex in section_patterns(source, KB, STAGES)})
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def shipped(script: str) -> dict[str, dict[str, object]]:
    """The log filters a bundle carries, read back from its `$LogSources` line as the lab reads them."""
    found = _log_sources(script)
    assert found is not None, "the bundle carries no $LogSources line"
    return found


def emitted_lines(stdout: str, section: str) -> list[str]:
    """The `lines` of one section in what the lab host printed."""
    for row in stdout.splitlines():
        kind, name, payload = [*row.split(" ", 2), "", ""][:3]
        if kind == "CMBOT-SECTION" and name == section:
            return list(json.loads(base64.b64decode(payload))["lines"])
    raise AssertionError(f"no {section} section printed")


def example_lines(name: str) -> list[tuple[str, str]]:
    """(cause, line) for every example line that one of the cause's patterns for this section's log matches."""
    log = LOG_SOURCES[name].log.lower()
    found = []
    for entry in KB:
        for pattern in entry.patterns:
            if (pattern.log or "").lower() != log:
                continue
            found += [
                (entry.id, x) for x in entry.examples.match if re.search(pattern.regex, x, re.IGNORECASE)
            ]
    for stage in STAGES:
        if any(regex in section_patterns(LOG_SOURCES[name], KB, STAGES) for regex in stage.patterns):
            found += [(f"stage:{stage.id}", x) for x in stage.examples.match]
    return found


@pytest.mark.parametrize("name", sorted(LOG_SOURCES))
def test_every_line_a_pattern_for_the_log_matches_passes_the_bundle_filter(name: str) -> None:
    """Each example line an entry pattern with `log:` this file matches passes the filter the bundle ships.

    Today's PowerShell filters dropped 9 such lines, e.g. WUAHandler.log "Failed to download updates to
    the WUAgent datastore. Error = 0x80246002" (content-hash-mismatch), "Unable to read existing WUA Group
    Policy object" (registry-pol-corrupt), WindowsUpdate.log "*FAILED* [80244007] SyncUpdates_WithRecovery
    failed" (wsus-max-prerequisites) and "WS error: The date in the certificate is invalid" (certificate).
    """
    keywords = shipped(bundle_script())[name]["keywords"]
    assert isinstance(keywords, list)
    lines = example_lines(name)
    assert lines or name == "reporting_events" or name == "content_location"
    dropped = [(cause, line) for cause, line in lines if not passes(line, keywords)]
    assert dropped == []


def test_the_lines_the_old_filters_dropped_pass_now() -> None:
    """The WUAHandler.log and WindowsUpdate.log lines the hand-written Select-String regexes dropped pass."""
    filters = shipped(bundle_script())
    for name, line in [
        ("wuahandler_log", "Failed to download updates to the WUAgent datastore. Error = 0x80246002."),
        ("wuahandler_log", "Unable to read existing WUA Group Policy object. Error = 0x800703ee."),
        ("wuahandler_log", "WARNING: WU client failed to install updates with error 0x80004002"),
        ("wuahandler_log", "CWuaHandler::SetCategoriesForStateReportingExclusion"),
        ("windowsupdate_log", "FATAL: CBS called Error with 0x800f0831"),
        ("windowsupdate_log", "*FAILED* [80244007] SyncUpdates_WithRecovery failed"),
        ("windowsupdate_log", "Failed WS error: The date in the certificate is invalid or has expired"),
    ]:
        assert passes(line, filters[name]["keywords"]), (name, line)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_string_a_pattern_matches_holds_one_of_its_keywords(data: st.DataObject) -> None:
    """Strings hypothesis builds to match a section's pattern (case-insensitively) all hold one of its keywords."""
    regex = data.draw(st.sampled_from(REGEXES))
    keywords = pattern_keywords(regex)
    assert keywords is not None, f"a built-in pattern for a log section has no keyword: {regex}"
    text = data.draw(st.from_regex(re.compile(regex, re.IGNORECASE)).filter(lambda s: "\n" not in s))
    assert passes(text, sorted(keywords)), (regex, text, keywords)


def test_keywords_read_python_only_syntax() -> None:
    """Possessive quantifiers, named groups and lookarounds give the literals every match holds."""
    assert pattern_keywords(r"(?P<verb>Scan failed)\s*+with error") == {"scan failed"}
    assert pattern_keywords(r"(?:^|[^A-Za-z])(SendRequest|WS error) [^\n]*503") == {"sendrequest", "ws error"}
    assert pattern_keywords(r"(?<=\] )Failed to end search job(?!s)") == {"failed to end search job"}
    assert pattern_keywords(r"0x8024[0-9a-f]{4}") == {"0x8024"}
    assert (
        pattern_keywords(r"\d+ [a-z]+") is None
    )  # nothing literal enough: such a section is read unfiltered


def test_a_pattern_without_a_literal_leaves_its_section_unfiltered(tmp_path: Path) -> None:
    """An entry pattern for WUAHandler.log with no literal makes that section keep every line (never drop one)."""
    entry = yaml.safe_load((BUILTIN_DIR / "sup-scan-timeout.yaml").read_text(encoding="utf-8"))
    entry["patterns"].append({"regex": r"\d{5,} [a-z]+", "confidence": 0.5, "log": "WUAHandler.log"})
    (tmp_path / "sup-scan-timeout.yaml").write_text(
        yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8"
    )
    filters = shipped(bundle_script(load_entries([tmp_path])))
    assert filters["wuahandler_log"]["keywords"] is None
    assert filters["ccmmessaging_log"]["keywords"]


def test_adding_a_pattern_changes_the_filter_with_no_script_edit(tmp_path: Path) -> None:
    """A new WUAHandler.log pattern in a copied entry reaches the bundle's filter; no .ps1 changes."""
    scripts_before = {p.name: p.read_text(encoding="utf-8") for p in SCRIPT_DIR.rglob("*.ps1")}
    line = '<![LOG[WSUS catalog handshake rejected: quota 7 reached.]LOG]!><time="03:15:00.000-540" date="11-22-2026">'
    entry = yaml.safe_load((BUILTIN_DIR / "sup-too-many-round-trips.yaml").read_text(encoding="utf-8"))
    entry["patterns"].append(
        {"regex": r"catalog handshake rejected: quota \d+", "confidence": 0.9, "log": "WUAHandler.log"}
    )
    entry["examples"]["match"].append(line)
    (tmp_path / "sup-too-many-round-trips.yaml").write_text(
        yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8"
    )
    builtin, extended = bundle_script(), bundle_script(load_entries([tmp_path]))
    assert "catalog handshake rejected: quota " in shipped(extended)["wuahandler_log"]["keywords"]  # type: ignore[operator]
    assert not passes(line, shipped(builtin)["wuahandler_log"]["keywords"])  # type: ignore[arg-type]
    # Only the $LogSources line differs; every section script is the same file as before.
    differ = [a for a, b in zip(builtin.splitlines(), extended.splitlines(), strict=True) if a != b]
    assert len(differ) == 1 and differ[0].startswith("$LogSources = ")
    assert {p.name: p.read_text(encoding="utf-8") for p in SCRIPT_DIR.rglob("*.ps1")} == scripts_before
    # The lab keeps the line for the bundle that carries the new filter, and drops it for the built-in one.
    healthy = next(s for s in load_scenarios() if s.name == "lab-healthy")
    host = healthy.model_copy(update={"state": {**healthy.state, "wuahandler_log": {"lines": [line]}}})
    assert emitted_lines(
        answer_probe("bundle", host, {}, _log_sources(extended)).stdout, "wuahandler_log"
    ) == [line]
    assert (
        emitted_lines(answer_probe("bundle", host, {}, _log_sources(builtin)).stdout, "wuahandler_log") == []
    )


def test_the_filter_is_one_single_quoted_literal() -> None:
    """The `$LogSources` line parses as one verbatim (single-quoted) string of base64 characters."""
    line = next(x for x in bundle_script().splitlines() if x.startswith("$LogSources = "))
    tree = PARSER.parse(line.encode("utf-8"))
    literals = []

    def walk(node: tree_sitter.Node) -> None:
        if node.type == "verbatim_string_characters" and node.text is not None:
            literals.append(node.text.decode())
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    assert not tree.root_node.has_error
    assert len(literals) == 1 and re.fullmatch(r"'[A-Za-z0-9+/=]+'", literals[0])


def test_lab_keeps_what_the_filter_keeps() -> None:
    """A scenario's log lines stand as in the file: the lab keeps what the bundle's filter passes, the last N."""
    spec = shipped(bundle_script())["wuahandler_log"]
    lines = [f"Scan failed with error = 0x80244010 #{i}" for i in range(50)] + [
        "Its a WSUS Update Source type"
    ]
    assert kept_lines(lines, spec) == lines[10:50]


def test_live_check_reaches_a_cause_the_old_filter_dropped(full_lab: Lab) -> None:
    """Over WinRM, the lab host emits the registry.pol failure and not the info line; the check names the cause."""
    report = asyncio.run(check_host("lab-registry-pol-corrupt", deadline_s=20, config=full_lab.probes))
    assert report.facts is not None
    lines = report.facts["wuahandler_log"]["lines"]
    assert len(lines) == 1 and "Unable to read existing WUA Group Policy object" in lines[0]
    assert report.findings and report.findings[0].id == "registry-pol-corrupt"


def test_stage_lines_without_an_entry_pattern_pass() -> None:
    """A scan-stage failure line whose code only the stage reasons about passes the WUAHandler.log filter."""
    keywords = shipped(bundle_script())["wuahandler_log"]["keywords"]
    assert passes("Scan failed with error = 0x8024401f.", keywords)  # type: ignore[arg-type]
