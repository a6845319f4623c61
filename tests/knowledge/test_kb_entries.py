"""Invariants over every knowledge entry: one per cause, patterns compile, examples behave."""

import re

import pytest

from knowledge.causes import ARTICLE_CAUSES, CAUSE_IDS, EXTRA_CAUSES
from knowledge.loader import load_entries
from knowledge.models import Entry

KB = load_entries(())
ENTRIES = list(KB)

ARTICLE_LINKS = [
    "https://jpmem.github.io/blog/mecm/20220414_01/",
    "https://jpmem.github.io/blog/wsus/2022-05-09_01/",
    "https://jpmem.github.io/blog/mecm/20220511_01/",
    "https://blogs.technet.com/b/configurationmgr/archive/2015/04/15/support-tip-configmgr-2012-update-scan-fails-and-causes-incorrect-compliance-status.aspx",
    "https://support.microsoft.com/en-us/kb/3050265",
    "https://support.microsoft.com/ja-jp/kb/3065987",
    "https://support.microsoft.com/kb/3075851",
    "https://support.microsoft.com/kb/3083324",
    "https://support.microsoft.com/ja-jp/kb/3083710",
    "https://support.microsoft.com/ja-jp/kb/3102810",
    "https://support.microsoft.com/ja-jp/kb/3112343",
    "https://www.microsoft.com/ja-jp/download/details.aspx?id=50031",
    "https://www.microsoft.com/ja-jp/download/details.aspx?id=50023",
    "https://www.microsoft.com/ja-jp/download/details.aspx?id=50024",
    "https://blogs.technet.com/b/jpwsus/archive/2012/07/05/wsus-client-error-0x800b0001.aspx",
]

ARTICLE_FACTS = [
    "sc config wuauserv type= own",
    "-SkipDecline",
    "-DeclineLastLevelOnly",
    "-UseSSL -Port 8080",
    "bcdedit /set IncreaseUserVA 3072",
    "wusa.exe Windows6.1-KB3112343-x86.msu /quiet /norestart",
    "3.2.7600.256",
    "/sms_mp/.sms_aut?mplist",
    "CCM_UpdateCIAssignment",
    "/ClientWebService/client.asmx",
    "netsh winhttp show proxy",
    "gpresult /H gpresult.html",
    "http://localhost:8005",
    "CCM_UpdateStatus",
    "Received empty location update for CTM Job",
    "100 GB",
    "Maximum Run Time",
    "Maintenance Windows",
    "GetUpdateMetadata2 failed, hr=8007000E",
]


def test_one_entry_per_cause_id() -> None:
    """Every stable cause ID has exactly one entry, and no entry is unnamed in causes.py."""
    ids = [e.id for e in ENTRIES]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(CAUSE_IDS)
    assert set(ARTICLE_CAUSES) | set(EXTRA_CAUSES) <= set(ids), "a stable cause ID lost its entry"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_entry_examples_match_own_patterns(entry: Entry) -> None:
    """`examples.match` lines hit the entry's patterns; `no_match` lines hit none."""
    patterns = [re.compile(p.regex, re.IGNORECASE) for p in entry.patterns]
    if not patterns:
        pytest.skip("entry is found by codes and symbols only")
    for line in entry.examples.match:
        assert any(p.search(line) for p in patterns), line
    for line in entry.examples.no_match:
        assert not any(p.search(line) for p in patterns), line


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_entry_has_link_and_both_languages(entry: Entry) -> None:
    """Each entry carries a link, and its Japanese text is Japanese."""
    assert entry.links
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    assert japanese.search(entry.text("ja").title + entry.text("ja").cause)
    assert len(entry.text("en").remedy) == len(entry.text("ja").remedy)


@pytest.mark.parametrize("cause", ARTICLE_CAUSES)
def test_article_cause_reachable_by_code_or_symbol(cause: str) -> None:
    """Each article cause can be found from a code or a symbol typed alone."""
    entry = KB.get(cause)
    assert entry is not None
    assert entry.codes or entry.symbols
    for code in entry.codes:
        assert entry in KB.by_code(code)
    for symbol in entry.symbols:
        assert entry in KB.by_symbol(symbol.lower())


def test_every_article_link_is_kept() -> None:
    """All links from the two seed articles are reachable from some entry."""
    urls = {link.url for entry in ENTRIES for link in entry.links}
    assert set(ARTICLE_LINKS) <= urls


def test_every_article_fact_is_reachable() -> None:
    """Commands, console paths and values from the articles appear in some entry (en or ja)."""
    corpus = "\n".join(entry.model_dump_json() for entry in ENTRIES)
    missing = [fact for fact in ARTICLE_FACTS if fact not in corpus]
    assert not missing


_UNBOUNDED = re.compile(r"(?<!\\)(?:\.|\[\^?[^\]]*\]|\\[SsWwDd])[*+](?![+?])")
_NESTED = re.compile(r"\([^()]*[*+]\)[*+{]")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_v4_e4_patterns_are_linear(entry: Entry) -> None:
    """V4/E4 KB lint: no nested quantifiers and at most one unbounded `.*`-style run per pattern."""
    for pattern in entry.patterns:
        assert not _NESTED.search(pattern.regex), f"{entry.id}: nested quantifier in {pattern.regex!r}"
        runs = [m.group(0) for m in _UNBOUNDED.finditer(pattern.regex) if m.group(0).startswith(".")]
        assert len(runs) <= 1, f"{entry.id}: {len(runs)} unbounded '.*' runs in {pattern.regex!r}; bound them"
