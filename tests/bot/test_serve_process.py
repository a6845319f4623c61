"""`cmbot serve` runs as a process (embedded Redis, in-process worker), answers /healthz, and
stops cleanly on SIGTERM, as a container runtime expects."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def test_serve_starts_answers_and_stops_on_sigterm(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The HTTP server is healthy with its queue, and SIGTERM ends the process within seconds."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-x",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "CMBOT_STATE_DIR": str(tmp_path / "state"),  # serve's embedded Redis keeps its data there
    }
    env.pop("REDIS_URL", None)
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert '"queue_depth": 0' in body
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) is not None
    finally:
        if process.poll() is None:
            process.kill()
