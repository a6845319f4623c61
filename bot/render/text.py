"""Terminal text and the `--json` renderings of `cmbot explain` and `cmbot check`.

The JSON keeps PRODUCT.md's shapes: explain `{"findings": [{id, title, confidence, evidence[{line,
text}], remedy[], links[]}], "codes": [{code, name, aliases, meaning}], "notices": [...]}`; check
one object per host with `verdict` and `checks[{name, status, detail}]`. The words in them are made
here, in the requested language, from language-free results.
"""

from __future__ import annotations

from typing import Any, TextIO

from bot.render.i18n import say
from bot.render.present import evidence_place, evidence_text, notice_text, present_explanation, present_report
from bot.render.verdict import MARKS, check_detail, check_name, report_verdict
from knowledge.findings import CodeInfo, Evidence, Explanation, Finding, Lang
from probes.report import HostReport


def _l(lang: Lang, key: str, **params: str | int | float) -> str:
    return say(lang, f"cli.{key}", None, **params)


def _finding_json(finding: Finding, lang: Lang) -> dict[str, Any]:
    data = finding.model_dump(mode="json")
    for item, evidence in zip(data["evidence"], finding.evidence, strict=True):
        item["text"] = evidence_text(evidence, lang)
        item.pop("fact", None)
    return data


def explanation_json(explanation: Explanation, lang: Lang) -> dict[str, Any]:
    """`cmbot explain --json`: findings and codes worded in `lang`, notices as sentences."""
    shown = present_explanation(explanation, lang)
    return {
        "findings": [_finding_json(f, lang) for f in shown.findings],
        "codes": [c.model_dump(mode="json") for c in shown.codes],
        "notices": [notice_text(n, lang) for n in shown.notices],
    }


def report_json(report: HostReport, lang: Lang) -> dict[str, Any]:
    """One host of `cmbot check --json`: the report's data plus its verdict and checklist worded."""
    shown = present_report(report, lang)
    data = shown.model_dump(mode="json", exclude={"checks", "findings", "reason"})
    data["verdict"] = report_verdict(shown, lang)
    data["checks"] = [
        {
            "name": check_name(item, lang),
            "status": item.status,
            "detail": check_detail(item, lang),
            "check": item.check,
            "cause": item.cause,
        }
        for item in shown.checks
    ]
    data["findings"] = [_finding_json(f, lang) for f in shown.findings]
    return data


def explanation_line(explanation: Explanation, lang: Lang) -> str:
    """The first line: the top cause and its code, or that none was found."""
    explanation = present_explanation(explanation, lang)
    if not explanation.findings:
        line = _l(lang, "none")
        if explanation.codes:
            line += _l(lang, "decoded", count=len(explanation.codes))
        return line
    top = explanation.findings[0]
    line = f"{top.id}: {top.title}"
    code = next((info.code for info in explanation.codes if top.id in info.causes), None)
    if code and code.lower() not in line.lower():
        line += f" ({code})"
    if len(explanation.findings) > 1:
        line += f" [{_l(lang, 'more', count=len(explanation.findings) - 1)}]"
    return line


def _evidence_line(evidence: Evidence, lang: Lang) -> str:
    place = evidence_place(evidence, lang)
    parts = [place] if place else []
    if evidence.timestamp is not None:
        parts.append(evidence.timestamp.isoformat(sep=" "))
    if evidence.component:
        parts.append(f"[{evidence.component}]")
    if evidence.severity:
        parts.append(evidence.severity)
    if evidence.count > 1:
        parts.append("(" + _l(lang, "repeated", count=evidence.count, line=evidence.last_line or "?") + ")")
    parts.append(evidence_text(evidence, lang).replace("\n", " ⏎ "))
    return " ".join(parts)


def _code_line(info: CodeInfo) -> str:
    line = info.code
    if info.name:
        line += f" {info.name}"
    if info.meaning:
        line += f": {info.meaning}"
    if info.causes:
        line += f" → {', '.join(info.causes)}"
    return line


def print_finding(finding: Finding, lang: Lang, out: TextIO, *, heading: bool) -> None:
    """A presented finding: cause, numbered remedy, links, evidence."""
    if heading:
        print(f"\n{finding.id}: {finding.title}", file=out)
    confidence = _l(lang, "confidence", value=f"{finding.confidence:.2f}")
    print(f"{_l(lang, 'cause')} ({confidence}): {finding.summary}", file=out)
    if finding.remedy:
        print(f"{_l(lang, 'remedy')}:", file=out)
        for number, step in enumerate(finding.remedy, start=1):
            print(f"  {number}. {step}", file=out)
    if finding.links:
        print(f"{_l(lang, 'links')}:", file=out)
        for link in finding.links:
            print(f"  {link}", file=out)
    if finding.evidence:
        print(f"{_l(lang, 'evidence')}:", file=out)
        for evidence in finding.evidence:
            print(f"  {_evidence_line(evidence, lang)}", file=out)


def print_explanation(explanation: Explanation, lang: Lang, out: TextIO) -> None:
    """Human output: the verdict first, then each cause, its numbered remedy, links and evidence."""
    explanation = present_explanation(explanation, lang)
    print(explanation_line(explanation, lang), file=out)
    for index, finding in enumerate(explanation.findings):
        print_finding(finding, lang, out, heading=index > 0)
    if explanation.codes:
        print(f"{_l(lang, 'codes')}:", file=out)
        for info in explanation.codes:
            print(f"  {_code_line(info)}", file=out)
    if explanation.notices:
        print(f"{_l(lang, 'notices')}:", file=out)
        for notice in explanation.notices:
            print(f"  {notice_text(notice, lang)}", file=out)


def print_report(report: HostReport, lang: Lang, out: TextIO) -> None:
    """Verdict first, then the checklist, then each finding with remedy, links and evidence."""
    report = present_report(report, lang)
    print(f"{report.host}: {report_verdict(report, lang)}", file=out)
    if report.checks:
        print(f"{_l(lang, 'checklist')}:", file=out)
        for item in report.checks:
            print(f"  {MARKS[item.status]} {check_name(item, lang)}: {check_detail(item, lang)}", file=out)
    for finding in report.findings:
        print(f"\n{finding.id}: {finding.title}", file=out)
        print_finding(finding, lang, out, heading=False)
