"""Use cases several listeners share: accept a check (policy, names, rate limit, audit) and
explain a text and build its reply. Listeners parse and ack; they call these for the work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from bot.access.groups import GroupError, expand_targets
from bot.access.policy import GROUP_PREFIX
from bot.jobs.dispatch import CheckRequest
from bot.jobs.explain_pool import explain_off_loop
from bot.jobs.queue import QUEUE_DOWN, QueueUnavailable
from bot.render.blocks import (
    Message,
    check_pending_message,
    denial_message,
    explanation_message,
    notice_message,
)
from bot.render.i18n import phrase
from bot.slack.slash import MAX_HOSTS_PER_COMMAND, split_deployment_ids
from handlers.sources import MAX_PASTE_CHARS, remember
from knowledge.findings import DEFAULT_LANG, Explanation, Lang, Phrase, said
from probes.check import BadDeployment, BadKb, normalize_deployments, normalize_kbs
from probes.targets import BadHostName, validate_host

if TYPE_CHECKING:
    from slack_bolt.context.respond.async_respond import AsyncRespond

    from bot.slack.deps import Deps

NOTHING_TO_CHECK = said("refuse.nothing")
RERUN_EXPIRED = said("refuse.rerun_expired")
RERUN_UNKNOWN = said("refuse.rerun_unknown")
NOT_STARTED_QUEUE_DOWN = said("refuse.not_started", reason=QUEUE_DOWN)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a check request cannot run: `denied` when the access policy says no (answered "Not
    allowed"), else the request itself is wrong (a bad name, KB or group, too many hosts)."""

    reason: Phrase
    denied: bool = False


def problem_message(problem: Problem, lang: Lang) -> Message:
    if problem.denied:
        return denial_message(problem.reason, lang)
    return notice_message(phrase(lang, problem.reason))


async def explained_reply(deps: Deps, text: str, lang: Lang, kind: str) -> tuple[Explanation, Message]:
    """Explain `text` off the event loop, keep it for the reply's buttons, and build the reply."""
    explanation = await explain_off_loop(text[:MAX_PASTE_CHARS], kb_dirs=deps.settings.kb_dirs)
    source = await remember(deps, text, lang, kind)
    message = explanation_message(
        explanation, lang, token=source.token(), feedback=(source.answer, source.input)
    )
    return explanation, message


async def record_denied(
    deps: Deps, user: str, channel: str, targets: list[str], problem: Problem | Phrase
) -> None:
    """Audit a refusal, worded in the default language: the audit log is read in one language."""
    if isinstance(problem, Problem):
        problem = problem.reason
    await deps.record(
        user=user,
        action="denied",
        target=" ".join(targets)[:200],
        outcome=phrase(DEFAULT_LANG, problem),
        channel=channel,
    )


async def rerun_targets(deps: Deps, value: str) -> tuple[list[str], list[str]] | Phrase:
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
    except (RedisError, OSError):
        return NOT_STARTED_QUEUE_DOWN
    if not state:
        return RERUN_EXPIRED
    asked = [str(h) for h in state.get("hosts", [])]
    asked += [f"deployment:{d}" for d in state.get("deployments", [])]
    return asked, [str(k) for k in state.get("kbs", [])]


async def rerun_check(
    deps: Deps, respond: AsyncRespond, *, value: str, user: str, channel: str, thread: str | None
) -> None:
    """Re-run: the same controls as /cmcheck (policy, names, host cap, rate limit), every refusal
    answered to the clicker and audited (security review V8), then a fresh check in the thread."""
    asked = await rerun_targets(deps, value)
    lang = await deps.lang_for(user, channel)
    if isinstance(asked, Phrase):
        await respond(
            response_type="ephemeral",
            replace_original=False,
            **notice_message(phrase(lang, asked)).as_kwargs(),
        )
        return
    words, kbs = asked
    hosts, deployments = split_deployment_ids(words)
    groups = await deps.usergroups_of(user)
    if problem := check_problem(
        deps, hosts, kbs, user=user, channel=channel, groups=groups, deployments=deployments
    ):
        await respond(
            response_type="ephemeral", replace_original=False, **problem_message(problem, lang).as_kwargs()
        )
        await record_denied(deps, user, channel, hosts, problem)
        return
    await accept_check(
        deps,
        respond,
        hosts=[validate_host(h) for h in expand_targets(hosts, deps.groups)],
        kbs=normalize_kbs(kbs),
        deployments=normalize_deployments(deployments),
        user=user,
        channel=channel,
        groups=groups,
        thread_ts=thread,
        bypass_cache=True,
    )


async def accept_check(
    deps: Deps,
    respond: AsyncRespond,
    *,
    hosts: list[str],
    kbs: list[str],
    user: str,
    channel: str,
    groups: list[str],
    deployments: list[str] | None = None,
    thread_ts: str | None = None,
    bypass_cache: bool = False,
) -> None:
    """The rate limit (the rule's own when one matches this user in this channel, V9), then start."""
    if deps.rate_limiter is not None:
        lang = await deps.lang_for(user, channel)
        limit = deps.policy.rate_limit_for(user, groups, channel)
        try:
            allowed = await deps.rate_limiter.allow(user, limit=limit.checks, window_s=limit.window_s)
        except (RedisError, OSError):
            await respond(
                response_type="ephemeral",
                replace_original=False,
                **notice_message(
                    phrase(await deps.lang_for(user, channel), NOT_STARTED_QUEUE_DOWN)
                ).as_kwargs(),
            )
            return
        if not allowed:
            problem = said("refuse.rate_limit", checks=limit.checks, seconds=limit.window_s)
            await respond(
                response_type="ephemeral", replace_original=False, **denial_message(problem, lang).as_kwargs()
            )
            await record_denied(deps, user, channel, hosts, problem)
            return
    await start_check(
        deps,
        hosts=hosts,
        kbs=kbs,
        user=user,
        channel=channel,
        groups=groups,
        deployments=deployments,
        thread_ts=thread_ts,
        bypass_cache=bypass_cache,
    )


def check_problem(
    deps: Deps,
    targets: list[str],
    kbs: list[str],
    *,
    user: str,
    channel: str,
    groups: list[str],
    deployments: list[str] | None = None,
) -> Problem | None:
    """Why the request cannot run (usage, a bad name, the policy), or None. Typed host names are
    validated first (a typo is not a denial), then every target is authorized (groups as groups,
    so an unauthorized user learns nothing of the groups file), then the hosts groups expand to are
    validated and authorized too."""
    if not targets:  # `/cmcheck` with no host gets its usage line before this (handlers/commands.py)
        return Problem(NOTHING_TO_CHECK)
    try:
        for target in targets:
            if not target.lower().startswith(GROUP_PREFIX):
                validate_host(target)
    except BadHostName as exc:
        return Problem(exc.reason)
    for target in targets:
        decision = deps.policy.authorize(user_id=user, channel_id=channel, target=target, usergroups=groups)
        if not decision:
            return Problem(decision.reason, denied=True)
    try:
        hosts = expand_targets(targets, deps.groups)
        for host in hosts:
            validate_host(host)
        normalize_kbs(kbs)
        normalize_deployments(deployments or [])
    except (BadHostName, BadKb, BadDeployment, GroupError) as exc:
        return Problem(exc.reason)
    if len(hosts) > MAX_HOSTS_PER_COMMAND:
        return Problem(said("refuse.too_many_hosts", max=MAX_HOSTS_PER_COMMAND))
    for host in hosts:
        if host not in targets and not deps.policy.authorize(
            user_id=user, channel_id=channel, target=host, usergroups=groups
        ):
            return Problem(said("refuse.host_denied", host=host), denied=True)
    return None


async def start_check(
    deps: Deps,
    *,
    hosts: list[str],
    kbs: list[str],
    user: str,
    channel: str,
    groups: list[str] | None = None,
    deployments: list[str] | None = None,
    thread_ts: str | None = None,
    bypass_cache: bool = False,
) -> None:
    """Post the "checking…" message, keep what its Re-run button will repeat, and hand the request
    to the dispatcher (with the user's Slack user groups: the worker authorizes the job again)."""
    lang = await deps.lang_for(user, channel)
    pending = check_pending_message(hosts, lang)
    posted = await deps.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **pending.as_kwargs())
    request = CheckRequest(
        request_id=uuid.uuid4().hex,
        hosts=hosts,
        kbs=kbs,
        deployments=list(deployments or []),
        user_id=user,
        channel_id=channel,
        lang=lang,
        message_ts=posted.get("ts"),
        thread_ts=thread_ts,
        bypass_cache=bypass_cache,
        usergroups=list(groups or []),
    )
    deps.recent[user].appendleft(" ".join(hosts))
    try:
        await deps.buttons.put(
            f"rerun:{request.request_id}",
            {"hosts": hosts, "kbs": kbs, "deployments": request.deployments},
        )
        await deps.dispatcher.submit(request)
    except (QueueUnavailable, RedisError, OSError) as exc:
        reason = exc.reason if isinstance(exc, QueueUnavailable) else QUEUE_DOWN
        await deps.client.chat_update(
            channel=channel,
            ts=request.message_ts or "",
            **notice_message(phrase(lang, said("refuse.not_started", reason=reason))).as_kwargs(),
        )
        return
    await deps.record(
        user=user, action="check", target=" ".join(hosts)[:200], outcome="accepted", channel=channel
    )
