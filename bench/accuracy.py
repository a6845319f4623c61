"""Per-cause precision and recall of `cmbot explain` over the real-text corpus.

    .venv/bin/python -m bench.accuracy [--corpus DIR] [--write docs/ACCURACY.md] [--misses]

Prints the table; `--write` puts it into docs/ACCURACY.md. The corpus test
(tests/knowledge/test_corpus.py) asserts the thresholds; this only reports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from knowledge.corpus import CORPUS_DIR, Score, load_corpus, score
from knowledge.explain import explain
from knowledge.findings import Explanation, Lang
from knowledge.loader import load_entries


def _explain(text: str, lang: Lang) -> Explanation:
    del lang  # the result is language-free; the corpus scores cause IDs
    return explain(text)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f} %"


def report(result: Score, corpus: str) -> str:
    positives, negatives = result.positives, result.negatives
    ja = sum(1 for o in result.outcomes if o.case.lang == "ja")
    lines = [
        "# Accuracy of `cmbot explain` on the real-text corpus",
        "",
        f"Measured by `python -m bench.accuracy --write docs/ACCURACY.md` over `{corpus}`: "
        f"{len(result.outcomes)} cases ({len(positives)} positives, {len(negatives)} negatives, "
        f"{ja} Japanese). Each case is real text with its source (tests/corpus/README.md); "
        "`tests/knowledge/test_corpus.py` asserts the thresholds.",
        "",
        f"- Top cause right on positives: **{_pct(result.top_right_rate)}** (bar: at least 90 %)",
        f"- False finding on negatives: **{_pct(result.false_finding_rate)}** (bar: at most 5 %)",
        "",
        "Recall: of the cases showing the cause, how many get it as the top finding (or an `also` cause).",
        "Precision: of the cases whose top finding is the cause, how many are right.",
        "",
        "| cause | cases | recall | top findings | precision |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for cause, s in result.by_cause().items():
        lines.append(f"| `{cause}` | {s.expected} | {_pct(s.recall)} | {s.predicted} | {_pct(s.precision)} |")
    misses = [o for o in result.outcomes if not o.right]
    lines += ["", f"## Misses ({len(misses)})", ""]
    if not misses:
        lines.append("None.")
    for outcome in misses:
        want = outcome.case.expect or "nothing"
        got = ", ".join(outcome.found) or "nothing"
        lines.append(f"- `{outcome.case.id}`: expected {want}, got {got}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--write", type=Path, help="write the report to this file (docs/ACCURACY.md)")
    args = parser.parse_args(argv)
    cases = load_corpus(args.corpus, known_causes=(e.id for e in load_entries()))
    shown = "tests/corpus" if args.corpus.resolve() == CORPUS_DIR else str(args.corpus)
    text = report(score(cases, _explain), shown)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
