"""`/cmcheck HOST [HOST…] [kb:KB…]` and `/cmerr TEXT`."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from bot.dispatch import CheckRequest
from bot.explain_pool import explain_off_loop
from bot.fleet.targets import has_configmgr_targets, may_ask_configmgr, resolve, split_targets
from bot.groups import GroupError, expand_targets
from bot.queue import QUEUE_DOWN, QueueUnavailable
from bot.render.blocks import check_pending_message, denial_message, explanation_message, notice_message
from bot.router import MAX_HOSTS_PER_COMMAND, parse_cmcheck
from handlers.slack_text import command_text, from_slack
from handlers.sources import remember
from probes.adminservice import AdminServiceError
from probes.check import BadKb, normalize_kbs
from probes.targets import BadHostName, validate_host

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.app import Deps

USAGE_CHECK = "Usage: /cmcheck HOST [HOST…] [kb:KB5031356]"
USAGE_ERR = "Usage: /cmerr CODE-OR-TEXT (an error code, a symbol or log lines)"


RERUN_EXPIRED = "This Re-run is too old to repeat; run /cmcheck again."
RERUN_UNKNOWN = "This button is not one of cmbot's; run /cmcheck again."


def register(app: AsyncApp, deps: Deps) -> None:
    @app.command("/cmcheck")
    async def cmcheck(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        """The ack carries usage, name and policy refusals (no I/O but a cached user-group
        lookup when the policy names groups); the rate limit and the queue, which need Redis,
        are consulted just after it."""
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        hosts, kbs = parse_cmcheck(command_text(command.get("text", "")))
        if has_configmgr_targets(hosts):
            await _cmcheck_configmgr(ack, deps, respond, words=hosts, kbs=kbs, user=user, channel=channel)
            return
        groups = await deps.usergroups_of(user)
        if problem := check_problem(deps, hosts, kbs, user=user, channel=channel, groups=groups):
            await ack(response_type="ephemeral", **denial_message(problem).as_kwargs())
            deps.background.spawn(_record_denied(deps, user, channel, hosts, problem), what="audit")
            return
        await ack()
        deps.background.spawn(
            accept_check(
                deps,
                respond,
                hosts=[validate_host(h) for h in expand_targets(hosts)],
                kbs=normalize_kbs(kbs),
                user=user,
                channel=channel,
                groups=groups,
            ),
            what="/cmcheck",
        )

    @app.command("/cmerr")
    async def cmerr(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        text = from_slack(command.get("text", "")).strip()
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
        groups = await deps.usergroups_of(user)
        if problem := check_problem(deps, hosts, kbs, user=user, channel=channel, groups=groups):
            await respond(response_type="ephemeral", **denial_message(problem).as_kwargs())
            await _record_denied(deps, user, channel, hosts, problem)
            return
        await accept_check(
            deps,
            respond,
            hosts=[validate_host(h) for h in hosts],
            kbs=normalize_kbs(kbs),
            user=user,
            channel=channel,
            groups=groups,
        )

    deps.background.spawn(resolve_then_check(), what="/cmcheck configmgr")


async def _answer_cmerr(deps: Deps, respond: Any, command: dict[str, Any], text: str) -> None:
    lang = await deps.lang_for(command.get("user_id"), command.get("channel_id"))
    explanation = await explain_off_loop(text)
    source = await remember(deps, text, lang, "command")
    message = explanation_message(
        explanation, lang, token=source.token(), feedback=(source.answer, source.input)
    )
    await respond(response_type="in_channel", **message.as_kwargs())


async def _record_denied(deps: Deps, user: str, channel: str, targets: list[str], problem: str) -> None:
    await deps.record(
        user=user, action="denied", target=" ".join(targets)[:200], outcome=problem, channel=channel
    )


async def rerun_targets(deps: Deps, value: str) -> tuple[list[str], list[str]] | str:
    """The hosts and KBs a Re-run button asks for (kept with the check, by its request ID), or
    a short reason. Values posted before that (`rerun:HOSTS|KBS`) are read as they are."""
    ref = value.removeprefix("rerun:")
    if not value.startswith("rerun:") or not ref:
        return RERUN_UNKNOWN
    if "|" in ref:
        hosts, _, kbs = ref.partition("|")
        return hosts.split(), kbs.split()
    try:
        state = await deps.buttons.get(f"rerun:{ref}")
    except Exception:
        return f"Not started: {QUEUE_DOWN}"
    if not state:
        return RERUN_EXPIRED
    return [str(h) for h in state.get("hosts", [])], [str(k) for k in state.get("kbs", [])]


async def rerun_check(
    deps: Deps, respond: Any, *, value: str, user: str, channel: str, thread: str | None
) -> None:
    """Re-run: the same controls as /cmcheck (policy, names, host cap, rate limit), every refusal
    answered to the clicker and audited (security review V8), then a fresh check in the thread."""
    asked = await rerun_targets(deps, value)
    if isinstance(asked, str):
        await respond(response_type="ephemeral", replace_original=False, **notice_message(asked).as_kwargs())
        return
    hosts, kbs = asked
    groups = await deps.usergroups_of(user)
    if problem := check_problem(deps, hosts, kbs, user=user, channel=channel, groups=groups):
        await respond(
            response_type="ephemeral", replace_original=False, **denial_message(problem).as_kwargs()
        )
        await _record_denied(deps, user, channel, hosts, problem)
        return
    await accept_check(
        deps,
        respond,
        hosts=[validate_host(h) for h in expand_targets(hosts)],
        kbs=normalize_kbs(kbs),
        user=user,
        channel=channel,
        groups=groups,
        thread_ts=thread,
        bypass_cache=True,
    )


async def accept_check(
    deps: Deps,
    respond: Any,
    *,
    hosts: list[str],
    kbs: list[str],
    user: str,
    channel: str,
    groups: list[str],
    thread_ts: str | None = None,
    bypass_cache: bool = False,
) -> None:
    """The rate limit (the rule's own when one matches this user in this channel, V9), then start."""
    if deps.rate_limiter is not None:
        limit = deps.policy.rate_limit_for(user, groups, channel)
        try:
            allowed = await deps.rate_limiter.allow(user, limit=limit.checks, window_s=limit.window_s)
        except (RedisError, OSError):
            await respond(
                response_type="ephemeral",
                replace_original=False,
                **notice_message(f"Not started: {QUEUE_DOWN}").as_kwargs(),
            )
            return
        if not allowed:
            problem = f"rate limit: at most {limit.checks} checks per {limit.window_s} s"
            await respond(
                response_type="ephemeral", replace_original=False, **denial_message(problem).as_kwargs()
            )
            await _record_denied(deps, user, channel, hosts, problem)
            return
    await start_check(
        deps, hosts=hosts, kbs=kbs, user=user, channel=channel, thread_ts=thread_ts, bypass_cache=bypass_cache
    )


def check_problem(
    deps: Deps, targets: list[str], kbs: list[str], *, user: str, channel: str, groups: list[str]
) -> str | None:
    """Why the request cannot run (usage, a bad name, the policy), or None. Groups are authorized
    as groups, then every host they expand to is validated and authorized too."""
    if not targets:
        return USAGE_CHECK
    for target in targets:
        decision = deps.policy.authorize(user_id=user, channel_id=channel, target=target, usergroups=groups)
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
        if host not in targets and not deps.policy.authorize(
            user_id=user, channel_id=channel, target=host, usergroups=groups
        ):
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
    """Post the "checking…" message, keep what its Re-run button will repeat, and hand the request
    to the dispatcher."""
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
        await deps.buttons.put(f"rerun:{request.request_id}", {"hosts": hosts, "kbs": kbs})
        await deps.dispatcher.submit(request)
    except (QueueUnavailable, RedisError, OSError) as exc:
        reason = str(exc) if isinstance(exc, QueueUnavailable) else QUEUE_DOWN
        await deps.client.chat_update(
            channel=channel,
            ts=request.message_ts or "",
            **notice_message(f"Not started: {reason}").as_kwargs(),
        )
        return
    await deps.record(
        user=user, action="check", target=" ".join(hosts)[:200], outcome="accepted", channel=channel
    )
