"""`/cmcheck HOST deployment:{GUID}` verifies that deployment's targeting on the host (seed article
1 asks for the deployment unique ID); a numeric `deployment:ID` stays a ConfigMgr target."""

from __future__ import annotations

import asyncio

from bot.loopback.web_api import Harness
from bot.slack.slash import split_deployment_ids

ASSIGNED = "{16777245-7A3B-4C5D-9E8F-0A1B2C3D4E5F}"
"""The lab host's own update assignment (lab/scenarios/healthy.yaml)."""
NOT_ASSIGNED = "{16777245-0000-0000-0000-000000000001}"


def test_guid_deployments_are_parameters_numeric_ones_are_targets() -> None:
    """A GUID after `deployment:` is split off as the parameter; `deployment:16777245` is left as a target."""
    words = ["pc-1", f"deployment:{NOT_ASSIGNED}", "deployment:16777245", "status:error"]
    assert split_deployment_ids(words) == (
        ["pc-1", "deployment:16777245", "status:error"],
        [NOT_ASSIGNED],
    )


async def test_a_deployment_the_host_never_got_is_not_targeted(harness: Harness) -> None:
    """The host has no assignment for the asked deployment: not-targeted, named in the verdict."""
    status, body = await harness.bot.command("/cmcheck", f"lab-healthy deployment:{NOT_ASSIGNED}")
    assert (status, body) == (200, "")
    async with asyncio.timeout(30):
        (update,) = await harness.slack.wait_for("chat.update")
    assert "not-targeted" in update["text"]


async def test_the_hosts_own_deployment_is_healthy(harness: Harness) -> None:
    """The same host asked about the deployment it did get is healthy."""
    await harness.bot.command("/cmcheck", f"lab-healthy deployment:{ASSIGNED}")
    async with asyncio.timeout(30):
        (update,) = await harness.slack.wait_for("chat.update")
    assert update["text"].startswith("lab-healthy: Healthy"), update["text"]
