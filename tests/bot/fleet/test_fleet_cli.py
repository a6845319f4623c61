"""`cmbot check` on a ConfigMgr target: hosts from the lab AdminService, the clustered summary
printed first, and the whole table exported with --export."""

import csv
import os
import subprocess
import sys
from pathlib import Path

from lab.scenario import load_scenarios
from lab.testing import run_lab

NAMES = ["lab-healthy", "lab-sup-service-unavailable", "lab-cache-too-small", "lab-winrm-refused"]


def test_check_deployment_prints_clusters_and_exports(tmp_path: Path) -> None:
    """deployment:16777245 status:error → the two failing hosts, summary first, CSV written."""
    with run_lab([s for s in load_scenarios() if s.name in NAMES], adminservice=True) as lab:
        env = {
            **os.environ,
            "CMBOT_INVENTORY": str(lab.inventory_path),
            "CMBOT_ADMINSERVICE": str(lab.adminservice_path),
        }
        export = tmp_path / "fleet.csv"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot.cli.main",
                "check",
                "deployment:16777245",
                "status:error",
                "--export",
                str(export),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    first = done.stdout.splitlines()[0]
    assert first == "2 hosts checked"
    assert "1/2 have a 5120 MB ccmcache" in done.stdout
    rows = list(csv.DictReader(export.open(encoding="utf-8")))
    assert sorted(r["host"] for r in rows) == ["lab-cache-too-small", "lab-sup-service-unavailable"]


def test_check_without_adminservice_says_so(tmp_path: Path) -> None:
    """No AdminService configured: one line on stderr naming the settings, exit 2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMBOT_ADMINSERVICE")}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "check", "collection:All Systems"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "need the ConfigMgr AdminService" in done.stderr
    assert "Traceback" not in done.stderr
