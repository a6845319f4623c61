"""The fleet summary stays within Block Kit limits for 500 hosts in many clusters, in both languages,
and escapes what the machines and users control."""

import json

import pytest

from bot.fleet.cluster import summarize
from bot.fleet.view import fleet_progress_message, fleet_summary_message
from bot.render.blocks import MAX_BLOCK_JSON_CHARS, MAX_BLOCKS, MAX_SECTION_CHARS, MAX_TEXT_CHARS
from knowledge.findings import Lang
from probes.report import HostReport
from tests.bot.fleet._reports import scenario_report, unreachable_report

STEMS = [
    "sup-service-unavailable",
    "sup-scan-timeout",
    "sup-unreachable",
    "cache-too-small",
    "mp-unreachable",
    "dual-scan",
    "pending-reboot",
    "disk-space-low",
    "healthy",
]
REASONS = ["refused", "dns", "auth", "tls", "timeout"]


def _fleet(lang: Lang, size: int = 500) -> list[HostReport]:
    """500 hosts over 9 scenarios, 40 different SUPs and 5 unreachable reasons: ~100 clusters."""
    reports = []
    for index in range(size):
        if index % 10 == 9:
            reports.append(unreachable_report(f"pc-{index:04d}", REASONS[index % len(REASONS)]))
            continue
        stem = STEMS[index % len(STEMS)]
        sup = f"http://wsus{index % 40:02d}.corp.example:8530"
        reports.append(scenario_report(stem, f"pc-{index:04d}-{'x' * 40}", sup=sup, lang=lang))
    return reports


def _within_limits(message: dict[str, object]) -> None:
    blocks = message["blocks"]
    assert isinstance(blocks, list) and 0 < len(blocks) <= MAX_BLOCKS
    assert len(json.dumps(blocks, ensure_ascii=False)) <= MAX_BLOCK_JSON_CHARS
    assert 0 < len(str(message["text"])) <= MAX_TEXT_CHARS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_CHARS


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_500_hosts_fit_block_kit(lang: Lang) -> None:
    """500 hosts in ~100 clusters: the summary and the progress message stay within every limit."""
    summary = summarize(_fleet(lang))
    assert summary.total == 500 and len(summary.clusters) > 50
    final = fleet_summary_message(summary, lang, token="rerun:" + " ".join(r.host for r in summary.rows))
    _within_limits(final.as_kwargs())
    _within_limits(fleet_progress_message(summary, lang).as_kwargs())
    more = "more clusters" if lang == "en" else "グループ"
    assert more in json.dumps(final.blocks, ensure_ascii=False)


def test_sup_clusters_split_by_server() -> None:
    """Hosts failing against two SUPs give two clusters, each naming its own server."""
    reports = [
        scenario_report("sup-service-unavailable", f"a-{n}", sup="http://wsus02.corp:8530") for n in range(31)
    ] + [
        scenario_report("sup-service-unavailable", f"b-{n}", sup="http://wsus03.corp:8530") for n in range(5)
    ]
    reports += [scenario_report("healthy", f"ok-{n}") for n in range(4)]
    summary = summarize(reports)
    first, second = summary.clusters
    assert [(c.lead.value if c.lead else None, len(c.hosts)) for c in (first, second)] == [
        ("wsus02.corp:8530", 31),
        ("wsus03.corp:8530", 5),
    ]
    assert fleet_summary_message(summary, "en").text.startswith(
        "31/40 fail the scan against wsus02.corp:8530 with 0x80244022 (HTTP 503) → the SUP, not the clients"
    )


def test_machine_text_is_escaped() -> None:
    """A host name or a fact value with <!channel> or a link never becomes a mention or a link."""
    hostile = scenario_report("sup-service-unavailable", "pc-1", sup="http://<!channel>:8530")
    other = scenario_report("sup-service-unavailable", "<https://evil.example|pc-2>")
    message = fleet_summary_message(summarize([hostile, other]), "en")
    blocks = json.dumps(message.blocks)
    assert "<!channel>" not in blocks and "<https://evil" not in blocks
    assert "<" not in message.text  # the top-level text is mrkdwn as well
    assert "&lt;https://evil.example|pc-2&gt;" in blocks
