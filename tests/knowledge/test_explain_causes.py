"""Issue 2 acceptance: every article cause from a log snippet and from its code or symbol, en and ja."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render.present import present_explanation
from knowledge.causes import ARTICLE_CAUSES
from knowledge.explain import build_knowledge, explain, explain_file, explain_with
from knowledge.findings import Explanation, Lang
from knowledge.loader import load_entries
from knowledge.logreader import parse_lines

FIXTURES = Path(__file__).parent / "fixtures" / "logs"
LANGS: tuple[Lang, ...] = ("en", "ja")
KB = load_entries()
ENGINES = {"hyperscan": build_knowledge(KB, "hyperscan"), "re": build_knowledge(KB, "re")}


def snippet(cause: str) -> Path:
    (path,) = FIXTURES.glob(f"{cause}.*")
    return path


def code_or_symbol(cause: str) -> str:
    entry = KB.get(cause)
    assert entry is not None
    return (entry.codes or entry.symbols)[0]


def assert_finding(explanation: Explanation, cause: str, lang: Lang) -> None:
    entry = KB.get(cause)
    assert entry is not None
    ids = [finding.id for finding in explanation.findings]
    assert cause in ids, f"{cause} not in {ids}"
    finding = explanation.findings[ids.index(cause)]
    text = entry.text(lang)
    assert finding.title == text.title
    assert finding.summary == text.cause
    assert len(finding.remedy) == len(text.remedy)
    assert finding.remedy[0].startswith(text.remedy[0].text)
    assert finding.links and all(link.startswith("http") for link in finding.links)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("cause", ARTICLE_CAUSES)
def test_cause_from_log_snippet(cause: str, lang: Lang) -> None:
    """The snippet file's top finding is its cause, with evidence carrying file, line and time."""
    explanation = present_explanation(explain_file(snippet(cause)), lang)
    assert_finding(explanation, cause, lang)
    top = explanation.findings[0]
    assert top.id == cause
    evidence = top.evidence[0]
    assert evidence.file == snippet(cause).name
    assert evidence.line is not None
    assert evidence.timestamp is not None


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("cause", ARTICLE_CAUSES)
def test_cause_from_code_or_symbol_alone(cause: str, lang: Lang) -> None:
    """The entry's first code (or symbol) typed alone names the cause."""
    explanation = present_explanation(explain(code_or_symbol(cause)), lang)
    assert_finding(explanation, cause, lang)


@pytest.mark.parametrize("cause", ARTICLE_CAUSES)
def test_code_alone_is_less_confident_than_log_match(cause: str) -> None:
    """A bare code is weaker evidence than a matching log line."""
    from_log = {f.id: f.confidence for f in explain_file(snippet(cause)).findings}
    from_code = {f.id: f.confidence for f in explain(code_or_symbol(cause)).findings}
    assert from_code[cause] < from_log[cause]


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("0x80072EE2", {"ERROR_WINHTTP_TIMEOUT", "WININET_E_TIMEOUT", "ERROR_INTERNET_TIMEOUT"}),
        ("0x80244022", {"WU_E_PT_HTTP_STATUS_SERVICE_UNAVAIL"}),
        ("0x800704C7", {"ERROR_CANCELLED"}),
        ("0x8007000E", {"E_OUTOFMEMORY"}),
        ("0x800B0001", {"TRUST_E_PROVIDER_UNKNOWN"}),
    ],
)
def test_codes_decode_to_names(code: str, names: set[str]) -> None:
    """The article codes decode to their names through explain."""
    (info,) = explain(code.lower()).codes
    assert info.code == code
    assert info.name is not None
    assert names & {info.name, *info.aliases}, info.name


@pytest.mark.parametrize(
    "symbol",
    [
        "CCM_E_BAD_HTTP_STATUS_CODE",
        "CCM_E_NO_CLIENT_PKI_CERT",
        "ERROR_WINHTTP_NAME_NOT_RESOLVED",
        "ERROR_WINHTTP_TIMEOUT",
    ],
)
def test_ccmhttp_symbols_decode(symbol: str) -> None:
    """The four CCMHTTP symbols from the first article decode and point at mp-unreachable."""
    explanation = explain(f"Text={symbol}")
    assert any(symbol in [info.name, *info.aliases] for info in explanation.codes)
    assert explanation.findings[0].id == "mp-unreachable"


def test_normal_lines_give_no_finding() -> None:
    """A completed scan, a finished download and a successful request explain to nothing."""
    explanation = explain_file(FIXTURES / "normal.log")
    assert explanation.findings == []


def test_unrelated_code_decodes_without_finding() -> None:
    """An error code no entry lists is decoded but yields no finding."""
    explanation = explain("Install failed with 0x80070005 on this device")
    assert [info.code for info in explanation.codes] == ["0x80070005"]
    assert "E_ACCESSDENIED" in (explanation.codes[0].name or "")
    assert explanation.codes[0].causes == []
    assert explanation.findings == []


@pytest.mark.parametrize("engine", ["hyperscan", "re"])
@pytest.mark.parametrize("entry_id", [entry.id for entry in KB])
def test_entry_examples_through_real_matcher(entry_id: str, engine: str) -> None:
    """Every entry's examples.match lines find it and its no_match lines do not (both engines)."""
    kb = ENGINES[engine]
    entry = KB.get(entry_id)
    assert entry is not None
    if entry.patterns:
        for line in entry.examples.match:
            ids = {cause.entry_id for cause in kb.matcher.scan(parse_lines(line)).causes}
            assert entry_id in ids, f"{entry_id}: example {line!r} not matched"
    else:
        for line in entry.examples.match:
            assert entry_id in [f.id for f in explain_with(kb, line).findings], f"{entry_id}: {line!r}"
    for line in entry.examples.no_match:
        ids = {cause.entry_id for cause in kb.matcher.scan(parse_lines(line)).causes}
        assert entry_id not in ids, f"{entry_id}: no_match example {line!r} matched"
