"""The stable cause IDs from PRODUCT.md. Add more; never rename one."""

from typing import Final

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

CAUSE_IDS: Final[tuple[str, ...]] = ARTICLE_CAUSES + EXTRA_CAUSES
