"""The PowerShell tier a fleet clusters on comes from the bootstrap's host line of a real check."""

from __future__ import annotations

import asyncio

from bot.fleet.keys import shared_fact_keys
from lab.testing import Lab
from probes.check import check_host


def test_a_checked_host_carries_its_powershell_tier(lab: Lab) -> None:
    """A 5.1 lab host's report holds its PowerShell version and language mode, and the fleet key."""
    report = asyncio.run(check_host("lab-healthy", deadline_s=20, config=lab.probes))
    assert report.facts is not None
    assert report.facts["powershell"] == {"version": "5.1.22621.4249", "language_mode": "FullLanguage"}
    assert shared_fact_keys(report.facts)["powershell"].startswith("5.1")
