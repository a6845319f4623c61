"""Issue 12: a knowledge entry's `probes:` field says which probe sections show its cause, and it is
true: every name is a section the bundle reads (or `transport`, the WinRM connection itself), and
every live check that reports a cause reads only sections that cause's entry names."""

from knowledge.loader import load_entries
from lab.scenario import CANNOT_CHECK, load_scenarios
from probes.diagnosis import CHECKS, diagnose
from probes.facts import SECTIONS, build_facts

TRANSPORT = "transport"
"""Not a section: the WinRM connection and logon (winrm-unreachable is told by the transport)."""


def test_every_entry_names_real_probe_sections() -> None:
    wrong = {
        entry.id: unknown
        for entry in load_entries()
        if (unknown := [p for p in entry.probes if p not in SECTIONS and p != TRANSPORT])
    }
    assert wrong == {}, f"knowledge/entries/<id>.yaml probes: use section names from probes/facts.py: {wrong}"


def test_the_checks_that_report_a_cause_read_what_its_entry_names() -> None:
    """Each lab scenario's facts, diagnosed: a check item naming a cause needs only sections that
    cause's entry lists in `probes:`."""
    kb = load_entries()
    requires = {check.id: set(check.requires) for check in CHECKS}
    missing: dict[str, set[str]] = {}
    seen = 0
    for scenario in load_scenarios():
        if scenario.scenario in ("healthy", CANNOT_CHECK):
            continue
        items, _ = diagnose(build_facts(scenario.sections, expected=False))
        for item in items:
            entry = kb.get(item.cause) if item.cause else None
            if entry is None:
                continue
            seen += 1
            if extra := requires[item.check] - set(entry.probes):
                missing.setdefault(entry.id, set()).update(extra)
    assert seen >= 15
    assert missing == {}, f"add these sections to the entries' probes: {missing}"
