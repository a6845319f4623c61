"""Measure the matcher engines on a realistic synthetic CMTrace log and record the figures.

    .venv/bin/python bench/matcher.py [--mb 50] [--no-write]

Generates `--mb` megabytes of WUAHandler/CAS/ContentTransferManager-style CMTrace lines (about
1 in 200 lines is one of the knowledge entries' example lines), then measures, in one run, lines
per second for: the per-pattern `re` loop (baseline), one alternation `re` pre-filter, and the
hyperscan batch engine; plus the full `Matcher.scan` (parse + match + collapse) with the engine
`auto` picks. Writes the table into the matcher section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from pathlib import Path

from knowledge.explain import explain
from knowledge.loader import load_entries
from knowledge.logreader import parse_lines
from knowledge.matcher import BATCH_LINES, Matcher

DOCS = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"
START = "<!-- bench/matcher.py: start -->"
END = "<!-- bench/matcher.py: end -->"

NORMAL = [
    ("WUAHandler", 1, "Its a WSUS Update Source type ({{{guid}}}), adding it."),
    ("WUAHandler", 1, "Async searching of updates using WUAgent started."),
    ("WUAHandler", 1, "Async searching completed."),
    ("WUAHandler", 1, "Successfully completed scan."),
    (
        "ScanAgent",
        1,
        "ScanJob({{{guid}}}): CScanJob::OnScanComplete -Scan completed successfully, ScanType=1",
    ),
    ("CAS", 1, "Download completed for content {guid}.1"),
    ("CAS", 1, "Location update from CTM for content {guid}.1 and request {{{guid}}}"),
    ("ContentTransferManager", 1, "CTM job {{{guid}}} successfully processed download completion."),
    ("DataTransferService", 1, "DTSJob {{{guid}}} successfully completed download."),
    (
        "CcmMessaging",
        1,
        "OutgoingMessage(Queue='mp_mp_relayendpoint', ID={{{guid}}}): Delivered successfully to host",
    ),
    (
        "UpdatesDeployment",
        1,
        "Update (Site_{guid}/SUM_{guid}) Progress: Status = ciStateInstalled, PercentComplete = 100",
    ),
    ("UpdatesHandler", 2, "Failed to get the update deployment information, retrying in {n} seconds"),
]


def _cmtrace(component: str, kind: int, message: str, rng: random.Random) -> str:
    return (
        f'<![LOG[{message}]LOG]!><time="{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}'
        f'.{rng.randrange(1000):03d}-540" date="11-22-2026" component="{component}" context="" '
        f'type="{kind}" thread="{rng.randrange(100, 9999)}" file="source.cpp:{rng.randrange(1, 900)}">'
    )


def synthetic_log(megabytes: int, examples: list[str], seed: int = 7) -> str:
    rng = random.Random(seed)
    target = megabytes * 1024 * 1024
    lines: list[str] = []
    size = 0
    while size < target:
        if examples and rng.random() < 0.005:
            line = _cmtrace("WUAHandler", 3, rng.choice(examples), rng)
        else:
            component, kind, template = rng.choice(NORMAL)
            guid = f"{rng.getrandbits(128):032X}"
            message = template.format(
                guid=f"{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:]}", n=rng.randrange(60)
            )
            line = _cmtrace(component, kind, message, rng)
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def _lines_per_second(matcher: Matcher, texts: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    hits = 0
    for start in range(0, len(texts), BATCH_LINES):
        hits += len(matcher.engine.match_batch(texts[start : start + BATCH_LINES]))
    return len(texts) / (time.perf_counter() - started), hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50, help="size of the synthetic log in MB")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = parser.parse_args()

    entries = list(load_entries())
    examples = [line for entry in entries for line in entry.examples.match]
    text = synthetic_log(args.mb, examples)
    texts = [line.text for line in parse_lines(text)]
    print(f"{len(entries)} entries, {sum(len(e.patterns) for e in entries)} patterns, {len(texts)} lines")

    rows: list[tuple[str, float, int]] = []
    for engine in ("re", "alternation", "hyperscan"):
        rate, hits = _lines_per_second(Matcher(entries, engine), texts)  # type: ignore[arg-type]
        rows.append((engine, rate, hits))
        print(f"{engine:12} {rate:12,.0f} lines/s  {hits} hits")
    if len({hits for _, _, hits in rows}) != 1:
        print("engines disagree on the hit count", file=sys.stderr)
        return 1

    auto = Matcher(entries)
    started = time.perf_counter()
    result = auto.scan(parse_lines(text, file="WUAHandler.log"))
    scan_rate = result.lines / (time.perf_counter() - started)
    print(f"scan ({auto.engine.name}, parse+match+collapse) {scan_rate:,.0f} lines/s")

    paste = text[: 4 * 1024]
    paste = paste[: paste.rfind("\n")]
    explain(paste)  # load the knowledge base and build the matcher before timing
    latencies: list[float] = []
    for _ in range(200):
        started = time.perf_counter()
        explain(paste)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1]
    print(f"explain a 4 KB paste: p50 {p50:.2f} ms, p99 {p99:.2f} ms")

    baseline = rows[0][1]
    table = [
        START,
        "## Matcher engines (`bench/matcher.py`)",
        "",
        f"A {args.mb} MB synthetic CMTrace log ({len(texts):,} lines, 1 in 200 an entry's example line), "
        f"{len(entries)} entries / {sum(len(e.patterns) for e in entries)} patterns, Python "
        f"{platform.python_version()}. Matching only (lines already parsed), batches of {BATCH_LINES} lines; "
        "every engine reports the same hits.",
        "",
        "| engine | lines/s | vs per-pattern `re` |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {rate:,.0f} | {rate / baseline:.1f}x |" for name, rate, _ in rows),
        f"| `Matcher.scan` end to end ({auto.engine.name}: parse + match + collapse) | {scan_rate:,.0f} | "
        f"{scan_rate / baseline:.1f}x |",
        "",
        f"Explaining a 4 KB CMTrace paste (200 runs, knowledge base already loaded): p50 {p50:.2f} ms, "
        f"p99 {p99:.2f} ms.",
        "",
        "Chosen: hyperscan when it imports (`auto`), confirming each candidate line with `re`; the "
        "per-pattern `re` loop when it does not (the alternation pre-filter measured slower); patterns "
        "hyperscan rejects run in `re` on every line.",
        END,
    ]
    if not args.no_write:
        current = DOCS.read_text(encoding="utf-8")
        section = "\n".join(table)
        if START in current and END in current:
            before, rest = current.split(START, 1)
            after = rest.split(END, 1)[1]
            DOCS.write_text(before + section + after, encoding="utf-8")
        else:
            DOCS.write_text(current.rstrip("\n") + "\n\n" + section + "\n", encoding="utf-8")
        print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
