"""`cmbot console`: the bot in a terminal, reading commands from stdin (a TTY or a pipe).

With `--with-lab` it starts the WinRM lab hosts first and resolves host names through their
inventory, so a new user sees `/cmcheck` work with nothing else set up.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import uuid
from typing import TextIO

from bot.router import Session, answer
from lab.testing import Lab, start_lab

PROMPT = "cmbot> "
log = logging.getLogger("cmbot.console")


def _banner(lab: Lab | None, out: TextIO) -> None:
    print("cmbot console - type 'help' for commands, 'quit' to leave.", file=out)
    if lab is not None:
        names = ", ".join(h.name for h in lab.inventory.hosts[:6])
        print(f"{len(lab.inventory.hosts)} lab hosts are running, e.g. {names} …", file=out)
        print("Try: /cmcheck lab-sup-scan-timeout    or    /cmerr 0x80244022", file=out)


async def _loop(session: Session, source: TextIO, out: TextIO, interactive: bool) -> None:
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            print(PROMPT, end="", file=out, flush=True)
        line = await loop.run_in_executor(None, source.readline)
        if not line:
            break
        if line.strip().lower() in ("quit", "exit", "/quit"):
            break
        try:
            reply = await answer(line, session)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("console command failed, ref %s", ref)
            reply = f"Sorry, that failed inside cmbot (ref {ref}); the error was logged."
        if reply:
            print(reply, file=out, flush=True)
            if not interactive:
                print(file=out)


def run_console(
    session: Session, *, with_lab: bool, source: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> int:
    interactive = source.isatty()
    lab = None
    if with_lab:
        lab = start_lab()
        os.environ["CMBOT_INVENTORY"] = str(lab.inventory_path)
    try:
        if interactive:
            _banner(lab, out)
        asyncio.run(_loop(session, source, out, interactive))
    finally:
        if lab is not None:
            lab.stop()
    return 0
