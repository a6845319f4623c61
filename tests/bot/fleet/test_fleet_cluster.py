"""Clustering from facts alone: what a cluster's hosts share that the rest of the fleet does not,
the per-host timeline, and a facts adapter that tolerates missing and future fields."""

from datetime import UTC, datetime

from bot.fleet.cluster import summarize
from bot.fleet.keys import shared_fact_keys, timeline_of
from bot.fleet.view import fleet_summary_message
from bot.render.i18n import phrase
from probes.check import not_checked_report
from probes.report import HostReport
from tests.bot.fleet._reports import scenario_report, unreachable_report


def test_distinctive_fact_is_named() -> None:
    """Three dual-scan hosts all behind wsus09 while the rest use sup01: the cluster says so."""
    reports = [scenario_report("dual-scan", f"ds-{n}", sup="http://wsus09.corp:8530") for n in range(3)]
    reports += [scenario_report("healthy", f"ok-{n}") for n in range(7)]
    (cluster,) = summarize(reports).clusters
    assert cluster.lead is None
    assert [(f.key, f.value) for f in cluster.shared] == [("sup", "wsus09.corp:8530")]
    text = str(fleet_summary_message(summarize(reports), "en").blocks)
    assert "shared: SUP wsus09.corp:8530" in text


def test_out_of_memory_cluster_leads_with_the_architecture() -> None:
    """The 32-bit scan out-of-memory cause clusters on the architecture its hosts share."""
    reports = [scenario_report("wua-scan-out-of-memory", f"w7-{n}") for n in range(4)]
    reports += [scenario_report("healthy", f"ok-{n}") for n in range(4)]
    (cluster,) = summarize(reports).clusters
    assert cluster.lead is not None and (cluster.lead.key, cluster.lead.value) == ("architecture", "x86")


def test_unreachable_hosts_cluster_by_reason() -> None:
    """Refused, DNS and TLS failures are three clusters, biggest first, after the causes."""
    reports = [unreachable_report(f"r-{n}", "refused") for n in range(3)]
    reports += [
        unreachable_report("d-1", "dns"),
        unreachable_report("t-1", "tls"),
        unreachable_report("t-2", "tls"),
    ]
    reports.append(scenario_report("cache-too-small", "c-1"))
    clusters = summarize(reports).clusters
    assert [(c.kind, c.cause, len(c.hosts)) for c in clusters] == [
        ("cause", "cache-too-small", 1),
        ("unreachable", "refused", 3),
        ("unreachable", "tls", 2),
        ("unreachable", "dns", 1),
    ]


def test_timeline_from_facts_and_evidence() -> None:
    """Last scan from the facts, first and last error from the cause's evidence timestamps."""
    report = scenario_report("sup-service-unavailable", "s-1")
    timeline = timeline_of(report)
    assert timeline.last_scan == datetime(2026, 11, 22, 1, 15, tzinfo=UTC)
    assert (
        timeline.first_error is not None and timeline.first_error.isoformat() == "2026-11-22T03:15:00+09:00"
    )
    assert timeline.last_install is None and timeline.last_policy_change is None


def test_adapter_tolerates_missing_and_future_fields() -> None:
    """No facts, an empty section, and fields the probes may add later (PowerShell, IP) all work."""
    assert shared_fact_keys(None) == {} and shared_fact_keys({"mp": None, "platform": {}}) == {}
    keys = shared_fact_keys(
        {
            "update_source": {"wu_server": "https://WSUS02.corp:8531"},
            "platform": {"powershell_version": "5.1.19041.1", "language_mode": "ConstrainedLanguage"},
            "network": {"ip_address": ["10.20.30.40/22"]},
        }
    )
    assert keys == {"sup": "wsus02.corp:8531", "subnet": "10.20.28.0/22", "powershell": "5.1 CLM"}
    bare = HostReport(host="h", reachable=True, facts={"update_status": {"last_scan": "nonsense"}})
    assert timeline_of(bare).last_scan is None


def test_not_checked_hosts_cluster_by_why() -> None:
    """Hosts cmbot refused to check cluster by the reason the check gave, and the line says it."""
    unknown = [not_checked_report(f"pc-{n}", "not a known host: add it to the inventory") for n in range(3)]
    bad = not_checked_report("x y", "'x y' is not a valid host name")
    summary = summarize([*unknown, bad])
    assert [(c.kind, phrase("en", c.reason) if c.reason else "", len(c.hosts)) for c in summary.clusters] == [
        ("not_checked", "not a known host: add it to the inventory", 3),
        ("not_checked", "'x y' is not a valid host name", 1),
    ]
    assert fleet_summary_message(summary, "en").text.startswith(
        "3/4 not checked: not a known host: add it to the inventory"
    )
