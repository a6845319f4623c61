"""`cmbot lab [--inventory PATH] [--scenarios DIR]`: run the WinRM lab hosts until stopped."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from pathlib import Path
from types import FrameType

from bot.settings import Settings
from lab.scenario import SCENARIO_DIR, ScenarioError, load_scenarios
from lab.testing import start_lab


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("lab", help="start the WinRM lab hosts on loopback (one per scenario)")
    parser.add_argument("--inventory", type=Path, help="where to write the inventory (default: a temp dir)")
    parser.add_argument("--scenarios", type=Path, default=SCENARIO_DIR, help="scenario directory")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    del settings  # the lab writes its own inventory
    try:
        scenarios = load_scenarios(args.scenarios)
    except ScenarioError as exc:
        print(f"cmbot lab: {exc}")
        return 2
    started = time.monotonic()
    lab = start_lab(scenarios, inventory_path=args.inventory, adminservice=True)
    elapsed = time.monotonic() - started
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"{len(lab.inventory.hosts)} lab hosts started in {elapsed:.2f} s")
    print(f"{'name':34} {'scenario':30} {'auth':6} endpoint")
    for host in lab.inventory.hosts:
        print(f"{host.name:34} {host.scenario or '':30} {host.auth:6} {host.endpoint}")
    print(f"\ninventory: {lab.inventory_path}")
    print(f"use it:    CMBOT_INVENTORY={lab.inventory_path} cmbot check lab-healthy")
    if lab.adminservice is not None:
        print(f"\nConfigMgr AdminService (lab): {lab.adminservice.url}")
        print(f"settings:  {lab.adminservice_path}")
        print(
            f"use it:    CMBOT_INVENTORY={lab.inventory_path} CMBOT_ADMINSERVICE={lab.adminservice_path} "
            "cmbot check deployment:16777245 status:error"
        )
    print(flush=True)
    try:
        stop.wait()
    finally:
        lab.stop()
    return 0
