"""`cmbot explain [TEXT | -] [--file PATH] [--json] [--lang en|ja]`: explain codes and log text."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from bot.settings import Settings
from knowledge.explain import MAX_INPUT_BYTES, explain, explain_file
from knowledge.findings import CodeInfo, Evidence, Explanation, Finding, Lang
from knowledge.loader import KnowledgeError
from probes.collected import collected_report, report_explanation
from probes.report import HostReport

_LABELS: dict[Lang, dict[str, str]] = {
    "en": {
        "none": "No known cause found",
        "decoded": "{count} code(s) decoded",
        "more": "+{count} more",
        "cause": "Cause",
        "remedy": "Remedy",
        "links": "Links",
        "evidence": "Evidence",
        "codes": "Codes",
        "notices": "Notes",
        "confidence": "confidence",
        "repeated": "repeated {count}x, last at line {line}",
    },
    "ja": {
        "none": "既知の原因は見つかりませんでした",
        "decoded": "コードを {count} 件デコードしました",
        "more": "ほか {count} 件",
        "cause": "原因",
        "remedy": "対処",
        "links": "リンク",
        "evidence": "根拠",
        "codes": "コード",
        "notices": "注意",
        "confidence": "確度",
        "repeated": "{count} 回繰り返し、最後は {line} 行目",
    },
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain an error code, symbol or log text",
        description="Explain error codes, symbols and ConfigMgr/Windows Update log lines.",
    )
    parser.add_argument("text", nargs="*", metavar="TEXT", help="code, symbol or log text; '-' reads stdin")
    parser.add_argument("--file", type=Path, metavar="PATH", help="a log file or a zip of CCM\\Logs")
    parser.add_argument("--json", action="store_true", help="print the explanation as one JSON object")
    parser.add_argument("--lang", choices=("en", "ja"), default="en", help="language of the explanation")
    parser.set_defaults(handler=run)


def _fail(message: str) -> int:
    print(f"cmbot explain: {message}", file=sys.stderr)
    return 2


def _read_stdin() -> bytes | str:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        data: bytes = buffer.read(MAX_INPUT_BYTES + 1)
        return data
    text: str = sys.stdin.read(MAX_INPUT_BYTES + 1)
    return text


def _print_collected(report: HostReport, args: argparse.Namespace) -> int:
    """`cmbot collect` output: the live check's answer (checklist and findings)."""
    from bot.commands.check import print_report  # noqa: PLC0415 - check imports this module

    if args.json:
        print(json.dumps(report_explanation(report).model_dump(mode="json"), ensure_ascii=False))
    else:
        print_report(report, args.lang, sys.stdout)
    return 0


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_INPUT_BYTES + 1)


def _explain_input(
    args: argparse.Namespace, lang: Lang, kb_dirs: tuple[Path, ...]
) -> Explanation | HostReport:
    """`cmbot collect` output gets the live check's report; anything else is explained as logs."""
    if args.file is not None:
        report = collected_report(_read_head(args.file), lang=lang, kb_dirs=kb_dirs)
        return report if report is not None else explain_file(args.file, lang=lang, kb_dirs=kb_dirs)
    if args.text == ["-"]:
        data = _read_stdin()
        report = collected_report(data, lang=lang, kb_dirs=kb_dirs)
        return report if report is not None else explain(data, lang=lang, source="stdin", kb_dirs=kb_dirs)
    return explain(" ".join(args.text), lang=lang, kb_dirs=kb_dirs)


def run(args: argparse.Namespace, settings: Settings) -> int:
    lang: Lang = args.lang
    if args.file is not None and args.text:
        return _fail("give TEXT, '-' or --file PATH, not both")
    if args.file is None and not args.text:
        return _fail("give TEXT, '-' for stdin, or --file PATH")
    if args.file is not None and args.file.is_dir():
        return _fail(f"{args.file} is a directory; give a log file or a zip")
    try:
        result = _explain_input(args, lang, settings.kb_dirs)
    except KnowledgeError as exc:
        return _fail(
            f"the knowledge base does not load ({len(exc.problems)} problem(s)); run `cmbot kb validate`"
        )
    except FileNotFoundError:
        return _fail(f"no such file: {args.file}")
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or type(exc).__name__}")
    if isinstance(result, HostReport):
        return _print_collected(result, args)
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    else:
        print_explanation(result, lang, sys.stdout)
    return 0


def verdict(explanation: Explanation, lang: Lang) -> str:
    """The first line: the top cause and its code, or that none was found."""
    labels = _LABELS[lang]
    if not explanation.findings:
        line = labels["none"]
        if explanation.codes:
            line += "; " + labels["decoded"].format(count=len(explanation.codes))
        return line
    top = explanation.findings[0]
    line = f"{top.id}: {top.title}"
    code = next((info.code for info in explanation.codes if top.id in info.causes), None)
    if code and code.lower() not in line.lower():
        line += f" ({code})"
    if len(explanation.findings) > 1:
        line += f" [{labels['more'].format(count=len(explanation.findings) - 1)}]"
    return line


def _evidence_line(evidence: Evidence, lang: Lang) -> str:
    place = ":".join(str(part) for part in (evidence.file, evidence.line) if part is not None)
    parts = [place] if place else []
    if evidence.timestamp is not None:
        parts.append(evidence.timestamp.isoformat(sep=" "))
    if evidence.component:
        parts.append(f"[{evidence.component}]")
    if evidence.severity:
        parts.append(evidence.severity)
    if evidence.count > 1:
        parts.append(
            "(" + _LABELS[lang]["repeated"].format(count=evidence.count, line=evidence.last_line) + ")"
        )
    parts.append(evidence.text.replace("\n", " ⏎ "))
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
    labels = _LABELS[lang]
    if heading:
        print(f"\n{finding.id}: {finding.title}", file=out)
    print(f"{labels['cause']} ({labels['confidence']} {finding.confidence:.2f}): {finding.summary}", file=out)
    if finding.remedy:
        print(f"{labels['remedy']}:", file=out)
        for number, step in enumerate(finding.remedy, start=1):
            print(f"  {number}. {step}", file=out)
    if finding.links:
        print(f"{labels['links']}:", file=out)
        for link in finding.links:
            print(f"  {link}", file=out)
    if finding.evidence:
        print(f"{labels['evidence']}:", file=out)
        for evidence in finding.evidence:
            print(f"  {_evidence_line(evidence, lang)}", file=out)


def print_explanation(explanation: Explanation, lang: Lang, out: TextIO) -> None:
    """Human output: the verdict first, then each cause, its numbered remedy, links and evidence."""
    labels = _LABELS[lang]
    print(verdict(explanation, lang), file=out)
    for index, finding in enumerate(explanation.findings):
        print_finding(finding, lang, out, heading=index > 0)
    if explanation.codes:
        print(f"{labels['codes']}:", file=out)
        for info in explanation.codes:
            print(f"  {_code_line(info)}", file=out)
    if explanation.notices:
        print(f"{labels['notices']}:", file=out)
        for notice in explanation.notices:
            print(f"  {notice}", file=out)
