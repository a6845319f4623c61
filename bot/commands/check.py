"""`cmbot check HOST… [--kb KB…] [--json] [--lang en|ja]`: remote checks from the terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.access.groups import GroupError, expand_targets, load_groups
from bot.fleet.cluster import summarize
from bot.fleet.export import table_csv, table_json
from bot.fleet.targets import has_configmgr_targets, resolve, split_targets
from bot.fleet.view import fleet_summary_message
from bot.render.blocks import render_text
from bot.render.i18n import reason_of
from bot.render.text import print_report, report_json
from bot.settings import Settings, SettingsError
from knowledge.findings import DEFAULT_LANG, LANGS
from probes.adminservice import AdminServiceError
from probes.check import check_hosts


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("check", help="check ConfigMgr clients over WinRM (read-only)")
    parser.add_argument(
        "hosts",
        nargs="+",
        metavar="HOST",
        help="host names, group:NAME (CMBOT_GROUPS), collection:NAME or deployment:ID status:error|unknown",
    )
    parser.add_argument("--kb", action="append", default=[], metavar="KB", help="an update to look for")
    parser.add_argument(
        "--deployment",
        action="append",
        default=[],
        metavar="ID",
        help="a deployment unique ID ({GUID}) whose targeting to verify (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per host, in a list")
    parser.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG)
    parser.add_argument("--deadline", type=float, default=60.0, help="seconds per host (default 60)")
    parser.add_argument(
        "--export", type=Path, metavar="PATH", help="write the fleet table to PATH (.csv or .json)"
    )
    parser.set_defaults(handler=run)


def _targets(words: list[str], settings: Settings) -> list[str]:
    """Hosts from names, groups and ConfigMgr targets (asked of the AdminService)."""
    groups = load_groups(settings.cmbot_groups)
    if not has_configmgr_targets(words):
        return expand_targets(words, groups)
    plain, targets = split_targets(words)
    return list(
        dict.fromkeys([*expand_targets(plain, groups), *resolve(targets, settings.adminservice()).hosts])
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        config = settings.probe_config()
        hosts = _targets(args.hosts, settings)
    except (SettingsError, GroupError, AdminServiceError, ValueError) as exc:
        print(f"cmbot check: {reason_of(args.lang, exc)}", file=sys.stderr)
        return 2
    if not hosts:
        print("cmbot check: no hosts to check", file=sys.stderr)
        return 2
    reports = asyncio.run(
        check_hosts(hosts, kbs=args.kb, deployments=args.deployment, deadline_s=args.deadline, config=config)
    )
    if args.export:
        summary = summarize(reports)
        table = table_json(summary) if args.export.suffix.lower() == ".json" else table_csv(summary)
        args.export.write_text(table, encoding="utf-8")
    if args.json:
        json.dump([report_json(r, args.lang) for r in reports], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        if len(reports) > 1:
            print(render_text(fleet_summary_message(summarize(reports), args.lang)), end="\n\n")
        for index, report in enumerate(reports):
            if index:
                print()
            print_report(report, args.lang, sys.stdout)
    if any(not r.reachable for r in reports):
        return 2
    return 1 if any(r.findings for r in reports) else 0
