"""Block Kit messages built as pure functions: core results in, `Message` (text + blocks) out.

The top-level `text` carries the verdict (mobile push shows only that); blocks start with it
too. Every builder ends in `fit()`, which enforces Slack's limits whatever the input.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.render.i18n import phrase, say
from bot.render.present import evidence_place, notice_text, present_explanation, present_report
from bot.render.present import evidence_text as fact_text
from bot.render.verdict import check_line, mark, report_verdict
from knowledge.findings import DEFAULT_LANG, Evidence, Explanation, Finding, Lang, Phrase, next_lang
from probes.report import HostReport

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_TEXT_CHARS = 3000
MAX_BLOCK_JSON_CHARS = 12_000
MAX_ACTIONS = 25

Block = dict[str, Any]


def _l(lang: Lang, key: str, **params: str | int | float) -> str:
    """A label from the catalog (`ui.<key>`)."""
    return say(lang, f"ui.{key}", None, **params)


def language_button(lang: Lang) -> str:
    """The language button's label: the language it switches to, named in that language."""
    return say(next_lang(lang), "ui.language_name")


@dataclass
class Message:
    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, MAX_SECTION_CHARS)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, MAX_SECTION_CHARS)}]}


def _button(text: str, action_id: str, value: str) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": cut(text, 75)},
        "action_id": action_id,
        "value": cut(value, 2000),
    }


def escape(text: str) -> str:
    """Slack mrkdwn needs &, < and > escaped; user-controlled text is never a link or mention
    (https://docs.slack.dev/messaging/formatting-message-text#escaping). Inbound text is decoded
    first (`handlers.slack_text.from_slack`), so this runs exactly once on the way out."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str) -> str:
    """User text shown as typed: escaped, in a code span so `*`, `_` and `~` stay literal (mrkdwn
    has no escape for them). A backtick inside would end the span, so it becomes U+02CB."""
    flat = " ".join(text.replace("`", "\u02cb").split())
    return f"`{escape(flat)}`" if flat else ""


def fit(message: Message) -> Message:
    """Clamp to Block Kit limits: block count, text sizes, actions, total block size. Trailing
    actions blocks (the buttons) are kept: content is cut before them."""
    blocks = [b for b in message.blocks if b]
    for block in blocks:
        if block["type"] == "actions":
            block["elements"] = block["elements"][:MAX_ACTIONS]
        if block["type"] == "header":
            block["text"]["text"] = cut(block["text"]["text"], MAX_HEADER_CHARS)
    split = len(blocks)
    while split > 1 and blocks[split - 1]["type"] == "actions":
        split -= 1
    body, tail = blocks[:split], blocks[split:]
    if len(body) + len(tail) > MAX_BLOCKS:
        body = [*body[: MAX_BLOCKS - len(tail) - 1], _context("…")]
    budget = MAX_BLOCK_JSON_CHARS - len(json.dumps(tail, ensure_ascii=False))
    while len(json.dumps(body, ensure_ascii=False)) > budget and len(body) > 2:
        body = [*body[:-2], _context("…")]
    return Message(text=cut(message.text, MAX_TEXT_CHARS), blocks=body + tail)


def _evidence_line(e: Evidence, lang: Lang) -> str:
    place = evidence_place(e, lang)
    when = e.timestamp.isoformat(sep=" ") if e.timestamp else ""
    repeat = f" ×{e.count}" if e.count > 1 else ""
    head = " ".join(p for p in (place, when) if p)
    text = cut(fact_text(e, lang), 300)
    return f"`{escape(head)}`{repeat} {code(text)}" if head else code(text)


def _finding_blocks(finding: Finding, lang: Lang, *, evidence: bool) -> list[Block]:
    """A presented finding (`bot.render.present`): title, summary, remedy, links, evidence."""
    steps = "\n".join(f"{n}. {escape(step)}" for n, step in enumerate(finding.remedy, start=1))
    blocks = [
        _section(f"*{escape(finding.title)}*\n{escape(finding.summary)}"),
        _section(f"*{_l(lang, 'remedy')}*\n{steps}") if steps else {},
    ]
    if finding.links:
        blocks.append(
            _context(f"{_l(lang, 'links')}: " + "  ".join(f"<{link}>" for link in finding.links[:5]))
        )
    if evidence and finding.evidence:
        lines = "\n".join(_evidence_line(e, lang) for e in finding.evidence[:5])
        blocks.append(_section(f"*{_l(lang, 'evidence')}*\n{lines}"))
    return blocks


def explanation_verdict(explanation: Explanation, lang: Lang) -> str:
    """The top cause's title (with its code), else the first code's meaning, else "none found"."""
    explanation = present_explanation(explanation, lang)
    if explanation.findings:
        top = explanation.findings[0]
        code = next((c.code for c in explanation.codes if top.id in c.causes), None)
        return f"{top.title}" + (f" ({code})" if code and code not in top.title else "")
    if explanation.codes:
        first = explanation.codes[0]
        return f"{first.code} {first.name or ''}: {first.meaning or ''}".strip()
    return _l(lang, "none")


def explanation_cause(explanation: Explanation) -> str:
    """The cause a verdict names, for feedback: the top finding's ID, else the code, else none."""
    if explanation.findings:
        return explanation.findings[0].id
    return explanation.codes[0].code if explanation.codes else "none"


def report_cause(report: HostReport) -> str:
    return report.findings[0].id if report.findings else (report.outcome or "unreachable")


FEEDBACK_ACTIONS = ("cmbot_feedback_right", "cmbot_feedback_wrong")


def feedback_block(answer: str, cause: str, kind: str, lang: Lang) -> Block:
    """ "Right cause? 👍 / 👎" under a verdict. The value names the answer, the cause and the kind
    of input (paste, command, shortcut, file, comment, check): a vote needs nothing else."""
    value = f"{answer}|{cause}|{kind}"
    return {
        "type": "actions",
        "block_id": "cmbot_feedback",
        "elements": [
            _button(_l(lang, "right"), FEEDBACK_ACTIONS[0], value),
            _button(_l(lang, "wrong"), FEEDBACK_ACTIONS[1], value),
        ],
    }


def explanation_message(
    explanation: Explanation,
    lang: Lang,
    *,
    evidence: bool = True,
    token: str = "",
    buttons: bool = True,
    feedback: tuple[str, str] | None = None,
) -> Message:
    """Verdict first, then the top cause's summary, remedy and links (what to do at 3 a.m.); other
    causes as one line each, codes after. With a `token` (see `handlers.sources`), buttons post
    every cause's remedy steps or the full evidence in the thread, or switch the language. With
    `feedback` (answer ID, input kind) the verdict asks "right cause?"."""
    explanation = present_explanation(explanation, lang)
    verdict = explanation_verdict(explanation, lang)
    blocks: list[Block] = [_section(f"*{escape(verdict)}*")]
    if explanation.findings:
        top = explanation.findings[0]
        # a typed code is not evidence worth a block; lines read from a log or a paste are
        found = _finding_blocks(top, lang, evidence=evidence and has_log_evidence(explanation))
        if verdict.startswith(top.title):
            found[0] = _section(escape(top.summary))  # the verdict line already names it
        blocks.extend(found)
    others = explanation.findings[1:]
    if others:
        lines = "\n".join(f"• *{escape(f.title)}* {escape(cut(f.summary, 200))}" for f in others[:5])
        more = f"\n{_l(lang, 'more', count=len(others) - 5)}" if len(others) > 5 else ""
        blocks.extend([{"type": "divider"}, _section(f"*{_l(lang, 'also')}*\n{lines}{more}")])
    if explanation.codes:
        codes = "\n".join(
            f"`{escape(c.code)}` {escape(c.name or '')} {escape(cut(c.meaning or '', 200))}"
            for c in explanation.codes[:10]
        )
        blocks.append(_context(f"{_l(lang, 'codes')}: {codes}"))
    for notice in explanation.notices[:3]:
        blocks.append(_context(escape(notice_text(notice, lang))))
    if buttons and token:
        elements = []
        if any(f.remedy for f in explanation.findings):
            elements.append(_button(_l(lang, "remedy_button"), "cmbot_remedy", token))
        if has_log_evidence(explanation):
            elements.append(_button(_l(lang, "evidence_button"), "cmbot_evidence", token))
        elements.append(_button(language_button(lang), "cmbot_lang", token))
        blocks.append({"type": "actions", "elements": elements})
    if buttons and feedback:
        blocks.append(feedback_block(feedback[0], explanation_cause(explanation), feedback[1], lang))
    return fit(Message(text=escape(verdict), blocks=blocks))


def has_log_evidence(explanation: Explanation) -> bool:
    """Evidence read from a log or a paste (with line numbers), not just the code that was typed."""
    return any(e.line is not None for f in explanation.findings for e in f.evidence)


def remedy_message(explanation: Explanation, lang: Lang) -> Message:
    """The thread reply behind "Remedy steps": every cause's numbered steps and links."""
    explanation = present_explanation(explanation, lang)
    verdict = explanation_verdict(explanation, lang)
    text = _l(lang, "remedy_head", verdict=verdict)
    blocks: list[Block] = [_section(f"*{escape(text)}*")]
    for finding in explanation.findings:
        steps = "\n".join(f"{n}. {escape(step)}" for n, step in enumerate(finding.remedy, start=1))
        blocks.append(_section(f"*{escape(finding.title)}*\n{steps or escape(finding.summary)}"))
        if finding.links:
            blocks.append(_context(f"{_l(lang, 'links')}: " + "  ".join(f"<{u}>" for u in finding.links[:5])))
    return fit(Message(text=escape(text), blocks=blocks))


def _full_evidence_line(e: Evidence, lang: Lang) -> str:
    line = _l(lang, "line", line=e.line) if e.line else ""
    place = f"{e.file}:{e.line}" if e.file and e.line is not None else line
    if e.fact is not None:
        place = evidence_place(e, lang)
    if e.last_line is not None and e.last_line != e.line:
        place += f"-{e.last_line}"
    times = " – ".join(t.isoformat(sep=" ") for t in (e.timestamp, e.last_timestamp) if t is not None)
    repeat = f" ×{e.count}" if e.count > 1 else ""
    component = f" [{e.component}]" if e.component else ""
    head = " ".join(p for p in (place, times) if p)
    return f"{head}{repeat}{component} {fact_text(e, lang)}".strip()


def evidence_text(explanation: Explanation, lang: Lang) -> str:
    """All evidence, whole lines, as plain text: the file attached when it is too long for blocks."""
    explanation = present_explanation(explanation, lang)
    out = [_l(lang, "evidence_head", verdict=explanation_verdict(explanation, lang)), ""]
    for finding in explanation.findings:
        if finding.evidence:
            out.append(f"## {finding.id}: {finding.title}")
            out.extend(_full_evidence_line(e, lang) for e in finding.evidence)
            out.append("")
    return "\n".join(out)


def details_file_note(lang: Lang, count: int) -> str:
    return _l(lang, "details_file", count=count)


def evidence_file_note(lang: Lang, count: int) -> str:
    return _l(lang, "evidence_file", count=count)


def evidence_line_count(explanation: Explanation) -> int:
    return sum(len(f.evidence) for f in explanation.findings)


def evidence_message(explanation: Explanation, lang: Lang) -> Message | None:
    """The thread reply behind "Evidence", or None when the whole evidence does not fit in one
    message (then it goes out as a file: nothing is cut)."""
    explanation = present_explanation(explanation, lang)
    text = _l(lang, "evidence_head", verdict=explanation_verdict(explanation, lang))
    blocks: list[Block] = [_section(f"*{escape(text)}*")]
    for finding in explanation.findings:
        if not finding.evidence:
            continue
        lines = "\n".join(f"`{escape(_full_evidence_line(e, lang))}`" for e in finding.evidence)
        body = f"*{escape(finding.title)}*\n{lines}"
        if len(body) > MAX_SECTION_CHARS:
            return None
        blocks.append(_section(body))
    if len(blocks) > MAX_BLOCKS or len(json.dumps(blocks, ensure_ascii=False)) > MAX_BLOCK_JSON_CHARS:
        return None
    return Message(text=escape(text), blocks=blocks)


_mark = mark


def check_pending_message(hosts: list[str], lang: Lang) -> Message:
    names = ", ".join(hosts[:5]) + (f" (+{len(hosts) - 5})" if len(hosts) > 5 else "")
    text = _l(lang, "checking", hosts=names)
    return fit(Message(text=escape(text), blocks=[_section(f"⏳ {escape(text)}")]))


def check_progress_message(hosts: list[str], reports: list[HostReport], lang: Lang) -> Message:
    text = _l(lang, "progress", done=len(reports), total=len(hosts))
    lines = [f"{_mark(r)} `{escape(r.host)}` {escape(report_verdict(r, lang))}" for r in reports[-10:]]
    return fit(
        Message(text=escape(text), blocks=[_section(f"⏳ {escape(text)}"), _section("\n".join(lines) or "…")])
    )


def check_summary_message(
    reports: list[HostReport], lang: Lang, *, token: str = "", answer: str = "", lang_token: str = ""
) -> Message:
    """The updated top message: verdict first (one host) or counts per cause (many). With an
    `answer` (the request ID), a one-host verdict asks "right cause?"; with a `lang_token` (the
    stored reports, `handlers.sources.remember_reports`) a button shows it in the other language."""
    reports = [present_report(r, lang) for r in reports]
    if len(reports) == 1:
        report = reports[0]
        text = f"{report.host}: {report_verdict(report, lang)}"
        blocks = [_section(f"*{escape(text)}*")]
        if report.findings:
            found = _finding_blocks(report.findings[0], lang, evidence=False)
            found[0] = _section(escape(report.findings[0].summary))  # the verdict line names it
            blocks.extend(found)
        blocks.append(_context(_l(lang, "details")))
    else:
        counts: dict[str, int] = {}
        for report in reports:
            key = report.findings[0].id if report.findings else say(lang, f"outcome.{report.outcome}")
            if not report.findings and report.reachable and report.outcome != "healthy":
                key = report_verdict(report, lang).split(":", 1)[0]  # "cannot check", or the failed check
            counts[key] = counts.get(key, 0) + 1
        summary = ", ".join(f"{cause} ×{n}" for cause, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        text = _l(lang, "summary", done=len(reports), total=len(reports)) + f": {summary}"
        blocks = [_section(f"*{escape(text)}*")]
        lines = [f"{_mark(r)} `{escape(r.host)}` {escape(report_verdict(r, lang))}" for r in reports]
        for start in range(0, min(len(lines), 200), 40):
            blocks.append(_section("\n".join(lines[start : start + 40])))
        blocks.append(_context(_l(lang, "details")))
    buttons = []
    if token:
        buttons.append(_button(_l(lang, "rerun"), "cmbot_rerun", token))
    if lang_token:
        buttons.append(_button(language_button(lang), "cmbot_check_lang", lang_token))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    if answer and len(reports) == 1:
        blocks.append(feedback_block(f"{answer}:{reports[0].host}", report_cause(reports[0]), "check", lang))
    return fit(Message(text=escape(text), blocks=blocks))


def check_detail_message(report: HostReport, lang: Lang, *, answer: str = "") -> Message:
    """The thread reply for one host: checklist, then each finding with remedy, links, evidence;
    with an `answer` (the request ID) it asks "right cause?"."""
    report = present_report(report, lang)
    text = f"{report.host}: {report_verdict(report, lang)}"
    blocks: list[Block] = [_section(f"*{escape(text)}*")]
    if report.checks:
        blocks.append(_section("\n".join(escape(check_line(i, lang)) for i in report.checks)))
    for finding in report.findings[:6]:
        blocks.append({"type": "divider"})
        blocks.extend(_finding_blocks(finding, lang, evidence=True))
    if answer:
        blocks.append(feedback_block(f"{answer}:{report.host}", report_cause(report), "check", lang))
    return fit(Message(text=escape(text), blocks=blocks))


def denial_message(reason: Phrase, lang: Lang = DEFAULT_LANG) -> Message:
    """A refusal (a policy decision, a bad name, the rate limit) worded in the reader's language."""
    why = phrase(lang, reason)
    text = _l(lang, "not_allowed", reason=why)
    return fit(Message(text=escape(text), blocks=[_section(f"🚫 {escape(why)}")]))


def notice_message(text: str, *, mark: str = "⚠️") -> Message:
    """A one-line answer (not started, cannot rebuild, expired) as text and blocks together, so a
    chat.update replaces the whole message (blocks left out are kept, per
    https://docs.slack.dev/reference/methods/chat.update)."""
    line = f"{mark} {escape(text)}".strip()
    return fit(Message(text=line, blocks=[_section(line)]))


_NAME_MARK = "\x00"
"""Stands for the file name while the problem is worded and escaped, then becomes its code span."""


def file_problem_message(problem: Phrase, name: str, lang: Lang, *, gone: bool = False) -> Message:
    """Why an upload was not scanned (`{name}` in the problem's message is the file name), or with
    `gone`, why a reply made from it cannot be rebuilt; the file name (any text at all) is shown as
    typed, never as a mention or link (slack-conformance finding 1)."""
    text = say(lang, problem.key, problem.params, name=_NAME_MARK)
    if gone:
        text = say(lang, "act.gone", why=text)
    text = escape(text).replace(_NAME_MARK, code(name) or "`upload`")
    return fit(Message(text=text, blocks=[_section(f"⚠️ {text}")]))


_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_LINK = re.compile(r"<(https?://[^|>]+)(?:\|[^>]*)?>")


def _plain(mrkdwn: str) -> str:
    text = _LINK.sub(r"\1", _BOLD.sub(r"\1", mrkdwn)).replace("`", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render_text(message: Message) -> str:
    """Blocks as readable terminal text (console and logs): mrkdwn marks and escapes removed."""
    return _plain(_render_blocks(message))


def _render_blocks(message: Message) -> str:
    out: list[str] = []
    for block in message.blocks:
        if block["type"] in ("section", "header"):
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out.extend(e.get("text", "") for e in block["elements"])
        elif block["type"] == "divider":
            out.append("—" * 20)
        elif block["type"] == "actions":
            out.append(" ".join(f"[{e['text']['text']}]" for e in block["elements"]))
    return "\n".join(out)
