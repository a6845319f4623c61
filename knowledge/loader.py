"""Load and validate knowledge entries: the built-in directory plus the caller's (the bot's
`CMBOT_KB_PATH` setting).

A later directory adds entries or overrides built-in ones by id, so a team can extend the
knowledge base without touching code. Loading is cached per set of directories.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge.models import Entry

BUILTIN_DIR = Path(__file__).with_name("entries")


class KnowledgeError(ValueError):
    """One or more entry files are broken; each line names the file, entry and field."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class KnowledgeBase:
    """The loaded entries, in stable order, with lookups by id, code and symbol."""

    entries: tuple[Entry, ...]
    sources: dict[str, Path] = field(default_factory=dict)
    _by_id: dict[str, Entry] = field(default_factory=dict, repr=False)
    _by_code: dict[str, tuple[Entry, ...]] = field(default_factory=dict, repr=False)
    _by_symbol: dict[str, tuple[Entry, ...]] = field(default_factory=dict, repr=False)
    _by_context_code: dict[str, tuple[Entry, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, entries: Sequence[Entry], sources: dict[str, Path] | None = None) -> KnowledgeBase:
        by_code: dict[str, list[Entry]] = {}
        by_symbol: dict[str, list[Entry]] = {}
        by_context: dict[str, list[Entry]] = {}
        for entry in entries:
            for code in entry.context_codes:
                by_context.setdefault(code.upper().replace("0X", "0x"), []).append(entry)
            for code in entry.codes:
                by_code.setdefault(code.upper().replace("0X", "0x"), []).append(entry)
            for symbol in entry.symbols:
                by_symbol.setdefault(symbol.lower(), []).append(entry)
        return cls(
            entries=tuple(entries),
            sources=dict(sources or {}),
            _by_id={e.id: e for e in entries},
            _by_code={k: tuple(v) for k, v in by_code.items()},
            _by_symbol={k: tuple(v) for k, v in by_symbol.items()},
            _by_context_code={k: tuple(v) for k, v in by_context.items()},
        )

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, cause_id: str) -> Entry | None:
        return self._by_id.get(cause_id)

    def by_code(self, code: str) -> tuple[Entry, ...]:
        """Entries for an HRESULT written `0x` + 8 hex digits (any case)."""
        return self._by_code.get("0x" + code[2:].upper() if code[:2].lower() == "0x" else code, ())

    def by_context_code(self, code: str) -> tuple[Entry, ...]:
        """Entries naming the code only in context (a stage failure line or a lookup)."""
        return self._by_context_code.get("0x" + code[2:].upper() if code[:2].lower() == "0x" else code, ())

    def by_symbol(self, name: str) -> tuple[Entry, ...]:
        return self._by_symbol.get(name.lower(), ())


def load_entries(dirs: Sequence[Path] = ()) -> KnowledgeBase:
    """Built-in entries overlaid with the entries in `dirs` (default: the built-in ones only)."""
    return _load((BUILTIN_DIR, *dirs))


@functools.cache
def _load(dirs: tuple[Path, ...]) -> KnowledgeBase:
    entries: dict[str, Entry] = {}
    sources: dict[str, Path] = {}
    problems: list[str] = []
    for directory in dirs:
        if not directory.is_dir():
            problems.append(f"{directory}: not a directory of knowledge entries")
            continue
        for path in sorted(directory.glob("*.y*ml")):
            entry, errors = load_entry_file(path)
            problems.extend(errors)
            if entry is not None:
                entries[entry.id] = entry
                sources[entry.id] = path
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase.build(list(entries.values()), sources)


def validate_dir(directory: Path) -> tuple[int, list[str]]:
    """Validate every entry file in one directory: (entries that loaded, problems)."""
    if not directory.is_dir():
        return 0, [f"{directory}: not a directory"]
    good = 0
    problems: list[str] = []
    for path in sorted(directory.glob("*.y*ml")):
        entry, errors = load_entry_file(path)
        problems.extend(errors)
        good += entry is not None
    return good, problems


def load_entry_file(path: Path) -> tuple[Entry | None, list[str]]:
    """Parse one file; problems name the file, the entry id and the field, with the fix."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [f"{path}: cannot read ({exc.strerror})"]
    except UnicodeDecodeError:
        return None, [f"{path}: not UTF-8 text; save the file as UTF-8"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        return None, [f"{path}:{where}: YAML {problem}"]
    if not isinstance(raw, dict):
        return None, [f"{path}: expected a mapping with id, category, en, ja, links, examples"]
    label = f"entry '{raw.get('id', path.stem)}'"
    try:
        entry = Entry.model_validate(raw)
    except ValidationError as exc:
        return None, [f"{path}: {label}: field {_field(err['loc'])}: {err['msg']}" for err in exc.errors()]
    if entry.id != path.stem:
        return None, [f"{path}: {label}: field id: must equal the file name '{path.stem}'; rename one"]
    return entry, []


def _field(loc: tuple[int | str, ...]) -> str:
    """An error's field as the entry file spells it (a language block is top-level there)."""
    return ".".join(str(part) for part in loc).removeprefix("texts.") or "(top)"
