"""The whole fleet table as CSV and JSON: attached to the thread for fleets beyond 20 hosts."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from bot.fleet.cluster import FleetSummary
from bot.fleet.keys import CLUSTER_KEYS, Timeline

TIME_COLUMNS: tuple[str, ...] = tuple(Timeline.__dataclass_fields__)
COLUMNS: tuple[str, ...] = ("host", "outcome", "cause", "verdict", *CLUSTER_KEYS, *TIME_COLUMNS)


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _spreadsheet_safe(text: str) -> str:
    """A cell starting with = + - @ is a formula to Excel; quote it (OWASP "CSV Injection")."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def table_csv(summary: FleetSummary) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in summary.rows:
        times = [_when(getattr(row.timeline, name)) for name in TIME_COLUMNS]
        cells = [row.host, row.outcome, row.cause, row.verdict, *(row.facts.get(k, "") for k in CLUSTER_KEYS)]
        writer.writerow([_spreadsheet_safe(c) for c in cells] + times)
    return out.getvalue()


def table_json(summary: FleetSummary) -> str:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    document = {
        "total": summary.total,
        "checked": summary.checked,
        "healthy": list(summary.healthy),
        "clusters": [{k: plain(v) for k, v in asdict(cluster).items()} for cluster in summary.clusters],
        "hosts": [
            {
                "host": row.host,
                "outcome": row.outcome,
                "cause": row.cause,
                "verdict": row.verdict,
                "facts": row.facts,
                "timeline": {k: plain(v) for k, v in asdict(row.timeline).items()},
            }
            for row in summary.rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1, default=str)


__all__ = ["COLUMNS", "table_csv", "table_json"]
