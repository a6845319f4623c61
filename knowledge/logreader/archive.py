"""Read the log members of a zip (a collected `CCM\\Logs` folder) within fixed limits.

A member's header sizes can lie, so every member is read in chunks against a byte budget;
a zip bomb ends in a notice, never in memory exhaustion.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from knowledge.findings import Phrase, said

LOG_SUFFIXES = (".log", ".lo_", ".txt")
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_members: int = 2000
    max_member_bytes: int = 32 * 1024 * 1024
    max_total_bytes: int = 64 * 1024 * 1024
    max_ratio: float = 100.0
    """Expanded/compressed size above which a member larger than 1 MB is refused."""


@dataclass(frozen=True, slots=True)
class ArchiveMember:
    name: str
    data: bytes


@dataclass(slots=True)
class ArchiveResult:
    members: list[ArchiveMember] = field(default_factory=list)
    notices: list[Phrase] = field(default_factory=list)


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _is_log(name: str) -> bool:
    return name.replace("\\", "/").lower().endswith(LOG_SUFFIXES)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes | None:
    """The member's bytes, or None when it expands beyond `budget`."""
    parts: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > budget:
                return None
            parts.append(chunk)
    return b"".join(parts)


def _members(
    archive: zipfile.ZipFile, limits: ArchiveLimits, result: ArchiveResult
) -> Iterator[ArchiveMember]:
    infos = [info for info in archive.infolist() if not info.is_dir() and _is_log(info.filename)]
    if len(infos) > limits.max_members:
        result.notices.append(said("notice.zip_members", count=len(infos), limit=limits.max_members))
        infos = infos[: limits.max_members]
    total = 0
    for info in infos:
        name = PurePosixPath(info.filename.replace("\\", "/")).name
        declared_ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and declared_ratio > limits.max_ratio:
            result.notices.append(
                said(
                    "notice.zip_bomb",
                    name=name,
                    ratio=round(declared_ratio),
                    limit=round(limits.max_ratio),
                )
            )
            continue
        budget = min(limits.max_member_bytes, limits.max_total_bytes - total)
        if budget <= 0:
            result.notices.append(said("notice.zip_total", name=name, mb=limits.max_total_bytes // 2**20))
            return
        try:
            data = _read_member(archive, info, budget)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,
            RuntimeError,
            OSError,
            EOFError,
        ) as exc:
            result.notices.append(said("notice.zip_unreadable_member", name=name, error=type(exc).__name__))
            continue
        if data is None:
            result.notices.append(said("notice.zip_member_big", name=name, mb=budget // 2**20))
            continue
        total += len(data)
        yield ArchiveMember(name, data)


def read_zip(source: bytes | Path, limits: ArchiveLimits | None = None) -> ArchiveResult:
    """Read the .log/.lo_/.txt members; problems become notices in the result."""
    limits = limits or ArchiveLimits()
    result = ArchiveResult()
    try:
        opened = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        result.notices.append(said("notice.zip_unreadable", error=type(exc).__name__))
        return result
    with opened as archive:
        try:
            result.members.extend(_members(archive, limits, result))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            result.notices.append(said("notice.zip_broken", error=type(exc).__name__))
    if not result.members and not result.notices:
        result.notices.append(said("notice.zip_empty"))
    return result
