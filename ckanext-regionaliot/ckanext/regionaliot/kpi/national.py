"""Importing デジタル庁's national list from files or URLs (URLs only through lib/fetch)."""
from __future__ import annotations

import datetime
import functools
import gettext
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk
from regionaliot.harvesters import common, kpi

from ckanext.regionaliot.lib import clock, config, fetch
from ckanext.regionaliot.lib.i18n import N_

from .model import NationalEntry, NationalList

MSG_TOO_LARGE = N_("{source}: the list is larger than {limit} MB.")
MSG_UNREADABLE_FILE = N_("{source}: the file cannot be read.")
MSG_IN_SOURCE = N_("{source}: {message}")


I18N = Path(__file__).parent / "i18n"  # this plugin's catalogue, then the core one's
CORE_I18N = Path(__file__).parents[1] / "i18n"  # (lib/fetch's messages)


@functools.lru_cache(maxsize=1)
def _japanese() -> gettext.NullTranslations:
    ja = gettext.translation("ckanext-regionaliot_kpi", I18N, ["ja"], fallback=True)
    ja.add_fallback(gettext.translation("ckanext-regionaliot", CORE_I18N, ["ja"], fallback=True))
    return ja


def message(msgid: str, params: Mapping[str, object] | None = None) -> str:
    """A message of the import (the list parser's, the fetch guard's, this module's) as the
    CLI prints it and the actions return it: Japanese first, then English
    (「日本語 / English」, ``common.bilingual``), as the harvest parsers' messages are stored.
    A field that is itself a message is translated too. No request or locale needed."""
    return common.bilingual(msgid, params, _japanese().gettext)


class ImportRefused(Exception):
    """An import that was refused: ``msgid`` and ``params`` (:func:`message` shows it)."""

    def __init__(self, msgid: str, **params: object):
        super().__init__(common.render(msgid, params))
        self.msgid = msgid
        self.params = params

    def text(self) -> str:
        return message(self.msgid, self.params)


@dataclass
class Imported:
    record: NationalList
    parsed: kpi.NationalList
    replaced: bool


def _is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in ("http", "https")


def max_bytes() -> int:
    return config.get_int("ckanext.regionaliot.kpi.national_list_max_bytes")


def _read(source: str) -> tuple[bytes, str]:
    """The bytes of ``source`` and the name its date may be read from."""
    limit = max_bytes()
    if _is_url(source):
        try:
            fetched = fetch.fetch(source, limit=limit, allow_private=False,
                                  timeout=config.get_int("ckanext.regionaliot.kpi.fetch_timeout"))
        except fetch.DownloadError as exc:
            raise ImportRefused(MSG_IN_SOURCE, source=source,
                                message=common.Message(exc.msgid, exc.params)) from None
        try:
            if not fetched.complete:
                raise ImportRefused(MSG_TOO_LARGE, source=source, limit=round(limit / 1e6, 1))
            with open(fetched.path, "rb") as handle:
                data = handle.read()
        finally:
            fetched.remove()
        return data, unquote(os.path.basename(urlsplit(source).path))
    try:
        if os.path.getsize(source) > limit:
            raise ImportRefused(MSG_TOO_LARGE, source=source, limit=round(limit / 1e6, 1))
        with open(source, "rb") as handle:
            return handle.read(), os.path.basename(source)
    except OSError:
        raise ImportRefused(MSG_UNREADABLE_FILE, source=source) from None


def parse(sources: list[str]) -> kpi.NationalList:
    """Read and merge ``sources`` (files or URLs); raises ImportRefused with the source named."""
    parts = []
    for source in sources:
        data, name = _read(source)
        try:
            parts.append(kpi.parse_national_list(data, name))
        except kpi.KPIError as exc:
            raise ImportRefused(MSG_IN_SOURCE, source=source,
                                message=common.Message(exc.msgid, exc.params)) from None
    return kpi.merge(parts)


def store(parsed: kpi.NationalList, sources: list[str],
          as_of: datetime.date | None = None) -> Imported:
    """Keep the list as the one of its date (replacing an earlier import of that date)."""
    # The portal's day (JST), not the server's UTC date: from 00:00 to 09:00 JST it is yesterday's.
    day = as_of or parsed.as_of or clock.today(tk.h.get_display_timezone())
    old = NationalList.on(day)
    if old is not None:
        model.Session.delete(old)
        model.Session.flush()
    record = NationalList(
        id=str(uuid.uuid4()), as_of=day, imported=datetime.datetime.utcnow(),
        source=" ".join(sources), encoding=parsed.encoding, rows=parsed.rows,
        engaged=len(parsed.entries),
        problems=json.dumps([{"msgid": p.msgid, "params": dict(p.params)}
                             for p in parsed.problems], ensure_ascii=False))
    model.Session.add(record)
    model.Session.flush()
    model.Session.bulk_save_objects([
        NationalEntry(list_id=record.id, code=e.code, name=e.name, page_url=e.page_url,
                      site_urls=json.dumps(list(e.site_urls), ensure_ascii=False))
        for e in parsed.entries.values()])
    model.Session.commit()
    return Imported(record, parsed, old is not None)


def import_sources(sources: list[str], as_of: datetime.date | None = None) -> Imported:
    return store(parse(sources), sources, as_of)


def summary(imported: Imported) -> dict:
    """What an import did (the CLI's output, the action's result); the rows left out in
    Japanese first with English."""
    record = imported.record
    return {
        "as_of": record.as_of.isoformat(), "source": record.source,
        "engaged": record.engaged, "rows": record.rows, "encoding": record.encoding,
        "rate": kpi.percent(record.engaged, kpi.NATIONAL_TOTAL),
        "replaced": imported.replaced,
        "problems": [message(p.msgid, p.params) for p in imported.parsed.problems],
    }
