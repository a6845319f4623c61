"""What a reply was made from, so its buttons can rebuild the explanation.

A button value stays short (Slack caps it at 2,000 characters,
https://docs.slack.dev/reference/block-kit/block-elements/button-element): `text:LANG:KEY` names
the whole paste or command text kept in the button-state store (Redis, or memory without it),
`file:LANG:FILE_ID` an upload, which is fetched again with the bot token. An upload's reply keeps
its language-free Explanation in the store too, so its buttons (and the language switch) never
download the file again. Values posted by older versions (`explain:LANG:TEXT`, the text cut to
fit) still work.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError

from bot.jobs.explain_pool import explain_off_loop
from knowledge.findings import Explanation, Lang, Phrase, lang_named, said

if TYPE_CHECKING:
    from bot.slack.deps import Deps

log = logging.getLogger("cmbot.sources")
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TOKEN_TEXT = 1900
MAX_PASTE_CHARS = 200_000
EXPIRED = said("act.expired")
UNKNOWN = said("act.unknown")
_TEXT_STATE = "text:"


@dataclass(frozen=True)
class Source:
    kind: str  # "text" (a paste or command text) or "file" (a Slack file ID)
    lang: Lang
    ref: str  # the whole text, or the file ID
    input: str = "paste"  # what the user gave: paste, command, shortcut, comment or file
    key: str = ""  # where the text is kept in the button-state store
    explanation: Explanation | None = None  # the stored result, rendered again without re-reading

    @property
    def answer(self) -> str:
        """Names this answer for feedback votes (one vote per user per answer)."""
        return f"file:{self.ref}" if self.kind == "file" else f"text:{self.key or 'legacy'}"

    def token(self, lang: Lang | None = None) -> str:
        lang = lang or self.lang
        if self.kind == "file" and self.key:
            return f"text:{lang}:{self.key}"
        if self.kind == "file":
            return f"file:{lang}:{self.ref}"
        if self.key:
            return f"text:{lang}:{self.key}"
        return f"explain:{lang}:{self.ref[:MAX_TOKEN_TEXT]}"


async def remember(deps: Deps, text: str, lang: Lang, input_kind: str) -> Source:
    """Keep the whole text behind the reply's buttons; with the store down the buttons carry the
    first characters instead (logged), as before."""
    key = secrets.token_urlsafe(9)
    try:
        await deps.buttons.put(_TEXT_STATE + key, {"text": text[:MAX_PASTE_CHARS], "input": input_kind})
    except (RedisError, OSError):
        log.warning("button state unavailable; the buttons carry the first %d characters", MAX_TOKEN_TEXT)
        key = ""
    return Source("text", lang, text, input_kind, key)


def file_source(file_id: str, lang: Lang) -> Source:
    return Source("file", lang, file_id, "file")


async def remember_file(deps: Deps, file_id: str, lang: Lang, explanation: Explanation) -> Source:
    """Keep an upload's explanation behind its reply's buttons; with the store down the buttons
    name the file (fetched again on a click), as before."""
    key = secrets.token_urlsafe(9)
    state = {"file": file_id, "input": "file", "explanation": explanation.model_dump(mode="json")}
    try:
        await deps.buttons.put(_TEXT_STATE + key, state)
    except (RedisError, OSError):  # the store is optional here: the file ID still rebuilds the reply
        log.warning("button state unavailable; the buttons fetch the file again")
        return file_source(file_id, lang)
    return Source("file", lang, file_id, "file", key, explanation)


async def recall(deps: Deps, token: str) -> Source | Phrase:
    """The source behind a button value, or why there is none."""
    kind, _, rest = token.partition(":")
    raw_lang, _, ref = rest.partition(":")
    lang = lang_named(raw_lang)
    if lang is None or raw_lang != lang or not ref:
        return UNKNOWN
    if kind == "file":
        return file_source(ref, lang)
    if kind == "explain":
        return Source("text", lang, ref)
    if kind != "text":
        return UNKNOWN
    try:
        state = await deps.buttons.get(_TEXT_STATE + ref)
    except (RedisError, OSError):
        log.warning("button state unavailable")
        return said("act.store_down")
    if not state:
        return EXPIRED
    stored = state.get("explanation")
    explanation = Explanation.model_validate(stored) if stored else None
    if "file" in state:
        return Source("file", lang, str(state["file"]), "file", ref, explanation)
    text = str(state.get("text", ""))
    return Source("text", lang, text, str(state.get("input", "paste")), ref, explanation)


@dataclass(frozen=True)
class Fetched:
    """A downloaded upload, or why there is none: a catalog phrase whose `{name}` stands for the
    file name (`bot.render.blocks.file_problem_message` words it and shows the name as typed)."""

    name: str
    data: bytes | None
    problem: Phrase | None = None
    info: dict[str, Any] | None = None

    @property
    def why(self) -> Phrase:
        """Why there is no data (a fetch that returned none names its own reason)."""
        return self.problem or said("file.download_failed")


async def fetch_file(deps: Deps, file_id: str) -> Fetched:
    try:
        info = (await deps.client.files_info(file=file_id)).get("file") or {}
    except SlackApiError as exc:
        log.warning("files.info failed: %s", exc.response.get("error"))
        return Fetched("upload.log", None, said("file.gone"))
    name = str(info.get("name") or "upload.log")
    if int(info.get("size") or 0) > MAX_FILE_BYTES:
        return Fetched(name, None, said("file.too_big", mb=MAX_FILE_BYTES // 2**20), info)
    data = await _download(deps, str(info.get("url_private_download") or info.get("url_private") or ""))
    if data is None:
        return Fetched(name, None, said("file.download_failed"), info)
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


async def explain_source(deps: Deps, source: Source) -> Explanation | Fetched:
    """The explanation behind a reply: the stored one, else made again from the text or the file
    (language-free: the caller renders it); or the failed fetch that says why it cannot be rebuilt."""
    if source.explanation is not None:
        return source.explanation
    if source.kind == "text":
        text = source.ref[:MAX_PASTE_CHARS]
        return await explain_off_loop(text, kb_dirs=deps.settings.kb_dirs)
    fetched = await fetch_file(deps, source.ref)
    if fetched.data is None:
        return fetched
    return await explain_off_loop(fetched.data, source=fetched.name, kb_dirs=deps.settings.kb_dirs)
