"""The stable cause IDs. Add more; never rename one.

ARTICLE_CAUSES are the IDs of PRODUCT.md's table. CAUSE_IDS is derived from the built-in entry
files (`knowledge/entries/<id>.yaml`, whose file name must equal the id), so a new entry is a new
cause ID with no second list to keep in step; test_kb_entries checks that every ARTICLE and EXTRA
cause still has its entry.
"""

from pathlib import Path
from typing import Final

_ENTRY_DIR = Path(__file__).with_name("entries")

ARTICLE_CAUSES: Final[tuple[str, ...]] = (
    "mp-unreachable",
    "not-targeted",
    "sup-unreachable",
    "sup-gpo-override",
    "sup-scan-timeout",
    "sup-service-unavailable",
    "update-not-detected",
    "dual-scan",
    "content-location-empty",
    "cache-too-small",
    "max-runtime-exceeded",
    "maintenance-window-too-short",
    "wua-scan-out-of-memory",
    "wsus-too-old-for-wua",
)

EXTRA_CAUSES: Final[tuple[str, ...]] = (
    "winrm-unreachable",
    "client-unhealthy",
    "pending-reboot",
    "wua-service-disabled",
    "disk-space-low",
)

CAUSE_IDS: Final[tuple[str, ...]] = tuple(
    dict.fromkeys([*ARTICLE_CAUSES, *EXTRA_CAUSES, *sorted(path.stem for path in _ENTRY_DIR.glob("*.yaml"))])
)
