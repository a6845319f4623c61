"""`/cmcheck HOST [HOST…] [kb:KB…]` and `/cmerr TEXT`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.access.groups import expand_targets
from bot.fleet.targets import has_configmgr_targets, may_ask_configmgr, resolve, split_targets
from bot.render.blocks import denial_message, notice_message
from bot.render.i18n import phrase
from bot.slack.background import ephemeral
from bot.slack.slash import split_deployment_ids
from handlers.slack_text import command_text, from_slack
from handlers.usecases import accept_check, check_problem, explained_reply, problem_message, record_denied
from knowledge.findings import Refused, said
from probes.adminservice import AdminServiceError
from probes.check import normalize_deployments, normalize_kbs
from probes.targets import validate_host

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.respond.async_respond import AsyncRespond

    from bot.slack.deps import Deps
    from bot.slack.slash import Command


def register_cmcheck(app: AsyncApp, deps: Deps, row: Command[tuple[list[str], list[str]]]) -> None:
    @app.command(row.name)
    async def cmcheck(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        """The ack carries usage, name and policy refusals (no I/O but a cached user-group
        lookup when the policy names groups); the rate limit and the queue, which need Redis,
        are consulted just after it."""
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        words, kbs = row.parse(command_text(command.get("text", "")))
        hosts, deployments = split_deployment_ids(words)
        if not hosts:
            await ack(response_type="ephemeral", text=row.usage_in(await deps.ack_lang(user, channel)))
            return
        if has_configmgr_targets(hosts):
            await _cmcheck_configmgr(ack, deps, respond, words=hosts, kbs=kbs, user=user, channel=channel)
            return
        groups = await deps.usergroups_of(user)
        if problem := check_problem(
            deps, hosts, kbs, user=user, channel=channel, groups=groups, deployments=deployments
        ):
            lang = await deps.ack_lang(user, channel)
            await ack(response_type="ephemeral", **problem_message(problem, lang).as_kwargs())
            deps.background.spawn(record_denied(deps, user, channel, hosts, problem), what="audit")
            return
        await ack()
        deps.background.spawn(
            accept_check(
                deps,
                respond,
                hosts=[validate_host(h) for h in expand_targets(hosts, deps.groups)],
                kbs=normalize_kbs(kbs),
                deployments=normalize_deployments(deployments),
                user=user,
                channel=channel,
                groups=groups,
            ),
            what="/cmcheck",
            answer=ephemeral(respond),
        )


def register_cmerr(app: AsyncApp, deps: Deps, row: Command[str]) -> None:
    @app.command(row.name)
    async def cmerr(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        text = row.parse(from_slack(command.get("text", "")))
        if not text:
            await ack(
                response_type="ephemeral",
                text=row.usage_in(await deps.ack_lang(command.get("user_id"), command.get("channel_id"))),
            )
            return
        await ack()
        deps.background.spawn(
            _answer_cmerr(deps, respond, command, text), what="/cmerr", answer=ephemeral(respond)
        )


async def _cmcheck_configmgr(
    ack: AsyncAck,
    deps: Deps,
    respond: AsyncRespond,
    *,
    words: list[str],
    kbs: list[str],
    user: str,
    channel: str,
) -> None:
    """`collection:` / `deployment:` targets: parsed before the ack, resolved through the
    AdminService after it, then every resolved host meets the same checks as a typed name."""
    try:
        plain, targets = split_targets(words)
        normalize_kbs(kbs)
    except Refused as exc:  # BadKb, or the ConfigMgr targets' usage
        await ack(response_type="ephemeral", text=phrase(await deps.ack_lang(user, channel), exc.reason))
        return
    if not may_ask_configmgr(deps.policy, user, channel):
        problem = said("refuse.not_here")
        lang = await deps.ack_lang(user, channel)
        await ack(response_type="ephemeral", **denial_message(problem, lang).as_kwargs())
        deps.background.spawn(record_denied(deps, user, channel, words, problem), what="audit")
        return
    await ack()

    async def resolve_then_check() -> None:
        try:
            resolved = await asyncio.to_thread(resolve, targets, deps.settings.adminservice())
        except AdminServiceError as exc:
            lang = await deps.lang_for(user, channel)
            text = phrase(lang, said("refuse.not_started", reason=exc.reason))
            await respond(response_type="ephemeral", **notice_message(text).as_kwargs())
            return
        hosts = list(dict.fromkeys([*plain, *resolved.hosts]))
        lang = await deps.lang_for(user, channel)
        if not hosts:
            notes = "; ".join(phrase(lang, note) for note in resolved.notes)
            await respond(
                response_type="ephemeral", text=phrase(lang, said("refuse.nothing_resolved", notes=notes))
            )
            return
        groups = await deps.usergroups_of(user)
        if problem := check_problem(deps, hosts, kbs, user=user, channel=channel, groups=groups):
            await respond(response_type="ephemeral", **problem_message(problem, lang).as_kwargs())
            await record_denied(deps, user, channel, hosts, problem)
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

    deps.background.spawn(resolve_then_check(), what="/cmcheck configmgr", answer=ephemeral(respond))


async def _answer_cmerr(deps: Deps, respond: AsyncRespond, command: dict[str, Any], text: str) -> None:
    lang = await deps.lang_for(command.get("user_id"), command.get("channel_id"))
    _, message = await explained_reply(deps, text, lang, "command")
    await respond(response_type="in_channel", **message.as_kwargs())
