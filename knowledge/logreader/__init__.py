"""Reading ConfigMgr and Windows Update logs: bytes → text → parsed lines, and zips of CCM\\Logs."""

from knowledge.logreader.archive import ArchiveLimits, ArchiveMember, ArchiveResult, is_zip, read_zip
from knowledge.logreader.decode import DecodedText, decode_bytes, looks_binary
from knowledge.logreader.parse import LogLine, parse_lines

__all__ = [
    "ArchiveLimits",
    "ArchiveMember",
    "ArchiveResult",
    "DecodedText",
    "LogLine",
    "decode_bytes",
    "is_zip",
    "looks_binary",
    "parse_lines",
    "read_zip",
]
