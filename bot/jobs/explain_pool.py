"""Explain off the event loop, in worker processes, with a wall-clock budget that is enforced.

CPython's `re` keeps the GIL for the whole of one match, so input that makes a regex slow,
explained in a thread of the serving process, stops its event loop: acks, `/healthz` and the
in-process queue workers (security review V4/E2: one 40,000-character message froze the bot for
16 s). Here `explain` runs in a small pool of separate processes; the event loop only waits on
a pipe (from a thread of the pool's own, not the default executor that checks use). A process
that overruns the budget is killed and replaced, and the request is answered with a notice, so
a pathological `/cmerr` costs one worker process for `BUDGET_S`, never the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from knowledge.explain import knowledge
from knowledge.findings import Explanation, said
from probes.collected import explain_any

log = logging.getLogger("cmbot.explain_pool")
POOL_SIZE = 2
"""Worker processes: the machine's cores are shared with the bot and its checks."""
BUDGET_S = 20.0
"""Wall-clock limit per explanation once a worker has it; `explain`'s own cooperative budget
(15 s) ends most scans before it."""
NICENESS = 10
"""Worker processes run at a lower CPU priority than the bot: acks first."""
START_TIMEOUT_S = 60.0
"""A worker process must have started and loaded the knowledge base within this."""
WAIT_S = 60.0
"""How long a request waits for a free worker before it is told the bot is busy."""


def _die_with_parent() -> None:
    """Linux: SIGKILL this worker when the bot dies, even mid-match (prctl(2) PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        import ctypes  # noqa: PLC0415 - Linux only

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


def _serve(conn: Connection) -> None:
    """The worker process: run each job it is sent (a function, by reference, and its
    arguments) until the pipe closes."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the bot's to handle
    os.nice(NICENESS)  # a long scan yields the CPU to the serving process (nice(2))
    knowledge()  # the entries and the matcher, loaded once per worker
    conn.send(("ready", None))
    while True:
        try:
            function, args, kwargs, kb_path = conn.recv()
        except (EOFError, OSError):
            return
        if kb_path is None:
            os.environ.pop("CMBOT_KB_PATH", None)
        else:
            os.environ["CMBOT_KB_PATH"] = kb_path
        try:
            answer: tuple[str, Any] = ("ok", function(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - the worker process's boundary: any error is sent back and answered with a ref
            answer = ("error", f"{type(exc).__name__}: {exc}"[:300])
        conn.send(answer)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


class ExplainPool:
    """At most `size` explanations at once, each in a worker process, each within `budget_s`."""

    def __init__(self, size: int = POOL_SIZE, budget_s: float = BUDGET_S, wait_s: float = WAIT_S) -> None:
        self.size, self.budget_s, self.wait_s = size, budget_s, wait_s
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded event loop
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._closed = False
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)
        self._waiters = ThreadPoolExecutor(max_workers=size * 8, thread_name_prefix="cmbot-explain")

    def _spawn(self) -> _Worker:
        """A new worker, once it has loaded the knowledge base (its start is not in any budget)."""
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child,), daemon=True, name="cmbot-explain")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._busy.add(worker)  # so that close() stops a worker still starting, too
        try:
            ready = parent.poll(START_TIMEOUT_S) and parent.recv() == ("ready", None)
        except (OSError, EOFError):
            ready = False
        with self._lock:
            self._busy.discard(worker)
        if not ready:
            worker.kill()
            raise OSError("the explain worker did not start")
        return worker

    def _replenish(self) -> None:
        """After a kill, start the replacement now, not on the next request."""
        with contextlib.suppress(OSError):
            self.warm()

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    self._busy.add(worker)
                    return worker
                worker.kill()
        worker = self._spawn()
        with self._lock:
            self._busy.add(worker)
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            self._idle.append(worker)

    def _drop(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
        worker.kill()

    def warm(self) -> None:
        """Start the workers now rather than on the first explanation."""
        while True:
            with self._lock:
                if len(self._idle) + len(self._busy) >= self.size or self._closed:
                    return
            worker = self._spawn()  # not under the lock: close() must be able to stop it
            with self._lock:
                if len(self._idle) < self.size and not self._closed:
                    self._idle.append(worker)
                    continue
            worker.kill()
            return

    def start_warming(self) -> None:
        """`warm` in the background, from the pool's own threads: a worker is started with
        PR_SET_PDEATHSIG, which Linux ties to the starting thread, so that thread must live
        as long as the pool (prctl(2))."""
        self._waiters.submit(self._replenish)

    def _run(self, job: tuple[Any, ...], wait_until: float) -> tuple[str, Any]:
        """In a waiter thread: a slot before `wait_until`, then a worker, the job and its
        answer within the budget."""
        if not self._slots.acquire(timeout=max(0.0, wait_until - time.monotonic())):
            return ("busy", None)
        try:
            try:
                worker = self._take()
            except (OSError, EOFError) as exc:
                return ("error", f"no explain worker ({exc})")
            deadline = time.monotonic() + self.budget_s
            try:
                worker.conn.send(job)
                if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                    answer: tuple[str, Any] = worker.conn.recv()
                    self._give_back(worker)
                    return answer
            except (EOFError, OSError) as exc:
                self._drop(worker)
                return ("error", f"the explain worker stopped ({type(exc).__name__})")
            self._drop(worker)  # over budget: the match cannot be interrupted, its process can
            self._waiters.submit(self._replenish)
            return ("budget", None)
        finally:
            self._slots.release()

    async def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
        """("ok", what `function` returned), ("budget" | "busy", None) or ("error", what went
        wrong); `function` must be importable by name (it is sent by reference)."""
        wait_until = time.monotonic() + self.wait_s
        job = (function, args, kwargs, os.environ.get("CMBOT_KB_PATH"))
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._waiters, self._run, job, wait_until)

    async def explain(self, text: str | bytes, *, source: str | None = None) -> Explanation:
        kind, value = await self.call(explain_any, text, source=source)
        if kind == "ok":
            return value  # type: ignore[no-any-return]
        if kind == "budget":
            log.warning("explain stopped at its %.0f s budget (%d chars)", self.budget_s, len(text))
            return Explanation(notices=[said("notice.pool_budget", seconds=round(self.budget_s))])
        if kind == "busy":
            log.warning("explain found no free worker in %.0f s", self.wait_s)
            return Explanation(notices=[said("notice.pool_busy")])
        ref = uuid.uuid4().hex[:8]
        log.error("explain failed (ref %s): %s", ref, value)
        return Explanation(notices=[said("notice.pool_failed", ref=ref)])

    def close(self) -> None:
        """Stop every worker, busy ones too (their waiters then return at once)."""
        with self._lock:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle.clear()
        for worker in workers:
            worker.kill()
        self._waiters.shutdown(wait=False, cancel_futures=True)


_pool: ExplainPool | None = None
_pool_lock = threading.Lock()


def pool() -> ExplainPool:
    """The process-wide pool, started on first use."""
    global _pool  # noqa: PLW0603 - one pool of worker processes per bot process
    with _pool_lock:
        if _pool is None:
            _pool = ExplainPool()
        return _pool


def shutdown() -> None:
    """Stop the process-wide pool, if it was started (serve calls it on the way out)."""
    global _pool  # noqa: PLW0603
    with _pool_lock:
        if _pool is not None:
            _pool.close()
            _pool = None


async def explain_off_loop(text: str | bytes, *, source: str | None = None) -> Explanation:
    """`explain_any` (collect output gets the live check's answer; the rest `knowledge.explain`), in a
    worker process, answered within `BUDGET_S`."""
    return await pool().explain(text, source=source)
