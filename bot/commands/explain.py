"""`cmbot explain [TEXT | -] [--file PATH] [--json] [--lang en|ja]`: explain codes and log text."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.render.text import explanation_json, print_explanation, print_report, report_json
from bot.settings import Settings
from knowledge.explain import MAX_INPUT_BYTES, explain, explain_file
from knowledge.findings import DEFAULT_LANG, LANGS, Explanation, Lang
from knowledge.loader import KnowledgeError
from probes.collected import collected_report, report_explanation
from probes.report import HostReport


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain an error code, symbol or log text",
        description="Explain error codes, symbols and ConfigMgr/Windows Update log lines.",
    )
    parser.add_argument("text", nargs="*", metavar="TEXT", help="code, symbol or log text; '-' reads stdin")
    parser.add_argument("--file", type=Path, metavar="PATH", help="a log file or a zip of CCM\\Logs")
    parser.add_argument("--json", action="store_true", help="print the explanation as one JSON object")
    parser.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the explanation")
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
    if args.json:
        shown = explanation_json(report_explanation(report), args.lang)
        print(json.dumps({**shown, "report": report_json(report, args.lang)}, ensure_ascii=False))
    else:
        print_report(report, args.lang, sys.stdout)
    return 0


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_INPUT_BYTES + 1)


def _explain_input(args: argparse.Namespace, kb_dirs: tuple[Path, ...]) -> Explanation | HostReport:
    """`cmbot collect` output gets the live check's report; anything else is explained as logs."""
    if args.file is not None:
        report = collected_report(_read_head(args.file), kb_dirs=kb_dirs)
        return report if report is not None else explain_file(args.file, kb_dirs=kb_dirs)
    if args.text == ["-"]:
        data = _read_stdin()
        report = collected_report(data, kb_dirs=kb_dirs)
        return report if report is not None else explain(data, source="stdin", kb_dirs=kb_dirs)
    return explain(" ".join(args.text), kb_dirs=kb_dirs)


def run(args: argparse.Namespace, settings: Settings) -> int:
    lang: Lang = args.lang
    if args.file is not None and args.text:
        return _fail("give TEXT, '-' or --file PATH, not both")
    if args.file is None and not args.text:
        return _fail("give TEXT, '-' for stdin, or --file PATH")
    if args.file is not None and args.file.is_dir():
        return _fail(f"{args.file} is a directory; give a log file or a zip")
    try:
        result = _explain_input(args, settings.kb_dirs)
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
        print(json.dumps(explanation_json(result, lang), ensure_ascii=False))
    else:
        print_explanation(result, lang, sys.stdout)
    return 0
