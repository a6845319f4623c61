"""Explain codes and log text: the core of `cmbot explain`, `/cmerr` and pasted-message replies.

Placeholder contract; the knowledge-base work replaces the body, keeping these signatures.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.findings import Explanation, Lang


def explain(text: str | bytes, *, lang: Lang = "en", source: str | None = None) -> Explanation:
    """Explain pasted text (codes, symbols, log lines). `source` names the file, if any."""
    del text, lang, source
    return Explanation()


def explain_file(path: Path, *, lang: Lang = "en") -> Explanation:
    """Explain a log file or a zip of a CCM\\Logs folder."""
    return explain(path.read_bytes(), lang=lang, source=path.name)
