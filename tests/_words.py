"""What a reply says about a language-free result, for assertions on wording (English by default)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from bot.render.present import notice_text
from bot.render.verdict import check_detail, check_name, report_verdict
from knowledge.findings import Explanation, Lang
from probes.report import CheckItem, HostReport


def verdict(report: HostReport, lang: Lang = "en") -> str:
    return report_verdict(report, lang)


def detail(item: CheckItem, lang: Lang = "en") -> str:
    return check_detail(item, lang)


def name(item: CheckItem, lang: Lang = "en") -> str:
    return check_name(item, lang)


def notices(explanation: Explanation, lang: Lang = "en") -> list[str]:
    return [notice_text(n, lang) for n in explanation.notices]


# Names a Japanese reply may spell in Latin letters: products, services, protocols, units and log
# names, as Microsoft's Japanese documentation spells them (e.g. learn.microsoft.com/ja-jp/mem/configmgr
# keeps "Configuration Manager", "WSUS", "PowerShell", "WinRM" in Latin letters).
LATIN_TERMS = frozenset(
    [
        "ConfigMgr",
        "MECM",
        "SCCM",
        "Configuration",
        "Manager",
        "WSUS",
        "SUP",
        "MP",
        "DP",
        "SUSDB",
        "IIS",
        "WsusPool",
        "WinRM",
        "Redis",
        "AdminService",
        "OData",
        "ASCII",
        "IDN",
        "IPv6",
        "WinHTTP",
        "WinINet",
        "PowerShell",
        "WMF",
        "WMI",
        "CIM",
        "CLM",
        "FullLanguage",
        "ConstrainedLanguage",
        "AppLocker",
        "WDAC",
        "Windows",
        "Update",
        "WUfB",
        "Microsoft",
        "Intune",
        "Delivery",
        "Optimization",
        "BranchCache",
        "Peer",
        "Cache",
        "GPO",
        "WUServer",
        "WUStatusServer",
        "UseWUServer",
        "DisableDualScan",
        "AU",
        "CcmExec",
        "CcmEval",
        "ccmcache",
        "wuauserv",
        "BITS",
        "TrustedInstaller",
        "Running",
        "Stopped",
        "Manual",
        "Automatic",
        "Disabled",
        "KB",
        "MB",
        "GB",
        "TB",
        "KB%",
        "UTC",
        "HTTP",
        "HTTPS",
        "TLS",
        "SSL",
        "DNS",
        "IP",
        "IPv4",
        "IPv6",
        "URL",
        "TCP",
        "GET",
        "POST",
        "lo",
        "CRL",
        "OCSP",
        "ETW",
        "CBS",
        "DISM",
        "SFC",
        "DCOM",
        "NTLM",
        "Kerberos",
        "SPN",
        "API",
        "SMS",
        "CM",
        "Client",
        "Center",
        "Slack",
        "OK",
        "ID",
        "GUID",
        "log",
        "WUAHandler",
        "WindowsUpdate",
        "CcmMessaging",
        "LocationServices",
        "ContentTransferManager",
        "CAS",
        "DataTransferService",
        "UpdatesDeployment",
        "UpdatesHandler",
        "UpdatesStore",
        "ScanAgent",
        "RebootCoordinator",
        "ServiceWindowManager",
        "PolicyAgent",
        "ClientLocation",
        "CIAgent",
        "StateMessage",
        "WUSyncXML",
        "ReportingEvents",
        "client.asmx",
        "asmx",
        "lo_",
        "txt",
        "zip",
        "csv",
        "json",
        "cmbot",
        "collect",
        "explain",
        "cmcheck",
        "cmerr",
        "cmbot",
        "help",
        "lab",
    ]
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.%\-]*[A-Za-z0-9%]|[A-Za-z]")


def latin_words_left(text: str, *, allowed: Iterable[str] = ()) -> list[str]:
    """The Latin-letter words of a Japanese reply that are not a known name: quoted log lines
    (code spans), links, paths, codes and the names in `allowed` (hosts, IDs, facts) aside."""
    text = re.sub(r"&(gt|lt|amp);", " ", text)  # Slack's three escapes (docs.slack.dev formatting)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"[A-Za-z]:\\\S*", " ", text)
    text = re.sub(r"\b0x[0-9A-Fa-f]+\b", " ", text)
    text = re.sub(r"\b\w+_\w+(\.\w+)*", " ", text)  # identifiers: E_OUTOFMEMORY, Win32_LogicalDisk
    text = re.sub(r"\b[\w-]+\.(dll|exe|log|lo_|cab|msi|xml|txt|zip|ps1)\b", " ", text)  # file names
    known = {w.lower() for w in LATIN_TERMS} | {w.lower() for w in allowed}
    left = []
    for word in _LATIN_WORD.findall(text):
        parts = re.split(r"[.\-_]", word.lower())
        if word.lower() not in known and not all(p in known or not p or p.isdigit() for p in parts):
            left.append(word)
    return left


def japanese_entry_words() -> set[str]:
    """The Latin-letter words the knowledge entries' Japanese texts use (reviewed Japanese)."""
    from knowledge.explain import knowledge  # noqa: PLC0415

    words: set[str] = set()
    for entry in knowledge().base.entries:
        text = entry.text("ja")
        blob = " ".join([text.title, text.cause, *text.symptoms, *(r.text for r in text.remedy)])
        blob += " ".join(r.console_path or "" for r in text.remedy)
        words.update(_LATIN_WORD.findall(blob))
    return words


def fact_words(facts: object) -> set[str]:
    """Every Latin-letter word in a report's facts: values Windows itself reported."""
    return set(_LATIN_WORD.findall(json.dumps(facts)))


def in_english(reason: object) -> str:
    """A refusal as an English reader sees it: a Phrase, or a Refused's reason, worded."""
    from bot.render.i18n import phrase  # noqa: PLC0415
    from knowledge.findings import Phrase, Refused  # noqa: PLC0415

    if isinstance(reason, Refused):
        reason = reason.reason
    assert isinstance(reason, Phrase), reason
    return phrase("en", reason)
