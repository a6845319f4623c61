"""The one place a finding gets its words: title, summary, remedy steps and links from its
knowledge entry, code meanings from the code tables, notices from the catalog, in one language.

Core results stay language-free (cached, stored behind buttons, re-rendered in the other language
without probing or downloading again); these functions run when a reply is made.
"""

from __future__ import annotations

from bot.render.i18n import phrase, say
from knowledge.codes import decode
from knowledge.explain import knowledge
from knowledge.findings import DEFAULT_LANG, CodeInfo, Evidence, Explanation, Finding, Lang, Notice
from knowledge.models import Entry
from probes.report import HostReport


def remedy_lines(entry: Entry, lang: Lang) -> list[str]:
    """Remedy steps as strings, each with its command and console path."""
    steps: list[str] = []
    for step in entry.text(lang).remedy:
        parts = [step.text]
        if step.command:
            parts.append(say(lang, "remedy.run", command=step.command))
        if step.console_path:
            parts.append(say(lang, "remedy.console", path=step.console_path))
        steps.append(" ".join(parts))
    return steps


def present_finding(finding: Finding, lang: Lang) -> Finding:
    """The finding with its entry's words in `lang` (links in `lang` first); unchanged when no
    entry has its ID."""
    entry = knowledge().base.get(finding.id)
    if entry is None:
        return finding
    text = entry.text(lang)
    links = sorted(entry.links, key=lambda link: link.lang != lang)
    return finding.model_copy(
        update={
            "title": text.title,
            "summary": text.cause,
            "remedy": remedy_lines(entry, lang),
            "links": [link.url for link in links],
        }
    )


def present_code(info: CodeInfo, lang: Lang) -> CodeInfo:
    """The code's meaning from the tables in `lang` (English where the tables have no translation)."""
    if lang == DEFAULT_LANG:
        return info
    again = decode(info.code, lang=lang)
    if again is None or not again.meaning:
        return info
    return info.model_copy(update={"meaning": again.meaning})


def present_explanation(explanation: Explanation, lang: Lang) -> Explanation:
    return explanation.model_copy(
        update={
            "findings": [present_finding(f, lang) for f in explanation.findings],
            "codes": [present_code(c, lang) for c in explanation.codes],
        }
    )


def present_report(report: HostReport, lang: Lang) -> HostReport:
    return report.model_copy(update={"findings": [present_finding(f, lang) for f in report.findings]})


def notice_text(notice: Notice, lang: Lang) -> str:
    return phrase(lang, notice)


def evidence_place(evidence: Evidence, lang: Lang, *, line: bool = True) -> str:
    """Where a piece of evidence comes from: `file:line` for a log line, "live check" (in `lang`)
    for a fact read from the host."""
    if evidence.file is None and evidence.fact is not None:
        return say(lang, "ui.live_check")
    parts = (evidence.file, evidence.line if line else None)
    return ":".join(str(part) for part in parts if part is not None)


def evidence_text(evidence: Evidence, lang: Lang) -> str:
    """A log line as read, or a live-check fact worded in `lang`."""
    return phrase(lang, evidence.fact) if evidence.fact is not None else evidence.text
