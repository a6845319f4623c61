"""`cmbot kb validate [DIR]` and `cmbot kb list`: check and list knowledge entries."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.settings import Settings
from knowledge.findings import DEFAULT_LANG, LANGS
from knowledge.loader import BUILTIN_DIR, KnowledgeError, load_entries, validate_dir


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("kb", help="validate or list knowledge entries")
    actions = parser.add_subparsers(dest="kb_action", metavar="ACTION", required=True)
    validate = actions.add_parser("validate", help="check a directory of entries (default: all loaded)")
    validate.add_argument("directory", nargs="?", type=Path)
    validate.set_defaults(handler=_validate)
    listing = actions.add_parser("list", help="list entry ids and titles")
    listing.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG)
    listing.set_defaults(handler=_list)


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    directories = [args.directory] if args.directory else [BUILTIN_DIR, *settings.kb_dirs]
    total, problems = 0, []
    for directory in directories:
        good, found = validate_dir(directory)
        total += good
        problems.extend(found)
    if problems:
        print("\n".join(problems))
        return 1
    print(f"OK: {total} entries")
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    try:
        kb = load_entries(settings.kb_dirs)
    except KnowledgeError as exc:
        print(exc)
        return 1
    for entry in kb:
        print(f"{entry.id:32} {entry.text(args.lang).title}")
    return 0
