"""Keep secrets out of logs, replies and error text (ground floor: probes and bot register here).

Every secret the process loads (Slack tokens, the signing secret, WinRM passwords) is registered
here once; `redact()` masks registered values and anything shaped like a Slack token or a
`password=` pair. A logging filter applies it to every record, arguments and tracebacks included.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"
_MIN_SECRET_LEN = 4
_SHAPES = re.compile(
    r"xox[abposr]-[A-Za-z0-9-]{6,}"
    r"|xapp-[A-Za-z0-9-]{6,}"
    r"|(?i:(?<=password=)[^\s&;,'\"]+)"
    r"|(?i:(?<=authorization: )(?:basic|bearer|negotiate) [A-Za-z0-9+/=._-]+)"
)


class _SecretRegistry:
    """The set of known secret values and one compiled pattern over them, swapped atomically."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()
        self.pattern: re.Pattern[str] | None = None

    def add(self, value: str) -> None:
        with self._lock:
            if value in self._values:
                return
            self._values = self._values | {value}
            ordered = sorted(self._values, key=len, reverse=True)
            self.pattern = re.compile("|".join(re.escape(s) for s in ordered))


_registry = _SecretRegistry()


def register_secret(value: str | None) -> None:
    """Remember a secret value so it is masked wherever it would be printed."""
    if value and len(value) >= _MIN_SECRET_LEN:
        _registry.add(value)


def redact(text: str) -> str:
    text = _SHAPES.sub(MASK, text)  # shapes first: a short registered value cannot split a token
    pattern = _registry.pattern
    return pattern.sub(MASK, text) if pattern is not None else text


class RedactingFilter(logging.Filter):
    """Render each record's message (and traceback) once, redacted, before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction() -> None:
    """Attach the filter to every handler of the root logger (idempotent)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
