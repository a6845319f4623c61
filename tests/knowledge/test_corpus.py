"""The real-text corpus: every case loads, and `cmbot explain` gets it right often enough."""

from pathlib import Path

import pytest

from knowledge.corpus import CORPUS_DIR, Case, CorpusError, load_corpus, score
from knowledge.explain import explain
from knowledge.findings import Explanation, Lang
from knowledge.loader import load_entries

KNOWN = [entry.id for entry in load_entries()]
CASES = load_corpus(CORPUS_DIR, known_causes=KNOWN)


def _explain(text: str, lang: Lang) -> Explanation:
    del lang  # the result is language-free; the corpus scores cause IDs
    return explain(text)


def test_corpus_thresholds() -> None:
    """Top cause right on >= 90 % of positives, a false finding on <= 5 % of negatives."""
    result = score(CASES, _explain)
    misses = [
        f"{o.case.id}: expected {o.case.expect}, got {list(o.found)}" for o in result.outcomes if not o.right
    ]
    assert result.top_right_rate >= 0.90, "\n".join(misses)
    assert result.false_finding_rate <= 0.05, "\n".join(misses)


def test_broken_case_names_file_and_field(tmp_path: Path) -> None:
    """A case with a missing field or an unknown cause is reported with its file and field."""
    group = tmp_path / "vendor"
    group.mkdir()
    (group / "a.yaml").write_text(
        "id: a\nlang: en\nkind: log\ntext: x\nsource: https://x.example/a\n", encoding="utf-8"
    )
    (group / "b.yaml").write_text(
        "id: b\nlang: en\nkind: log\ntext: x\nsource: https://x.example/b\nexpect: no-such-cause\nnote: n\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path, known_causes=KNOWN)
    message = str(caught.value)
    assert "a.yaml: field expect: Field required" in message
    assert "field note: Field required" in message
    assert "b.yaml: field expect/also: unknown cause ID(s) ['no-such-cause']" in message


def test_scoring_counts_top_finding_and_negatives() -> None:
    """A positive is right when its top finding is accepted; a negative when nothing is found."""
    positive = Case(
        id="p",
        lang="en",
        kind="log",
        text="Scan failed with error = 0x80244022.",
        source="https://x.example/p",
        expect="sup-service-unavailable",
        note="n",
    )
    negative = Case(
        id="n",
        lang="en",
        kind="log",
        text="Successfully completed scan.",
        source="https://x.example/n",
        expect=None,
        note="n",
    )
    result = score([positive, negative], _explain)
    assert (result.top_right_rate, result.false_finding_rate) == (1.0, 0.0)
    assert result.by_cause()["sup-service-unavailable"].recall == 1.0
