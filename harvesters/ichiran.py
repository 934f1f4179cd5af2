"""A member's オープンデータ一覧 (standard dataset 14_オープンデータ一覧) → one entry per row.

Pure Python (no CKAN): the harvester plugin (ckanext/regionaliot/harvest/ichiran_harvester.py)
fetches the file through the guard and turns each :class:`Entry` into a dataset with one
link resource. Reading (encoding, BOM, delimiter, metadata lines above the header, xlsx) is
the validation engine's ``reader.open_table`` and its header matching, never a second
implementation, so a 一覧 the validator reads is a 一覧 the harvester reads.

Messages are English msgids with ``{name}`` fields (``ListError``/``Problem``), translated by
the plugin when shown.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from regionaliot.harvesters import common
from regionaliot.validation import engine, headers, lgcode, reader, wareki

SCHEMA = "legacy/opendata_list"

# Columns by their standard names (schemas/tableschema/legacy/opendata_list.json).
CODE, NUMBER, TITLE, SUMMARY, FORMAT, CATEGORY, FREQUENCY, URL, API, LICENSE, \
    REGISTERED, UPDATED, REMARKS = (
        "都道府県コード又は市区町村コード", "NO", "データ名称", "データ概要", "データ形式", "分類",
        "更新頻度", "URL", "API対応有無", "ライセンス", "登録日", "最終更新日", "備考")

# The 17 分類 → the portal's category values: the harvesters' shared table.
CATEGORIES = common.CATEGORIES

_EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"
# 更新頻度 as people write it → the portal's frequency values (presets.yaml).
FREQUENCIES: dict[str, str] = {
    **dict.fromkeys(("随時", "リアルタイム", "常時"), "UPDATE_CONT"),
    **dict.fromkeys(("毎日", "日次", "日毎", "日ごと"), "DAILY"),
    **dict.fromkeys(("毎週", "週次", "週1回", "週ごと"), "WEEKLY"),
    **dict.fromkeys(("毎月", "月次", "月1回", "月ごと"), "MONTHLY"),
    **dict.fromkeys(("四半期", "四半期ごと", "四半期毎", "3か月ごと", "3ヶ月ごと"), "QUARTERLY"),
    **dict.fromkeys(("半年", "半年ごと", "半年毎", "半期", "年2回"), "ANNUAL_2"),
    **dict.fromkeys(("毎年", "年次", "年1回", "年度", "年度ごと", "年ごと", "毎年度"), "ANNUAL"),
    **dict.fromkeys(("不定期",), "IRREG"),
    **dict.fromkeys(("更新なし", "更新予定なし", "なし"), "NEVER"),
}

MAX_ENTRIES = 10_000  # a list longer than this is not a municipality's list

MSG_UNREADABLE = "The open data list could not be read: {reason}"
MSG_NOT_A_LIST = ("The file is not an open data list (standard dataset 14): the columns "
                  "{missing} are missing.")
MSG_TOO_MANY = "The open data list has more than {limit} rows; the rest was not read."
MSG_NO_TITLE = "Row {line}: データ名称 is empty; the row was skipped."
MSG_BAD_URL = "Row {line}: the URL \"{value}\" is not an http(s) address; the row was skipped."
MSG_BAD_CODE = ("Row {line}: \"{value}\" is not a valid 全国地方公共団体コード; the row was "
                "skipped.")
MSG_DUPLICATE = "Row {line}: NO \"{value}\" appears twice; the later row was skipped."
MSG_CATEGORY = "Row {line}: 分類 \"{value}\" is not one of the 17 categories; left empty."
MSG_LICENSE = "Row {line}: ライセンス \"{value}\" is not a licence the portal knows."

_URL_RE = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_FORMAT_SPLIT = re.compile(r"[、,，/／・;；\s]+")
_SPACE_RE = re.compile(r"\s+")


class ListError(Exception):
    """The whole file cannot be used: ``msgid`` and ``params``."""

    def __init__(self, msgid: str, **params: Any):
        super().__init__(common.render(msgid, params))
        self.msgid = msgid
        self.params = params


@dataclass(frozen=True)
class Problem:
    line: int
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def fields(self) -> dict[str, Any]:
        """The msgid's fields, ``line`` included (what a translation of it is given)."""
        return {"line": self.line, **self.params}

    def __str__(self) -> str:
        return common.render(self.msgid, self.fields)


@dataclass(frozen=True)
class Entry:
    """One row of the list: a dataset the member publishes somewhere."""

    line: int  # 1-based line of the file (for messages)
    lg_code: str
    number: str
    title: str
    notes: str
    formats: tuple[str, ...]
    category: str | None
    category_label: str
    frequency: str | None
    url: str
    api: bool | None
    license_id: str | None
    license_text: str
    registered: str | None
    updated: str | None
    remarks: str

    @property
    def key(self) -> str:
        """Stable within the member's list: its NO, else a digest of title and URL."""
        if self.number:
            return self.number
        return "t" + hashlib.sha1(f"{self.title}\n{self.url}".encode()).hexdigest()[:12]

    @property
    def guid(self) -> str:
        return f"ichiran:{self.lg_code}:{self.key}"

    @property
    def name(self) -> str:
        """A CKAN dataset name (lower-case ASCII, ≤ 100 characters), stable across harvests."""
        slug = re.sub(r"[^a-z0-9_-]+", "-", self.key.lower()).strip("-")[:60]
        return f"{self.lg_code}-ichiran-{slug or 'x'}"

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {
            "formats": list(self.formats), "guid": self.guid, "name": self.name}


@dataclass
class OpenDataList:
    encoding: str
    entries: list[Entry]
    problems: list[Problem]


def _clean(text: str | None) -> str:
    """Spaces trimmed and collapsed; the publisher's own characters kept (titles stay as
    written: （改訂） is not made (改訂))."""
    return _SPACE_RE.sub(" ", text or "").strip()


def _nfkc(text: str) -> str:
    """For codes, numbers, URLs and keywords: full-width digits and letters made ASCII."""
    return unicodedata.normalize("NFKC", text)


def license_id(text: str) -> str | None:
    """ライセンス as written (CC BY 4.0, CC-BY, CC0, PDL1.0, 公共データ利用規約 …) → a licence id of
    schemas/ckan/licenses.json (the harvesters' shared reading), or None: not open, or not
    recognised."""
    return common.licence_id(text)


def frequency(text: str) -> str | None:
    value = FREQUENCIES.get(_nfkc(_clean(text)).replace(" ", ""))
    return _EU_FREQ + value if value else None


def iso_date(text: str) -> str | None:
    text = _nfkc(_clean(text))
    if not text:
        return None
    return wareki.parse_gregorian(text) or wareki.parse_wareki(text)


def _flag(text: str) -> bool | None:
    text = _clean(text)
    return True if text == "有" else False if text == "無" else None


def _both(error: reader.ReadError) -> dict[str, str]:
    # The validator's reader words its errors in both languages itself.
    return {"ja": error.reason("ja"), "en": error.reason("en")}


def parse_list(path: str, *, lg_code: str | None = None,
               max_entries: int = MAX_ENTRIES) -> OpenDataList:
    """Read the list at ``path`` (any encoding the validator reads).

    ``lg_code``: the member's code, used where a row's code cell is empty. A row whose code
    is given but wrong is skipped (it may be another body's row). Raises :class:`ListError`
    when the file is unreadable or not a 一覧.
    """
    registry = engine.default_registry()
    schema = registry.by_name(SCHEMA)
    try:
        table = reader.open_table(path, label_score=engine.table_label_scorer(registry))
    except reader.ReadError as exc:
        raise ListError(MSG_UNREADABLE, reason=_both(exc)) from None
    with table:
        match = headers.match_header(table.labels, schema.field_names, registry.aliases)
        column = {name: match.column_of[i] for i, name in enumerate(schema.field_names)}
        missing = [name for name in (TITLE, URL) if column[name] is None]
        if missing:
            raise ListError(MSG_NOT_A_LIST, missing="、".join(missing))
        entries: list[Entry] = []
        problems: list[Problem] = []
        seen: set[str] = set()
        try:
            for offset, row in enumerate(table.rows()):
                line = table.first_data_row + offset  # records, 1-based
                if len(entries) >= max_entries:
                    problems.append(Problem(line, MSG_TOO_MANY, {"limit": max_entries}))
                    break
                entry = _entry(row, column, line, lg_code, problems)
                if entry is None:
                    continue
                if entry.key in seen:
                    problems.append(Problem(line, MSG_DUPLICATE, {"value": entry.key}))
                    continue
                seen.add(entry.key)
                entries.append(entry)
        except reader.ReadError as exc:
            raise ListError(MSG_UNREADABLE, reason=_both(exc)) from None
    return OpenDataList(table.encoding, entries, problems)


def _entry(row: list[str], column: dict[str, int | None], line: int, default_code: str | None,
           problems: list[Problem]) -> Entry | None:
    def cell(name: str) -> str:
        index = column.get(name)
        return _clean(row[index]) if index is not None and index < len(row) else ""

    def key(name: str) -> str:
        return _nfkc(cell(name))

    if not any(value.strip() for value in row):
        return None
    title = cell(TITLE)
    if not title:
        problems.append(Problem(line, MSG_NO_TITLE))
        return None
    url = key(URL)
    if not _URL_RE.match(url):
        problems.append(Problem(line, MSG_BAD_URL, {"value": url[:200]}))
        return None
    code = key(CODE) or (default_code or "")
    if not lgcode.is_valid(code):
        problems.append(Problem(line, MSG_BAD_CODE, {"value": code[:20]}))
        return None
    label = cell(CATEGORY)
    category = CATEGORIES.get(key(CATEGORY).replace(" ", ""))
    if label and category is None:
        problems.append(Problem(line, MSG_CATEGORY, {"value": label[:100]}))
    license_text = cell(LICENSE)
    licence = license_id(license_text)
    if license_text and licence is None:
        problems.append(Problem(line, MSG_LICENSE, {"value": license_text[:100]}))
    number = re.sub(r"[^0-9A-Za-z_-]", "", key(NUMBER))
    formats = tuple(dict.fromkeys(f.upper() for f in _FORMAT_SPLIT.split(key(FORMAT)) if f))
    return Entry(line=line, lg_code=code, number=number, title=title, notes=cell(SUMMARY),
                 formats=formats, category=category, category_label=label,
                 frequency=frequency(key(FREQUENCY)), url=url, api=_flag(key(API)),
                 license_id=licence, license_text=license_text,
                 registered=iso_date(cell(REGISTERED)), updated=iso_date(cell(UPDATED)),
                 remarks=cell(REMARKS))
