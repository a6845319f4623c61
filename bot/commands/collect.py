"""`cmbot collect [--kb KB…] [--deployment ID…]`: print the checks as one standalone PowerShell script.

For clients WinRM cannot reach: run the script on the client (an elevated Windows PowerShell, or
ConfigMgr Run Scripts) and give its output to `cmbot explain --file`, `/cmerr` or a file in the
channel; the answer is the same as `cmbot check`'s. The KBs are validated and travel as base64 JSON.
"""

from __future__ import annotations

import argparse
import sys

from bot.render.i18n import reason_of
from bot.settings import Settings
from knowledge.findings import DEFAULT_LANG
from probes.check import BadDeployment, BadKb, normalize_deployments, normalize_kbs
from probes.scripts import standalone_script

COLLECT_BUDGET_S = 300
"""Run by hand there is no WinRM deadline; the budget still bounds a hung provider."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "collect",
        help="print the checks as a script to run on a client without WinRM",
        description="Print the read-only checks as one PowerShell script; its output goes to cmbot explain.",
    )
    parser.add_argument(
        "--kb", action="append", default=[], metavar="KB", help="a KB to look for (repeatable)"
    )
    parser.add_argument(
        "--deployment", action="append", default=[], metavar="ID", help="a deployment unique ID (repeatable)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    del settings  # the script is the same wherever it runs
    try:
        kbs = normalize_kbs(args.kb)
        deployments = normalize_deployments(args.deployment)
    except (BadKb, BadDeployment) as exc:
        print(f"cmbot collect: {reason_of(DEFAULT_LANG, exc)}", file=sys.stderr)
        return 2
    sys.stdout.write(
        standalone_script({"kbs": kbs, "deployments": deployments, "budget_s": COLLECT_BUDGET_S})
    )
    return 0
