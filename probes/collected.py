"""`cmbot collect` output given back: pasted, uploaded or read from a file, it gets the live check's answer.

The standalone script (`probes.scripts.standalone_script`) prints the same marker lines the live check
reads over WinRM, so the same decoder and diagnosis apply. Text without a `CMBOT-HOST` line is not
collect output, and the caller explains it as log text. The top level (CLI, Slack handlers) calls
this; knowledge/ never imports probes/.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.explain import explain
from knowledge.findings import Explanation, said
from probes.check import report_from_output
from probes.facts import HostInfo
from probes.output import parse_output
from probes.report import HostReport

_HOST_LINE = re.compile(r"^\ufeff?\s*CMBOT-HOST ps=", re.MULTILINE)
MAX_COLLECTED_CHARS = 8 * 1024 * 1024
"""A bundle's output is well under 1 MB; text beyond this is not read (a pasted file stays bounded)."""


def _text(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Out-File / > in Windows PowerShell 5.1 writes UTF-16
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def is_collected(data: str | bytes) -> bool:
    """Whether the text carries the bootstrap's host line (looked for in its first megabyte)."""
    return bool(_HOST_LINE.search(_text(data[:2_000_000])[:1_000_000]))


def collected_report(
    data: str | bytes, *, kbs: Sequence[str] = (), deployments: Sequence[str] = ()
) -> HostReport | None:
    """The report the live check would give for this collect output, or None when it is not one."""
    if not is_collected(data):
        return None
    text = _text(data[: MAX_COLLECTED_CHARS * 2])[:MAX_COLLECTED_CHARS]
    output = parse_output(text)
    host = HostInfo.model_validate(output.sections["host"]) if "host" in output.sections else None
    name = (host.computer if host else None) or "collected output"
    asked = list(kbs) or (host.kbs if host else [])
    asked_deployments = list(deployments) or (host.deployments if host else [])
    return report_from_output(name, output, kbs=asked, deployments=asked_deployments)


def report_explanation(report: HostReport) -> Explanation:
    """A host report in the shape `cmbot explain` and the Slack explain replies print: its verdict
    and every check that is not ok as notices (`notice.report`, `notice.check`, worded at the top)."""
    notices = [
        said("notice.report", host=report.host, outcome=said(f"outcome.{report.outcome or 'unreachable'}"))
    ]
    notices += [
        said("notice.check", status=i.status, check=said(f"check.{i.check}"), message=i.message)
        for i in report.checks
        if i.status != "ok"
    ]
    return Explanation(findings=report.findings, notices=notices)


def explain_any(data: str | bytes, *, source: str | None = None) -> Explanation:
    """Collect output gets the live check's diagnosis; anything else is explained as codes and logs."""
    report = collected_report(data)
    if report is not None:
        return report_explanation(report)
    return explain(data, source=source)
