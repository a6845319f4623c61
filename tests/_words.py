"""What a reply says about a language-free result, for assertions on wording (English by default)."""

from __future__ import annotations

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
