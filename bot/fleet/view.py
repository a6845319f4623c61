"""The fleet summary as Slack messages, in English and Japanese: all wording lives here.

`bot.fleet.cluster` returns data; these pure functions turn it into the top message (one line
per cluster stating what its hosts have in common, and since when) and the progress message.
Block Kit limits are the views' (`bot.render.blocks.fit`): 50 blocks, 3,000 characters per section
(docs.slack.dev/reference/block-kit/blocks).
"""

from __future__ import annotations

from datetime import datetime

from bot.fleet.cluster import Cluster, FleetSummary
from bot.render.blocks import Block, Message, cut, escape, fit
from bot.render.i18n import phrase
from knowledge.explain import knowledge
from knowledge.findings import Lang

MAX_CLUSTERS_SHOWN = 15
HOSTS_PER_CLUSTER = 6

_L: dict[Lang, dict[str, str]] = {
    "en": {
        "ratio": "{n}/{total}",
        "more_hosts": "+{count} more",
        "since": "since {when}",
        "last_scan": "last scan {when}",
        "shared": "shared",
        "healthy": "{n}/{total} healthy",
        "unreachable": "{ratio} unreachable: {reason}",
        "not_checked": "{ratio} not checked: {reason}",
        "generic": "{ratio}: {title}",
        "generic_lead": "{ratio}: {title}, all with {key} {value}",
        "short_unreachable": "unreachable ({reason})",
        "more_clusters": "+{count} more clusters (in the attached table)",
        "progress": "⏳ {done}/{total} hosts checked",
        "details": "Per-host detail is in the thread.",
        "export": "The whole table (CSV and JSON) is attached in the thread.",
        "title": "{total} hosts checked",
        "rerun": "Re-run",
    },
    "ja": {
        "ratio": "{n}/{total} 台",
        "more_hosts": "ほか {count} 台",
        "since": "{when} から",
        "last_scan": "最終スキャン {when}",
        "shared": "共通",
        "healthy": "{n}/{total} 台が正常",
        "unreachable": "{ratio}に接続できません: {reason}",
        "not_checked": "{ratio}はチェックしていません: {reason}",
        "generic": "{ratio}: {title}",
        "generic_lead": "{ratio}: {title} (すべて {key} {value})",
        "short_unreachable": "接続不可 ({reason})",
        "more_clusters": "ほか {count} グループ (添付の表を参照)",
        "progress": "⏳ {done}/{total} 台のチェックが完了",
        "details": "ホストごとの詳細はスレッドにあります。",
        "export": "表全体 (CSV と JSON) をスレッドに添付しました。",
        "title": "{total} 台をチェックしました",
        "rerun": "再実行",
    },
}

_CAUSE_LINES: dict[str, dict[Lang, tuple[str, str]]] = {
    # (what the hosts share, → where the fix is); {code} may be empty
    "sup-service-unavailable": {
        "en": ("{ratio} fail the scan against {value} with {code} (HTTP 503)", "the SUP, not the clients"),
        "ja": (
            "{ratio}が {value} へのスキャンで {code} (HTTP 503) により失敗",
            "クライアントではなく SUP の問題",
        ),
    },
    "sup-scan-timeout": {
        "en": (
            "{ratio} time out scanning against {value} {code}",
            "the SUP or the path to it, not the clients",
        ),
        "ja": (
            "{ratio}が {value} へのスキャンでタイムアウト {code}",
            "クライアントではなく SUP か経路の問題",
        ),
    },
    "sup-unreachable": {
        "en": ("{ratio} cannot reach the SUP {value}", "the SUP or the path to it, not the clients"),
        "ja": ("{ratio}が SUP {value} に到達できません", "クライアントではなく SUP か経路の問題"),
    },
    "sup-gpo-override": {
        "en": ("{ratio} scan against {value}, set by a domain GPO", "the GPO, not the clients"),
        "ja": (
            "{ratio}がドメイン GPO で指定された {value} に対してスキャン",
            "クライアントではなく GPO の問題",
        ),
    },
    "wsus-too-old-for-wua": {
        "en": ("{ratio} fail against {value} with {code}", "the WSUS version on the SUP"),
        "ja": ("{ratio}が {value} に対して {code} で失敗", "SUP の WSUS のバージョンの問題"),
    },
    "mp-unreachable": {
        "en": ("{ratio} cannot talk to the management point {value}", "the MP, not the clients"),
        "ja": ("{ratio}が管理ポイント {value} と通信できません", "クライアントではなく管理ポイントの問題"),
    },
    "cache-too-small": {
        "en": (
            "{ratio} have a {value} MB ccmcache, too small for the content",
            "the client cache setting, not the network",
        ),
        "ja": (
            "{ratio}の ccmcache が {value} MB でコンテンツが入りません",
            "ネットワークではなくクライアント キャッシュ設定の問題",
        ),
    },
    "content-location-empty": {
        "en": (
            "{ratio} get no content location ({key} {value})",
            "the boundary group or the DP, not the clients",
        ),
        "ja": (
            "{ratio}がコンテンツの場所を受け取れません ({key} {value})",
            "クライアントではなく境界グループか DP の問題",
        ),
    },
    "wua-scan-out-of-memory": {
        "en": ("{ratio} run out of memory while scanning ({key} {value})", "32-bit WUA: see the workarounds"),
        "ja": ("{ratio}がスキャン中にメモリ不足 ({key} {value})", "32 ビットの WUA: 回避策を参照"),
    },
}

KEY_LABELS: dict[Lang, dict[str, str]] = {
    "en": {
        "sup": "SUP",
        "mp": "MP",
        "content_location": "content location",
        "boundary_group": "boundary group",
        "subnet": "subnet",
        "os_build": "OS",
        "architecture": "arch",
        "client_version": "client",
        "powershell": "PowerShell",
        "site_code": "site",
        "cache_mb": "cache MB",
        "wua_version": "WUA",
    },
    "ja": {
        "sup": "SUP",
        "mp": "管理ポイント",
        "content_location": "コンテンツの場所",
        "boundary_group": "境界グループ",
        "subnet": "サブネット",
        "os_build": "OS",
        "architecture": "アーキテクチャ",
        "client_version": "クライアント",
        "powershell": "PowerShell",
        "site_code": "サイト",
        "cache_mb": "キャッシュ MB",
        "wua_version": "WUA",
    },
}

REASONS: dict[Lang, dict[str, str]] = {
    "en": {
        "dns": "the host name did not resolve (DNS)",
        "refused": "the WinRM port refused the connection",
        "auth": "the WinRM credentials were rejected (HTTP 401)",
        "tls": "the TLS certificate could not be verified",
        "timeout": "WinRM kept timing out",
        "hang": "the machine stopped answering",
        "dropped": "the connection was dropped",
        "protocol": "the WinRM service answered with an error",
        "script": "the probe script failed on the machine",
        "config": "cmbot refuses this host's WinRM settings",
        "other": "cmbot could not connect",
    },
    "ja": {
        "dns": "ホスト名を解決できません (DNS)",
        "refused": "WinRM ポートが接続を拒否しました",
        "auth": "WinRM の資格情報が拒否されました (HTTP 401)",
        "tls": "TLS 証明書を検証できません",
        "timeout": "WinRM がタイムアウトし続けました",
        "hang": "マシンが応答しなくなりました",
        "dropped": "接続が切断されました",
        "protocol": "WinRM サービスがエラーを返しました",
        "script": "プローブ スクリプトがマシン上で失敗しました",
        "config": "このホストの WinRM 設定は cmbot が拒否します",
        "other": "cmbot が接続できません",
    },
}

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
    labels = _L[lang]
    ratio = labels["ratio"].format(n=len(cluster.hosts), total=summary.total)
    if cluster.kind == "unreachable":
        reason = REASONS[lang].get(cluster.cause, REASONS[lang]["other"])
        return labels["unreachable"].format(ratio=ratio, reason=reason)
    if cluster.kind == "not_checked":
        why = phrase(lang, cluster.reason) if cluster.reason else "?"
        return labels["not_checked"].format(ratio=ratio, reason=cut(why, 200))
    lead = cluster.lead
    template = _CAUSE_LINES.get(cluster.cause, {}).get(lang)
    if lead is None or template is None:
        if lead is None or len(cluster.hosts) == 1:
            return labels["generic"].format(ratio=ratio, title=_title(cluster, lang))
        key = KEY_LABELS[lang].get(lead.key, lead.key)
        return labels["generic_lead"].format(
            ratio=ratio, title=_title(cluster, lang), key=key, value=lead.value
        )
    what, where = template
    key = KEY_LABELS[lang].get(lead.key, lead.key)
    line = what.format(ratio=ratio, value=lead.value, key=key, code=cluster.code or "").strip()
    line = " ".join(line.split())
    return f"{line} → {where}" if len(cluster.hosts) > 1 else line


def _cluster_block(cluster: Cluster, summary: FleetSummary, lang: Lang) -> Block:
    labels = _L[lang]
    head = f"{MARKS[cluster.kind]} *{escape(denominator(cluster, summary, lang))}*"
    facts = []
    if cluster.since:
        facts.append(labels["since"].format(when=_when(cluster.since)))
    if cluster.last_scan:
        facts.append(labels["last_scan"].format(when=_when(cluster.last_scan)))
    if cluster.shared:
        names = KEY_LABELS[lang]
        shared = ", ".join(
            f"{names.get(f.key, f.key)} {escape(cut(f.value, 60))}" for f in cluster.shared[:4]
        )
        facts.append(f"{labels['shared']}: {shared}")
    shown = ", ".join(f"`{escape(cut(h, 60))}`" for h in cluster.hosts[:HOSTS_PER_CLUSTER])
    rest = len(cluster.hosts) - HOSTS_PER_CLUSTER
    if rest > 0:
        shown += " " + labels["more_hosts"].format(count=rest)
    lines = [head, *([" · ".join(facts)] if facts else []), shown]
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut("\n".join(lines), 3000)}}


def _short(cluster: Cluster, lang: Lang) -> str:
    if cluster.kind == "unreachable":
        return _L[lang]["short_unreachable"].format(reason=cluster.cause)
    return cluster.cause


def headline(summary: FleetSummary, lang: Lang) -> str:
    """The top-level `text` (mobile push shows only this): the biggest cluster's line first."""
    labels = _L[lang]
    parts = [
        denominator(c, summary, lang) if i == 0 else f"{_short(c, lang)} ×{len(c.hosts)}"
        for i, c in enumerate(summary.clusters)
    ]
    if not parts:
        return labels["healthy"].format(n=len(summary.healthy), total=summary.total)
    return cut(" · ".join(parts[:8]), 600)


def fleet_summary_message(
    summary: FleetSummary, lang: Lang, *, token: str = "", export_attached: bool = False
) -> Message:
    """The final top message for many hosts: one section per cluster, biggest first."""
    labels = _L[lang]
    text = escape(headline(summary, lang))  # the top-level text is mrkdwn too: escaped once
    blocks: list[Block] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{escape(labels['title'].format(total=summary.total))}*"},
        }
    ]
    for cluster in summary.clusters[:MAX_CLUSTERS_SHOWN]:
        blocks.append(_cluster_block(cluster, summary, lang))
    hidden = len(summary.clusters) - MAX_CLUSTERS_SHOWN
    notes = []
    if hidden > 0:
        notes.append(labels["more_clusters"].format(count=hidden))
    notes.append("✅ " + labels["healthy"].format(n=len(summary.healthy), total=summary.total))
    notes.append(labels["details"] + (" " + labels["export"] if export_attached else ""))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "  ".join(notes)}]})
    if token:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": labels["rerun"]},
                        "action_id": "cmbot_rerun",
                        "value": cut(token, 2000),
                    }
                ],
            }
        )
    return fit(Message(text=text, blocks=blocks))


def fleet_progress_message(summary: FleetSummary, lang: Lang) -> Message:
    """While hosts finish: the count per cluster so far."""
    labels = _L[lang]
    text = escape(labels["progress"].format(done=summary.checked, total=summary.total))
    counts = [f"{MARKS[c.kind]} {escape(c.cause)} ×{len(c.hosts)}" for c in summary.clusters[:20]]
    if summary.healthy:
        counts.append(f"✅ ×{len(summary.healthy)}")
    body = " · ".join(counts) or "…"
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "section", "text": {"type": "mrkdwn", "text": cut(body, 3000)}},
    ]
    return fit(Message(text=text, blocks=blocks))


__all__ = ["denominator", "fleet_progress_message", "fleet_summary_message", "headline"]
