"""Write one benchmark's section into docs/BENCHMARKS.md between its own markers."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"


def write_section(name: str, body: str) -> None:
    start, end = f"<!-- bench/{name}: start -->", f"<!-- bench/{name}: end -->"
    text = DOC.read_text(encoding="utf-8")
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")
