"""Dates written the Japanese way → ISO 8601 (YYYY-MM-DD).

Handles 和暦 (明治6年 to 令和 — earlier 明治 dates are lunisolar —, 元年, the one-letter forms M/T/S/H/R, full-width
digits) and Gregorian dates with other separators (1947/4/1, 1947年4月1日,
1947.4.1). Returns None whenever the reading is not certain, e.g. a date that
does not exist or an era year outside that era.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata

# Era: (first day, first day of the next era).
ERAS: dict[str, tuple[_dt.date, _dt.date]] = {
    "明治": (_dt.date(1868, 1, 25), _dt.date(1912, 7, 30)),
    "大正": (_dt.date(1912, 7, 30), _dt.date(1926, 12, 25)),
    "昭和": (_dt.date(1926, 12, 25), _dt.date(1989, 1, 8)),
    "平成": (_dt.date(1989, 1, 8), _dt.date(2019, 5, 1)),
    "令和": (_dt.date(2019, 5, 1), _dt.date(9999, 12, 31)),
}
# 明治6年1月1日: the first day Japanese dates are Gregorian dates.
GREGORIAN_ADOPTED = _dt.date(1873, 1, 1)
_ERA_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和",
                "㍾": "明治", "㍽": "大正", "㍼": "昭和", "㍻": "平成", "㋿": "令和"}

_WAREKI_RE = re.compile(
    r"^(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\s*(?P<year>元|\d{1,2})\s*[年.\-/]\s*"
    r"(?P<month>\d{1,2})\s*[月.\-/]\s*(?P<day>\d{1,2})\s*日?$",
    re.IGNORECASE,
)
_GREGORIAN_RE = re.compile(
    r"^(?P<year>\d{4})\s*(?:[年./\-]\s*(?P<month>\d{1,2})\s*[月./\-]\s*(?P<day>\d{1,2})\s*日?"
    r"|(?P<m8>\d{2})(?P<d8>\d{2}))$"
)


def _prepare(text: str) -> str:
    # NFKC turns full-width digits and the ㍻-style ligatures into plain text.
    for ligature, era in _ERA_LETTERS.items():
        if len(ligature) == 1 and not ligature.isascii():
            text = text.replace(ligature, era)
    return unicodedata.normalize("NFKC", text).strip()


def _date(year: int, month: int, day: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def parse_wareki(text: str) -> str | None:
    """``令和元年5月1日`` → ``2019-05-01``; None unless certain."""
    match = _WAREKI_RE.match(_prepare(text))
    if not match:
        return None
    era = match["era"]
    era = _ERA_LETTERS.get(era.upper(), era)
    era_year = 1 if match["year"] == "元" else int(match["year"])
    if era_year < 1:
        return None
    start, end = ERAS[era]
    value = _date(start.year + era_year - 1, int(match["month"]), int(match["day"]))
    if value is None:
        return None
    # Before 明治6年 (1873) Japan used the lunisolar calendar: 明治5年12月2日 was
    # 1872-12-31, so month and day cannot be carried over. Not certain: no reading.
    lower = GREGORIAN_ADOPTED if era == "明治" else start
    if not (lower <= value < end):
        return None
    return value.isoformat()


def parse_gregorian(text: str) -> str | None:
    """``1947/4/1``, ``1947年4月1日``, ``19470401`` → ISO; None unless certain."""
    match = _GREGORIAN_RE.match(_prepare(text))
    if not match:
        return None
    if match["m8"]:
        value = _date(int(match["year"]), int(match["m8"]), int(match["d8"]))
    else:
        value = _date(int(match["year"]), int(match["month"]), int(match["day"]))
    return value.isoformat() if value else None


def is_wareki(text: str) -> bool:
    return bool(_WAREKI_RE.match(_prepare(text)))
