"""What a reply was made from, carried in its buttons so a click can rebuild the explanation:
`explain:LANG:TEXT` for pasted text and commands (cut to fit a button value), `file:LANG:FILE_ID`
for an uploaded log, which is fetched again with the bot token."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError

from knowledge.findings import Explanation, Lang
from probes.collected import explain_any as explain  # collect output gets the live check's answer

if TYPE_CHECKING:
    from bot.app import Deps

log = logging.getLogger("cmbot.sources")
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TOKEN_TEXT = 1900
MAX_PASTE_CHARS = 200_000


@dataclass(frozen=True)
class Source:
    kind: str  # "explain" (text) or "file" (a Slack file ID)
    lang: Lang
    ref: str

    @classmethod
    def text(cls, text: str, lang: Lang) -> Source:
        return cls("explain", lang, text[:MAX_TOKEN_TEXT])

    @classmethod
    def parse(cls, token: str) -> Source | None:
        kind, _, rest = token.partition(":")
        lang, _, ref = rest.partition(":")
        if kind not in ("explain", "file") or lang not in ("en", "ja"):
            return None
        return cls(kind, "ja" if lang == "ja" else "en", ref)

    def token(self, lang: Lang | None = None) -> str:
        return f"{self.kind}:{lang or self.lang}:{self.ref}"


@dataclass(frozen=True)
class Fetched:
    """A downloaded upload, or why there is none (a short sentence for the user)."""

    name: str
    data: bytes | None
    problem: str = ""
    info: dict[str, Any] | None = None


async def fetch_file(deps: Deps, file_id: str) -> Fetched:
    try:
        info = (await deps.client.files_info(file=file_id)).get("file") or {}
    except SlackApiError as exc:
        log.warning("files.info failed: %s", exc.response.get("error"))
        return Fetched("upload.log", None, "The file is no longer available.")
    name = str(info.get("name") or "upload.log")
    if int(info.get("size") or 0) > MAX_FILE_BYTES:
        return Fetched(name, None, f"{name} is over {MAX_FILE_BYTES // 2**20} MB; not scanned.", info)
    data = await _download(deps, str(info.get("url_private_download") or info.get("url_private") or ""))
    if data is None:
        return Fetched(name, None, f"Could not download {name}.", info)
    return Fetched(name, data, info=info)


async def _download(deps: Deps, url: str) -> bytes | None:
    token = deps.settings.slack_bot_token.get_secret_value() if deps.settings.slack_bot_token else ""
    if not url:
        return None
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                url, headers={"Authorization": f"Bearer {token}"}, timeout=aiohttp.ClientTimeout(total=60)
            ) as response,
        ):
            if response.status != 200:
                return None
            data = await response.content.read(MAX_FILE_BYTES + 1)
            return data[:MAX_FILE_BYTES]
    except (aiohttp.ClientError, TimeoutError):
        log.warning("file download failed")
        return None


async def explain_source(deps: Deps, source: Source, lang: Lang) -> Explanation | str:
    """The explanation again, in `lang`, or a short reason why it cannot be rebuilt."""
    if source.kind == "explain":
        return await asyncio.to_thread(explain, source.ref[:MAX_PASTE_CHARS], lang=lang)
    fetched = await fetch_file(deps, source.ref)
    if fetched.data is None:
        return fetched.problem
    return await asyncio.to_thread(explain, fetched.data, lang=lang, source=fetched.name)
