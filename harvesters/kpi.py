"""The KPI 「オープンデータに取り組む地方公共団体 100%」 without CKAN: the national list of
engaged local governments (デジタル庁's CSV) and the arithmetic of rates and scores.

The plugin ``regionaliot_kpi`` (ckanext/regionaliot/kpi/) gathers what the portal holds and
stores the figures; everything here is pure, so its tests need no services.

Messages are English msgids with ``{name}`` fields (``KPIError.msgid`` / ``.params``,
``Problem``), rendered by ``common.render`` as the harvest parsers' are; the plugin's
catalogue translates them, and the plugin prints and returns them Japanese first with
English (``common.bilingual``: 「日本語 / English」).
"""
from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from regionaliot.validation import lgcode

from . import common

# ---------------------------------------------------------------- Japan's local governments

# JIS prefecture code → (name, English name, number of municipalities: 市町村 and 東京都's
# 23 特別区). Counted from code4fukui/localgovjp (designated cities' wards left out); they
# add up to 1,741, the national denominator with the 47 prefectures (1,788).
PREFECTURES: dict[str, tuple[str, str, int]] = {
    "01": ("北海道", "Hokkaido", 179), "02": ("青森県", "Aomori", 40),
    "03": ("岩手県", "Iwate", 33), "04": ("宮城県", "Miyagi", 35),
    "05": ("秋田県", "Akita", 25), "06": ("山形県", "Yamagata", 35),
    "07": ("福島県", "Fukushima", 59), "08": ("茨城県", "Ibaraki", 44),
    "09": ("栃木県", "Tochigi", 25), "10": ("群馬県", "Gunma", 35),
    "11": ("埼玉県", "Saitama", 63), "12": ("千葉県", "Chiba", 54),
    "13": ("東京都", "Tokyo", 62), "14": ("神奈川県", "Kanagawa", 33),
    "15": ("新潟県", "Niigata", 30), "16": ("富山県", "Toyama", 15),
    "17": ("石川県", "Ishikawa", 19), "18": ("福井県", "Fukui", 17),
    "19": ("山梨県", "Yamanashi", 27), "20": ("長野県", "Nagano", 77),
    "21": ("岐阜県", "Gifu", 42), "22": ("静岡県", "Shizuoka", 35),
    "23": ("愛知県", "Aichi", 54), "24": ("三重県", "Mie", 29),
    "25": ("滋賀県", "Shiga", 19), "26": ("京都府", "Kyoto", 26),
    "27": ("大阪府", "Osaka", 43), "28": ("兵庫県", "Hyogo", 41),
    "29": ("奈良県", "Nara", 39), "30": ("和歌山県", "Wakayama", 30),
    "31": ("鳥取県", "Tottori", 19), "32": ("島根県", "Shimane", 19),
    "33": ("岡山県", "Okayama", 27), "34": ("広島県", "Hiroshima", 23),
    "35": ("山口県", "Yamaguchi", 19), "36": ("徳島県", "Tokushima", 24),
    "37": ("香川県", "Kagawa", 17), "38": ("愛媛県", "Ehime", 20),
    "39": ("高知県", "Kochi", 34), "40": ("福岡県", "Fukuoka", 60),
    "41": ("佐賀県", "Saga", 20), "42": ("長崎県", "Nagasaki", 21),
    "43": ("熊本県", "Kumamoto", 45), "44": ("大分県", "Oita", 18),
    "45": ("宮崎県", "Miyazaki", 26), "46": ("鹿児島県", "Kagoshima", 43),
    "47": ("沖縄県", "Okinawa", 41),
}
MUNICIPALITIES_TOTAL = sum(count for _, _, count in PREFECTURES.values())  # 1,741
NATIONAL_TOTAL = len(PREFECTURES) + MUNICIPALITIES_TOTAL  # 1,788


def prefecture_of(code: str) -> str:
    """The JIS prefecture code of a 6-digit 団体コード (its first two digits)."""
    return code[:2]


def is_prefecture(code: str) -> bool:
    """Prefectures' own codes have 000 as digits 3–5 (岡山県 330001)."""
    return code[2:5] == "000"


def normalise_code(raw: str) -> str | None:
    """A 6-digit 団体コード with a correct check digit, or None.

    Accepts full-width digits, the 5-digit code without its check digit (33202 → 332020)
    and a 6-digit code that lost its leading zero in a spreadsheet (92011 → 092011); a
    5-digit value that could be either is refused rather than guessed.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip().strip("'\"")
    if not (text.isascii() and text.isdigit()):
        return None
    candidates = set()
    if len(text) == 6 and lgcode.is_valid(text):
        candidates.add(text)
    if len(text) == 5:
        candidates.add(lgcode.with_check_digit(text))  # JIS code without check digit
        if lgcode.is_valid("0" + text):
            candidates.add("0" + text)  # lost leading zero
    if len(text) == 4:
        candidates.add(lgcode.with_check_digit("0" + text))  # JIS code, both losses
    candidates = {c for c in candidates if prefecture_of(c) in PREFECTURES}
    return candidates.pop() if len(candidates) == 1 else None


# ---------------------------------------------------------------- the national list

MSG_EMPTY = "The list is empty."
MSG_BINARY = "The list is not a text (CSV) file."
MSG_ENCODING = "The list is neither UTF-8 nor Shift_JIS text."
MSG_NO_HEADER = ("No header row with a 団体コード column was found in the first {lines} "
                 "lines; is this the national list of engaged local governments?")
MSG_NO_ROWS = "The list has no row with a valid 団体コード."
MSG_BAD_CODE = "Line {line}: {value!r} is not a local government code (6 digits with a correct check digit)."
MSG_DUPLICATE = "Line {line}: 団体コード {code} appears again; the first row is kept."

HEADER_SEARCH_LINES = 10


class KPIError(ValueError):
    """A national list that cannot be read: ``msgid`` (English) and ``params``."""

    def __init__(self, msgid: str, **params: object):
        super().__init__(common.render(msgid, params))
        self.msgid = msgid
        self.params = params


@dataclass(frozen=True)
class Problem:
    """A row that was left out; the import goes on."""

    msgid: str
    params: Mapping[str, object]

    def text(self) -> str:
        """In English; ``common.bilingual(p.msgid, p.params, gettext)`` for both languages."""
        return common.render(self.msgid, self.params)


@dataclass(frozen=True)
class Entry:
    code: str
    name: str = ""
    page_url: str = ""  # 自治体サイトのオープンデータページURL
    site_urls: tuple[str, ...] = ()  # オープンデータ掲載サイトのURL1–3

    @property
    def url(self) -> str:
        """The URL that shows the engagement: the own page, else the first publishing site."""
        return self.page_url or next(iter(self.site_urls), "")


@dataclass
class NationalList:
    entries: dict[str, Entry] = field(default_factory=dict)
    encoding: str = ""
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    as_of: datetime.date | None = None

    def codes(self) -> set[str]:
        return set(self.entries)


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM, the 2026 list) or Shift_JIS
    (cp932, the earlier lists)."""
    if not data.strip():
        raise KPIError(MSG_EMPTY)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise KPIError(MSG_ENCODING) from None
    if b"\x00" in data[:4096]:
        raise KPIError(MSG_BINARY)
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise KPIError(MSG_ENCODING)


def _header_key(cell: str) -> str:
    text = unicodedata.normalize("NFKC", cell or "")
    return re.sub(r"\s+", "", text).replace("―", "ー").replace("－", "ー")


@dataclass
class _Columns:
    code: int
    name: list[int]
    page: int | None
    sites: list[int]


def _columns(header: list[str]) -> _Columns | None:
    keys = [_header_key(cell) for cell in header]
    code = next((i for i, k in enumerate(keys) if k == "団体コード"), None)
    if code is None:
        code = next((i for i, k in enumerate(keys) if k.endswith("コード")), None)
    if code is None:
        return None
    name = [i for i, k in enumerate(keys) if k == "団体名"] or [
        i for i, k in enumerate(keys) if k in ("都道府県名", "市区町村名", "自治体名")]
    urls = [i for i, k in enumerate(keys) if "URL" in k.upper()]
    page = next((i for i in urls if "オープンデータページ" in keys[i]), None)
    if page is None and urls and "掲載サイト" not in keys[urls[0]]:
        page = urls[0]
    sites = [i for i in urls if i != page]
    return _Columns(code, name, page, sites)


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return (row[index] or "").strip()


_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")


def as_of_from_name(name: str) -> datetime.date | None:
    """The date in a list's file name: 20260630_resources_opendata_lg_list_02.csv,
    opendata_lg_pref_list_20220112.csv."""
    for match in _DATE_IN_NAME.finditer(name or ""):
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
    return None


def parse_national_list(data: bytes, name: str = "") -> NationalList:
    """Read デジタル庁's list of engaged local governments (either encoding).

    Raises :class:`KPIError` when the file is not such a list; rows with a bad code are
    left out and named in ``problems``.
    """
    text, encoding = decode(data)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header_at, columns = None, None
    for index, row in enumerate(rows[:HEADER_SEARCH_LINES]):
        columns = _columns(row)
        if columns is not None:
            header_at = index
            break
    if columns is None or header_at is None:
        raise KPIError(MSG_NO_HEADER, lines=HEADER_SEARCH_LINES)
    result = NationalList(encoding=encoding, as_of=as_of_from_name(name))
    for offset, row in enumerate(rows[header_at + 1:]):
        line = header_at + 2 + offset
        if not any((cell or "").strip() for cell in row):
            continue
        result.rows += 1
        raw = _cell(row, columns.code)
        code = normalise_code(raw)
        if code is None:
            result.problems.append(Problem(MSG_BAD_CODE, {"line": line, "value": raw}))
            continue
        if code in result.entries:
            result.problems.append(Problem(MSG_DUPLICATE, {"line": line, "code": code}))
            continue
        sites = tuple(u for u in (_cell(row, i) for i in columns.sites) if u)
        result.entries[code] = Entry(
            code=code, name="".join(_cell(row, i) for i in columns.name),
            page_url=_cell(row, columns.page), site_urls=sites)
    if not result.entries:
        raise KPIError(MSG_NO_ROWS)
    return result


def merge(lists: Iterable[NationalList]) -> NationalList:
    """One list from several files (earlier years: one for prefectures, one for
    municipalities); the first file's row wins for a code in both."""
    merged = NationalList()
    encodings = []
    for part in lists:
        for code, entry in part.entries.items():
            merged.entries.setdefault(code, entry)
        merged.rows += part.rows
        merged.problems.extend(part.problems)
        encodings.append(part.encoding)
        if part.as_of and (merged.as_of is None or part.as_of > merged.as_of):
            merged.as_of = part.as_of
    merged.encoding = " ".join(dict.fromkeys(encodings))
    return merged


# ---------------------------------------------------------------- rates


def percent(part: int | float, whole: int | float) -> float:
    """``part`` of ``whole`` in percent, one decimal, halves rounded up (20/27 → 74.1)."""
    if not whole:
        return 0.0
    value = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def national_figures(codes: Iterable[str]) -> dict[str, object]:
    """The national rate and the rate of each prefecture (itself and its municipalities)."""
    codes = {c for c in codes if prefecture_of(c) in PREFECTURES}
    prefectures_engaged = {c for c in codes if is_prefecture(c)}
    municipalities = codes - prefectures_engaged
    per = []
    for pref, (name, name_en, count) in PREFECTURES.items():
        own = any(prefecture_of(c) == pref for c in prefectures_engaged)
        munis = sum(1 for c in municipalities if prefecture_of(c) == pref)
        engaged = munis + (1 if own else 0)
        per.append({"code": pref, "name": name, "name_en": name_en,
                    "prefecture_engaged": own, "municipalities_engaged": munis,
                    "municipalities_total": count, "engaged": engaged, "total": count + 1,
                    "rate": percent(engaged, count + 1),
                    "municipalities_rate": percent(munis, count)})
    return {
        "engaged": len(codes), "total": NATIONAL_TOTAL,
        "rate": percent(len(codes), NATIONAL_TOTAL),
        "prefectures_engaged": len(prefectures_engaged), "prefectures_total": len(PREFECTURES),
        "municipalities_engaged": len(municipalities),
        "municipalities_total": MUNICIPALITIES_TOTAL,
        "municipalities_rate": percent(len(municipalities), MUNICIPALITIES_TOTAL),
        "prefectures": per,
    }


# ---------------------------------------------------------------- coverage and score

# A standard dataset, for one member: validated (a public dataset of that kind whose
# standard files all passed), errors (a file failed or could not be validated), pending
# (waiting for the validator), unchecked (public, but no file of it was validated, e.g. a
# link to a PDF), missing (no public dataset of that kind).
VALIDATED, PENDING, ERRORS, UNCHECKED, MISSING = (
    "validated", "pending", "errors", "unchecked", "missing")
STATES = (VALIDATED, PENDING, ERRORS, UNCHECKED, MISSING)
PUBLISHED = (VALIDATED, PENDING, ERRORS, UNCHECKED)

ENGAGED_POINTS = 20
COVERAGE_POINTS = 100 - ENGAGED_POINTS
PUBLISHED_WEIGHT = Decimal("0.5")  # a published but not validated standard dataset


def dataset_state(statuses: Iterable[str]) -> str:
    """A public standard dataset's state from its files' validation statuses
    (success|failure|error|pending|running; files without a validation give none)."""
    statuses = set(statuses)
    if not statuses:
        return UNCHECKED
    if statuses & {"failure", "error"}:
        return ERRORS
    if statuses & {"pending", "running"}:
        return PENDING
    return VALIDATED


def best_state(states: Iterable[str]) -> str:
    """A member's state for one kind of standard dataset: its best dataset of that kind."""
    states = set(states)
    return next((s for s in STATES if s in states), MISSING)


def score(engaged: bool, coverage: Mapping[str, str], kinds: int) -> int:
    """0–100: ENGAGED_POINTS for being engaged, plus COVERAGE_POINTS shared equally by the
    ``kinds`` standard datasets, in full for a validated one and half for one published
    but not validated. Halves round up.

    Engaged, 8 of 16 validated and 2 published: 20 + 80 × (8 + 2 × 0.5) / 16 = 65.
    """
    validated = sum(1 for s in coverage.values() if s == VALIDATED)
    published = sum(1 for s in coverage.values() if s in PUBLISHED and s != VALIDATED)
    points = Decimal(ENGAGED_POINTS if engaged else 0)
    if kinds:
        points += COVERAGE_POINTS * (validated + PUBLISHED_WEIGHT * published) / Decimal(kinds)
    return int(points.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def consortium_figures(members: Iterable[Mapping[str, object]]) -> dict[str, object]:
    """The consortium's rate and averages from its members' figures (engaged, on_list,
    datasets, score)."""
    members = list(members)
    total = len(members)
    engaged = sum(1 for m in members if m.get("engaged"))
    on_list = sum(1 for m in members if m.get("on_national_list"))
    scores = [int(m.get("score") or 0) for m in members]
    mean = Decimal(sum(scores)) / total if total else Decimal(0)
    return {
        "members": total, "engaged": engaged, "rate": percent(engaged, total),
        "on_national_list": on_list, "national_list_rate": percent(on_list, total),
        "datasets": sum(int(m.get("datasets") or 0) for m in members),
        "mean_score": float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
    }
