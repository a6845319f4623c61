"""The fleet summary as Slack messages, in English and Japanese: all wording lives here.

`bot.fleet.cluster` returns data; these pure functions turn it into the top message (one line
per cluster stating what its hosts have in common, and since when) and the progress message.
Block Kit limits are the views' (`bot.render.blocks.fit`): 50 blocks, 3,000 characters per section
(docs.slack.dev/reference/block-kit/blocks).
"""

from __future__ import annotations

from datetime import datetime

from bot.fleet.cluster import Cluster, FleetSummary
from bot.render.blocks import Block, Message, cut, escape, fit, language_button
from bot.render.i18n import catalog, phrase, say
from knowledge.explain import knowledge
from knowledge.findings import Lang

MAX_CLUSTERS_SHOWN = 15
HOSTS_PER_CLUSTER = 6

REASON_KINDS = frozenset(
    ("dns", "refused", "auth", "tls", "timeout", "hang", "dropped", "protocol", "script", "config", "other")
)
"""The unreachable reasons with a short line (`fleet.reason.*` in the catalog)."""


def _f(lang: Lang, label: str, **params: str | int | float) -> str:
    """A fleet label from the catalog (`fleet.<label>`)."""
    return say(lang, f"fleet.{label}", dict(params))


def _key_label(lang: Lang, key: str) -> str:
    return _f(lang, f"key.{key}") if catalog().has(f"fleet.key.{key}") else key


def _reason(lang: Lang, kind: str) -> str:
    return _f(lang, f"reason.{kind if kind in REASON_KINDS else 'other'}")


MARKS = {"cause": "❌", "unreachable": "❔", "not_checked": "⛔"}


def _when(moment: datetime) -> str:
    offset = moment.strftime("%z")
    stamp = moment.strftime("%Y-%m-%d %H:%M")
    return f"{stamp} ({offset[:3]}:{offset[3:]})" if offset and offset != "+0000" else f"{stamp} UTC"


def _title(cluster: Cluster, lang: Lang) -> str:
    """The cause's title in `lang`, from its knowledge entry (the cluster keeps only the ID)."""
    entry = knowledge().base.get(cluster.cause)
    return entry.text(lang).title if entry is not None else cluster.title


def denominator(cluster: Cluster, summary: FleetSummary, lang: Lang) -> str:
    """The one line a cluster is about, as plain text (escape it for mrkdwn)."""
    ratio = _f(lang, "ratio", n=len(cluster.hosts), total=summary.total)
    if cluster.kind == "unreachable":
        return _f(lang, "unreachable", ratio=ratio, reason=_reason(lang, cluster.cause))
    if cluster.kind == "not_checked":
        why = phrase(lang, cluster.reason) if cluster.reason else "?"
        return _f(lang, "not_checked", ratio=ratio, reason=cut(why, 200))
    lead = cluster.lead
    if lead is None or not catalog().has(f"fleet.line.{cluster.cause}"):
        if lead is None or len(cluster.hosts) == 1:
            return _f(lang, "generic", ratio=ratio, title=_title(cluster, lang))
        key = _key_label(lang, lead.key)
        return _f(lang, "generic_lead", ratio=ratio, title=_title(cluster, lang), key=key, value=lead.value)
    key = _key_label(lang, lead.key)
    line = _f(lang, f"line.{cluster.cause}", ratio=ratio, value=lead.value, key=key, code=cluster.code or "")
    line = " ".join(line.split())
    return f"{line} → {_f(lang, f'fix.{cluster.cause}')}" if len(cluster.hosts) > 1 else line


def _cluster_block(cluster: Cluster, summary: FleetSummary, lang: Lang) -> Block:
    head = f"{MARKS[cluster.kind]} *{escape(denominator(cluster, summary, lang))}*"
    facts = []
    if cluster.since:
        facts.append(_f(lang, "since", when=_when(cluster.since)))
    if cluster.last_scan:
        facts.append(_f(lang, "last_scan", when=_when(cluster.last_scan)))
    if cluster.shared:
        shared = ", ".join(
            f"{_key_label(lang, f.key)} {escape(cut(f.value, 60))}" for f in cluster.shared[:4]
        )
        facts.append(f"{_f(lang, 'shared')}: {shared}")
    shown = ", ".join(f"`{escape(cut(h, 60))}`" for h in cluster.hosts[:HOSTS_PER_CLUSTER])
    rest = len(cluster.hosts) - HOSTS_PER_CLUSTER
    if rest > 0:
        shown += " " + _f(lang, "more_hosts", count=rest)
    lines = [head, *([" · ".join(facts)] if facts else []), shown]
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut("\n".join(lines), 3000)}}


def _short(cluster: Cluster, lang: Lang) -> str:
    """A cluster in a few words: the cause ID (stable, the same in every language), or why not checked."""
    if cluster.kind == "unreachable":
        return _f(lang, "short_unreachable", reason=_reason(lang, cluster.cause))
    if cluster.kind == "not_checked":
        return say(lang, "outcome.not_checked")
    return cluster.cause


def headline(summary: FleetSummary, lang: Lang) -> str:
    """The top-level `text` (mobile push shows only this): the biggest cluster's line first."""
    parts = [
        denominator(c, summary, lang) if i == 0 else f"{_short(c, lang)} ×{len(c.hosts)}"
        for i, c in enumerate(summary.clusters)
    ]
    if not parts:
        return _f(lang, "healthy", n=len(summary.healthy), total=summary.total)
    return cut(" · ".join(parts[:8]), 600)


def fleet_summary_message(
    summary: FleetSummary,
    lang: Lang,
    *,
    token: str = "",
    export_attached: bool = False,
    lang_token: str = "",
) -> Message:
    """The final top message for many hosts: one section per cluster, biggest first."""
    text = escape(headline(summary, lang))  # the top-level text is mrkdwn too: escaped once
    blocks: list[Block] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{escape(_f(lang, 'title', total=summary.total))}*"},
        }
    ]
    for cluster in summary.clusters[:MAX_CLUSTERS_SHOWN]:
        blocks.append(_cluster_block(cluster, summary, lang))
    hidden = len(summary.clusters) - MAX_CLUSTERS_SHOWN
    notes = []
    if hidden > 0:
        notes.append(_f(lang, "more_clusters", count=hidden))
    notes.append("✅ " + _f(lang, "healthy", n=len(summary.healthy), total=summary.total))
    notes.append(_f(lang, "details") + (" " + _f(lang, "export") if export_attached else ""))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "  ".join(notes)}]})
    buttons: list[Block] = []
    if token:
        buttons.append(_button(say(lang, "ui.rerun"), "cmbot_rerun", token))
    if lang_token:
        buttons.append(_button(language_button(lang), "cmbot_check_lang", lang_token))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return fit(Message(text=text, blocks=blocks))


def _button(label: str, action_id: str, value: str) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": cut(value, 2000),  # Slack's button value limit (tests/slack_limits.yaml)
    }


def fleet_progress_message(summary: FleetSummary, lang: Lang) -> Message:
    """While hosts finish: the count per cluster so far."""
    text = escape(_f(lang, "progress", done=summary.checked, total=summary.total))
    counts = [f"{MARKS[c.kind]} {escape(_short(c, lang))} ×{len(c.hosts)}" for c in summary.clusters[:20]]
    if summary.healthy:
        counts.append(f"✅ ×{len(summary.healthy)}")
    body = " · ".join(counts) or "…"
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "section", "text": {"type": "mrkdwn", "text": cut(body, 3000)}},
    ]
    return fit(Message(text=text, blocks=blocks))


__all__ = ["denominator", "fleet_progress_message", "fleet_summary_message", "headline"]
