"""The message catalogs: one per language, the same keys and placeholders, Japanese in ja.yaml,
and every key the code asks for present (a missing one fails here, not in a user's reply)."""

import re
from pathlib import Path

import pytest
import yaml

from bot.render.i18n import CATALOG_DIR, catalog, load_catalog
from knowledge.causes import CAUSE_IDS
from tests._words import LATIN_TERMS, japanese_entry_words, latin_words_left

ROOT = Path(__file__).resolve().parents[3]


def test_japanese_catalog_is_japanese() -> None:
    """Every Latin word in ja.yaml is a name (product, log, service) the Japanese entries also use."""
    allowed = japanese_entry_words() | set(CAUSE_IDS)
    left = {
        key: words
        for key, text in catalog().messages["ja"].items()
        if (words := latin_words_left(re.sub(r"\{[a-z_]+\}", " ", text), allowed=allowed))
    }
    assert left == {}


def test_english_catalog_has_no_japanese() -> None:
    """en.yaml is English: no Japanese at all (the language button names the language it switches
    to in that language's own catalog, `ui.language_name`)."""
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    found = [key for key, text in catalog().messages["en"].items() if japanese.search(text)]
    assert found == []


def test_a_key_missing_in_one_language_names_the_file_and_key(tmp_path: Path) -> None:
    """A catalog without a key its English has fails at load, naming the language file and the key."""
    for name in ("en", "ja"):
        (tmp_path / f"{name}.yaml").write_text((CATALOG_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    ja = yaml.safe_load((tmp_path / "ja.yaml").read_text(encoding="utf-8"))
    del ja["ui.rerun"]
    (tmp_path / "ja.yaml").write_text(yaml.safe_dump(ja, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"ja\.yaml: missing \['ui\.rerun'\]"):
        load_catalog(tmp_path)


def test_every_literal_key_the_code_asks_for_is_in_the_catalog() -> None:
    """`say(lang, "x.y")`, `said("x.y")` and `_l(lang, "y")` in the code name keys that exist."""
    keys = set(catalog().messages["en"])
    asked: set[str] = set()
    for path in [
        *ROOT.glob("bot/**/*.py"),
        *ROOT.glob("handlers/*.py"),
        *ROOT.glob("probes/*.py"),
        *ROOT.glob("knowledge/**/*.py"),
    ]:
        source = path.read_text(encoding="utf-8")
        asked |= set(re.findall(r"\bsaid\(\s*\"([a-z_]+\.[a-z_.]+)\"", source))
        asked |= set(re.findall(r"\bsay\(\s*\w+,\s*\"([a-z_]+\.[a-z_.]+)\"", source))
    assert asked, "the scan found no keys: the pattern is stale"
    assert sorted(asked - keys) == []


def test_latin_terms_are_names_not_sentences() -> None:
    """The allow-list of the no-English tests holds names only (no common English words)."""
    common = {"the", "and", "not", "could", "read", "check", "failed", "error", "found", "host"}
    assert not {t.lower() for t in LATIN_TERMS} & common
