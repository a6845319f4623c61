"""`/cmcheck HOST [HOST…] [kb:KB…]` and `/cmerr TEXT`."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from bot.dispatch import CheckRequest
from bot.fleet.targets import has_configmgr_targets, may_ask_configmgr, resolve, split_targets
from bot.groups import GroupError, expand_targets
from bot.queue import QUEUE_DOWN, QueueUnavailable
from bot.router import MAX_HOSTS_PER_COMMAND, parse_cmcheck
from bot.views import check_pending_message, denial_message, explanation_message
from handlers.sources import Source
from knowledge.explain import explain
from probes.adminservice import AdminServiceError
from probes.check import BadKb, normalize_kbs
from probes.targets import BadHostName, validate_host

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.app import Deps

USAGE_CHECK = "Usage: /cmcheck HOST [HOST…] [kb:KB5031356]"
USAGE_ERR = "Usage: /cmerr CODE-OR-TEXT (an error code, a symbol or log lines)"


def register(app: AsyncApp, deps: Deps) -> None:
    @app.command("/cmcheck")
    async def cmcheck(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        """The ack carries usage, name and policy refusals (no I/O); the rate limit and the
        queue, which need Redis, are consulted just after it."""
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        hosts, kbs = parse_cmcheck(command.get("text", ""))
        target = " ".join(hosts)[:200]
        if has_configmgr_targets(hosts):
            await _cmcheck_configmgr(ack, deps, respond, words=hosts, kbs=kbs, user=user, channel=channel)
            return
        if problem := _check_problem(deps, hosts, kbs, user, channel):
            await ack(response_type="ephemeral", **denial_message(problem).as_kwargs())
            deps.background.spawn(
                deps.record(user=user, action="denied", target=target, outcome=problem, channel=channel),
                what="audit",
            )
            return
        await ack()
        deps.background.spawn(
            _accept_check(
                deps,
                respond,
                hosts=[validate_host(h) for h in expand_targets(hosts)],
                kbs=normalize_kbs(kbs),
                user=user,
                channel=channel,
            ),
            what="/cmcheck",
        )

    @app.command("/cmerr")
    async def cmerr(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        text = command.get("text", "").strip()
        if not text:
            await ack(response_type="ephemeral", text=USAGE_ERR)
            return
        await ack()
        deps.background.spawn(_answer_cmerr(deps, respond, command, text), what="/cmerr")


async def _cmcheck_configmgr(
    ack: Any, deps: Deps, respond: Any, *, words: list[str], kbs: list[str], user: str, channel: str
) -> None:
    """`collection:` / `deployment:` targets: parsed before the ack, resolved through the
    AdminService after it, then every resolved host meets the same checks as a typed name."""
    target = " ".join(words)[:200]
    try:
        plain, targets = split_targets(words)
        normalize_kbs(kbs)
    except ValueError as exc:  # BadKb is one
        await ack(response_type="ephemeral", text=str(exc))
        return
    if not may_ask_configmgr(deps.policy, user, channel):
        problem = "you are not allowed to run /cmcheck here"
        await ack(response_type="ephemeral", **denial_message(problem).as_kwargs())
        deps.background.spawn(
            deps.record(user=user, action="denied", target=target, outcome=problem, channel=channel),
            what="audit",
        )
        return
    await ack()

    async def resolve_then_check() -> None:
        try:
            resolved = await asyncio.to_thread(resolve, targets)
        except AdminServiceError as exc:
            await respond(response_type="ephemeral", text=f"⚠️ Not started: {exc}")
            return
        hosts = list(dict.fromkeys([*plain, *resolved.hosts]))
        if not hosts:
            await respond(response_type="ephemeral", text="Nothing to check: " + "; ".join(resolved.notes))
            return
        if problem := _check_problem(deps, hosts, kbs, user, channel):
            await respond(response_type="ephemeral", **denial_message(problem).as_kwargs())
            await deps.record(user=user, action="denied", target=target, outcome=problem, channel=channel)
            return
        await _accept_check(
            deps,
            respond,
            hosts=[validate_host(h) for h in hosts],
            kbs=normalize_kbs(kbs),
            user=user,
            channel=channel,
        )

    deps.background.spawn(resolve_then_check(), what="/cmcheck configmgr")


async def _answer_cmerr(deps: Deps, respond: Any, command: dict[str, Any], text: str) -> None:
    lang = await deps.lang_for(command.get("user_id"), command.get("channel_id"))
    explanation = await asyncio.to_thread(explain, text, lang=lang)
    message = explanation_message(explanation, lang, token=Source.text(text, lang).token())
    await respond(response_type="in_channel", **message.as_kwargs())


async def _accept_check(
    deps: Deps, respond: Any, *, hosts: list[str], kbs: list[str], user: str, channel: str
) -> None:
    if deps.rate_limiter is not None:
        limit = deps.policy.rate_limit_for(user)
        try:
            allowed = await deps.rate_limiter.allow(user, limit=limit.checks, window_s=limit.window_s)
        except (RedisError, OSError):
            await respond(response_type="ephemeral", text=f"⚠️ Not started: {QUEUE_DOWN}")
            return
        if not allowed:
            problem = f"rate limit: at most {limit.checks} checks per {limit.window_s} s"
            await respond(response_type="ephemeral", **denial_message(problem).as_kwargs())
            await deps.record(
                user=user, action="denied", target=" ".join(hosts)[:200], outcome=problem, channel=channel
            )
            return
    await start_check(deps, hosts=hosts, kbs=kbs, user=user, channel=channel)


def _check_problem(deps: Deps, targets: list[str], kbs: list[str], user: str, channel: str) -> str | None:
    """Why the request cannot run (usage, a bad name, the policy), or None. Groups are authorized
    as groups, then every host they expand to is validated and authorized too."""
    if not targets:
        return USAGE_CHECK
    for target in targets:
        decision = deps.policy.authorize(user_id=user, channel_id=channel, target=target)
        if not decision:
            return decision.reason
    try:
        hosts = expand_targets(targets)
        for host in hosts:
            validate_host(host)
        normalize_kbs(kbs)
    except (BadHostName, BadKb, GroupError) as exc:
        return str(exc)
    if len(hosts) > MAX_HOSTS_PER_COMMAND:
        return f"Too many hosts: at most {MAX_HOSTS_PER_COMMAND} per command."
    for host in hosts:
        if host not in targets and not deps.policy.authorize(user_id=user, channel_id=channel, target=host):
            return f"you are not allowed to check {host}"
    return None


async def start_check(
    deps: Deps,
    *,
    hosts: list[str],
    kbs: list[str],
    user: str,
    channel: str,
    thread_ts: str | None = None,
    bypass_cache: bool = False,
) -> None:
    """Post the "checking…" message and hand the request to the dispatcher."""
    lang = await deps.lang_for(user, channel)
    pending = check_pending_message(hosts, lang)
    posted = await deps.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **pending.as_kwargs())
    request = CheckRequest(
        request_id=uuid.uuid4().hex,
        hosts=hosts,
        kbs=kbs,
        user_id=user,
        channel_id=channel,
        lang=lang,
        message_ts=posted.get("ts"),
        thread_ts=thread_ts,
        bypass_cache=bypass_cache,
    )
    deps.recent[user].appendleft(" ".join(hosts))
    try:
        await deps.dispatcher.submit(request)
    except QueueUnavailable as exc:
        await deps.client.chat_update(
            channel=channel, ts=request.message_ts or "", text=f"⚠️ Not started: {exc}"
        )
        return
    await deps.record(
        user=user, action="check", target=" ".join(hosts)[:200], outcome="accepted", channel=channel
    )
