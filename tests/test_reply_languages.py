"""Adding a reply language is `Lang` in knowledge/findings.py, a catalog file and a text per entry
and per command-table form (docs/ARCHITECTURE.md): no other module may spell a language code, or
the new language would silently miss that path (an argparse choice, a locale match, a toggle)."""

from __future__ import annotations

import ast
from pathlib import Path

from knowledge.findings import LANGS, lang_named, next_lang

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("knowledge", "probes", "lab", "bot", "handlers")
MAY_SPELL = {
    Path("knowledge/findings.py"): "Lang and LANGS: the languages",
    Path("handlers/command_table.py"): "each command form's help line per language, like a KB entry's texts",
    Path("bot/loopback/web_api.py"): "the Slack stand-in answers users.info with Slack's own default locale",
}


def _spelled(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
        if lang_named(text) is not None and len(text) <= 5:  # "ja", "ja-JP", "en_US"
            found.append((node.lineno, text))
    return found


def test_no_module_but_the_language_list_spells_a_language_code() -> None:
    spelled = {
        f"{path.relative_to(ROOT)}:{line}": value
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.relative_to(ROOT) not in MAY_SPELL
        for line, value in _spelled(path)
    }
    assert spelled == {}, "use LANGS, lang_named() or next_lang() from knowledge/findings.py"


def test_the_scan_sees_a_spelled_code(tmp_path: Path) -> None:
    """The ratchet can fail: a module comparing with "ja" is found."""
    module = tmp_path / "m.py"
    module.write_text('lang = "ja" if locale.startswith("ja") else "en"\n', encoding="utf-8")
    assert sorted(value for _, value in _spelled(module)) == ["en", "ja", "ja"]


def test_locale_names_its_language() -> None:
    """Slack's users.info `locale` is an IETF tag (ja-JP, en-US); its first subtag picks the language."""
    assert [lang_named(code) for code in ("ja-JP", "en-US", "EN_gb", "ja", "fr-FR", "", None)] == [
        "ja",
        "en",
        "en",
        "ja",
        None,
        None,
        None,
    ]


def test_the_language_button_visits_every_language() -> None:
    seen = [LANGS[0]]
    while (following := next_lang(seen[-1])) != LANGS[0]:
        seen.append(following)
    assert seen == list(LANGS)
