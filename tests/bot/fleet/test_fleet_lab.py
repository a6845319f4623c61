"""A lab fleet built to fail in two clusters: 30 hosts behind one 503 SUP, 8 with a full cache,
2 unreachable, checked for real over WinRM and summarized in English and Japanese."""

import asyncio
import os
from collections.abc import Iterator

import pytest

from bot.fleet.cluster import FleetSummary, summarize
from bot.fleet.view import fleet_summary_message
from knowledge.findings import Lang
from lab.fleet import fleet_scenarios
from lab.testing import run_lab
from probes.check import check_hosts
from probes.report import HostReport

FLEET = {"sup-service-unavailable": 30, "cache-too-small": 8, "winrm-refused": 2}


@pytest.fixture(scope="module")
def fleet_reports() -> Iterator[dict[Lang, list[HostReport]]]:
    """The 40 hosts checked once per language through the real WinRM client."""
    scenarios = fleet_scenarios(FLEET)
    with run_lab(scenarios) as lab:
        previous = os.environ.get("CMBOT_INVENTORY")
        os.environ["CMBOT_INVENTORY"] = str(lab.inventory_path)
        try:
            names = [s.name for s in scenarios]

            async def both() -> dict[Lang, list[HostReport]]:
                reports = await check_hosts(names, deadline_s=20)  # language-free: one check, two renderings
                return {"en": reports, "ja": reports}

            yield asyncio.run(both())
        finally:
            if previous is None:
                os.environ.pop("CMBOT_INVENTORY", None)
            else:
                os.environ["CMBOT_INVENTORY"] = previous


def _summary(reports: list[HostReport]) -> FleetSummary:
    return summarize(reports)


def test_two_clusters_and_the_unreachable_pair(fleet_reports: dict[Lang, list[HostReport]]) -> None:
    """The summary has the SUP cluster (30, shared SUP), the cache cluster (8, shared cache size), the pair."""
    summary = _summary(fleet_reports["en"])
    sup, cache, unreachable = summary.clusters
    assert (sup.cause, len(sup.hosts)) == ("sup-service-unavailable", 30)
    assert sup.lead is not None and (sup.lead.key, sup.lead.value) == ("sup", "sup01.contoso.com:8530")
    assert sup.code == "0x80244022" and sup.since is not None
    assert (cache.cause, len(cache.hosts)) == ("cache-too-small", 8)
    assert cache.lead is not None and (cache.lead.key, cache.lead.value) == ("cache_mb", "5120")
    assert (unreachable.kind, unreachable.cause, len(unreachable.hosts)) == ("unreachable", "refused", 2)


def test_english_summary_names_both_clusters(fleet_reports: dict[Lang, list[HostReport]]) -> None:
    """English: one line per cluster with its shared fact, and the unreachable pair by name."""
    message = fleet_summary_message(_summary(fleet_reports["en"]), "en")
    body = "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")
    assert message.text.startswith(
        "30/40 fail the scan against sup01.contoso.com:8530 with 0x80244022 (HTTP 503) → the SUP, not the clients"
    )
    assert "8/40 have a 5120 MB ccmcache, too small for the content → the client cache setting" in body
    assert "2/40 unreachable: the WinRM port refused the connection" in body
    assert "`fleet-winrm-refused-01`, `fleet-winrm-refused-02`" in body
    assert "since 2026-11-22 03:15 (+09:00)" in body


def test_japanese_summary_names_both_clusters(fleet_reports: dict[Lang, list[HostReport]]) -> None:
    """Japanese: the same clusters and facts, worded in Japanese."""
    message = fleet_summary_message(_summary(fleet_reports["ja"]), "ja")
    body = "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")
    assert message.text.startswith(
        "30/40 台が sup01.contoso.com:8530 へのスキャンで 0x80244022 (HTTP 503) により失敗 → クライアントではなく SUP の問題"
    )
    assert "8/40 台の ccmcache が 5120 MB でコンテンツが入りません" in body
    assert "2/40 台に接続できません: WinRM ポートが接続を拒否しました" in body
    assert "2026-11-22 03:15 (+09:00) から" in body
