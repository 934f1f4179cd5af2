"""The shared import logic of every regionaliot harvester (CKAN-API, DCAT, オープンデータ一覧).

A harvester maps each remote record (pure code in ``regionaliot.harvesters``) to a dataset
dict in our schema and leaves the rest to this module:

gather stage::

    state = importer.SourceState.load(job.source.id)   # what earlier harvests made
    members = importer.Members.load()                   # local organizations
    for remote in <stream of remote records>:           # never all of them in memory
        package = <pure mapping>(remote)                # our schema, no owner_org needed
        package["owner_org"] = members.resolve(<remote org code/name>, mapping,
                                               default=importer.source_owner(job.source))
        ids += importer.queue(job, state, guid, package, url=<remote page URL>)
    if <the listing was complete>:                      # never after a failed listing
        ids += importer.queue_withdrawals(job, state)
    importer.flush(); return ids

fetch stage: ``return True`` (the content is stored by the gather stage), or fetch and
store ``harvest_object.content`` (a JSON dataset dict) yourself.

import stage::

    return importer.import_object(harvest_object)

What the module guarantees:

- **provenance**: each harvested dataset carries ``harvest_url`` (the remote page) and
  ``harvest_identifier`` (the remote id, the harvest object's guid);
- **idempotence**: ``queue`` stores a content hash (``common.content_hash`` of the mapped
  dict) on the harvest object and creates nothing for a record whose hash equals the one of
  the current object of the same guid: no object, no revision, no activity, no reindex.
  ``import_object`` checks the hash again (a forced import of an unchanged record is
  'unchanged');
- **withdrawal**: a guid harvested before and missing from a complete listing is
  withdrawn: the local dataset is kept, made private (off the public search) and stamped
  ``harvest_withdrawn`` (a date), never purged. It comes back (public again, stamp cleared)
  if the remote record returns;
- **hand-made datasets are never touched**: only datasets linked to *this* source by a
  harvest object are updated or withdrawn; a new dataset whose name is taken gets a name of
  its own (``-2``, ``-3`` …); remote ids are never used as local ids;
- **one Solr commit per job**: each write is indexed as CKAN always does (a created dataset
  once, not twice), but without the hard Solr commit CKAN makes per dataset (half a second
  or more each); the last object of the job commits once. Solr's autoSoftCommit (deploy/solr/solrconfig.xml, 2 s) shows the
  datasets in search meanwhile, and covers a job whose last object failed before import;
- **no repeated work per write** that cannot change what is stored: the writing user is
  looked up once (``auth_user_obj``); the activity's ``package_show`` is answered from the
  document the import just sent to Solr (what CKAN itself reads back from Solr when each
  write commits), not by dictizing and validating the dataset again; a dataset created by
  the write is not asked for page views (it has none). A test compares a harvested
  dataset, its Solr document and its activity with a plain ``package_create`` of the same
  dict (tests/ckanext/harvest/test_harvest_same_as_create.py);
- **validation** stays with the validation plugin's background job: resources are links,
  so creating them only queues that job (after commit). A dataset the publishing rule
  refuses to make public (a standard dataset not yet validated) is created private; a later
  harvest with changes tries public again.

- **several fetch consumers** may import at once (``ckan harvester fetch_consumer`` run
  more than once): the import of one guid of a source, and the choice and creation of a
  new dataset's name, hold PostgreSQL advisory locks, so the same remote dataset is never
  created twice and two new datasets never get the same name.

Errors are recorded on the harvest object (``HarvestObjectError``) with a clear message;
a failing record never changes the dataset it belongs to.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
import gettext
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.search.common import make_connection
from ckan.model.domain_object import DomainObjectOperation
from ckan.model.modification import DomainObjectModificationExtension
from ckan.model.types import make_uuid
from regionaliot.harvesters import common
from sqlalchemy import and_, select, text

from ckanext.harvest.model import (
    HarvestGatherError,
    HarvestObject,
    HarvestObjectError,
    HarvestObjectExtra,
)
from ckanext.regionaliot.lib.i18n import N_

from .logic.action import HARVESTER

log = logging.getLogger(__name__)

HASH_KEY = "regionaliot_hash"  # harvest_object_extra: content hash of the mapped dict
ACTION_KEY = "regionaliot_action"  # harvest_object_extra: "upsert" or "withdraw"
WITHDRAWN_HASH = "withdrawn"  # the hash of a withdrawal's object: any returning record differs

UPSERT = "upsert"
WITHDRAW = "withdraw"

# Provenance fields of the dataset schema (schemas/ckan/dataset.yaml); only writes whose
# context carries HARVESTER change them (logic/action.py).
URL_FIELD, IDENTIFIER_FIELD, WITHDRAWN_FIELD = common.PROVENANCE_FIELDS

MSG_NOT_JSON = N_("The harvested record could not be read.")
MSG_NOT_OURS = N_("The local dataset {name} was not made by this harvest source; left unchanged.")
MSG_INVALID = N_("The remote dataset {guid} was not imported: {errors}")
MSG_NO_OWNER = N_("No organization to publish the remote dataset {guid} under.")
MSG_GONE = N_("The local copy of {guid} no longer exists; nothing to withdraw.")


# ------------------------------------------------------------------ gather side


@dataclass(frozen=True)
class Previous:
    """The current harvest object of one guid of a source."""

    object_id: str
    package_id: str | None
    hash: str | None

    @property
    def withdrawn(self) -> bool:
        return self.hash == WITHDRAWN_HASH


@dataclass
class SourceState:
    """guid → :class:`Previous` for one source (a few hundred bytes per guid), and the guids
    the current gather has seen."""

    source_id: str
    previous: dict[str, Previous]
    seen: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, source_id: str) -> SourceState:
        extra = HarvestObjectExtra.__table__
        obj = HarvestObject.__table__
        query = (select(obj.c.guid, obj.c.id, obj.c.package_id, extra.c.value)
                 .select_from(obj.outerjoin(extra, and_(extra.c.harvest_object_id == obj.c.id,
                                                        extra.c.key == HASH_KEY)))
                 .where(obj.c.harvest_source_id == source_id, obj.c.current.is_(True)))
        previous = {guid: Previous(object_id, package_id, value)
                    for guid, object_id, package_id, value in model.Session.execute(query)}
        return cls(source_id, previous)

    def unchanged(self, guid: str, digest: str) -> bool:
        before = self.previous.get(guid)
        return before is not None and before.package_id is not None and before.hash == digest


def _new_object(job: Any, guid: str, content: str | None, extras: Mapping[str, str]) -> str:
    # Core inserts: no ORM object stays in the session, so a 20,000-dataset gather keeps
    # only the ids it returns.
    object_id = make_uuid()
    model.Session.execute(HarvestObject.__table__.insert().values(
        id=object_id, guid=guid, content=content, current=False, state="WAITING",
        gathered=datetime.datetime.utcnow(), harvest_job_id=job.id,
        harvest_source_id=job.source_id))
    model.Session.execute(HarvestObjectExtra.__table__.insert(), [
        {"id": make_uuid(), "harvest_object_id": object_id, "key": k, "value": v}
        for k, v in extras.items()])
    return object_id


def queue(job: Any, state: SourceState, guid: str, package: Mapping[str, Any], *,
          url: str | None = None) -> list[str]:
    """Record one remote dataset for import: [harvest object id], or [] when unchanged.

    ``package`` is the mapped dataset dict (our schema; ``name``, ``title``, resources as
    links, ``owner_org``); the provenance fields are added here. Call :func:`flush` every
    page or so: objects are inserted, not committed.
    """
    guid = str(guid)
    state.seen.add(guid)
    package = dict(package)
    package[IDENTIFIER_FIELD] = guid
    if url:
        package[URL_FIELD] = url
    digest = common.content_hash(package)
    if state.unchanged(guid, digest):
        return []
    return [_new_object(job, guid, json.dumps(package, ensure_ascii=False),
                        {HASH_KEY: digest, ACTION_KEY: UPSERT})]


def queue_withdrawals(job: Any, state: SourceState) -> list[str]:
    """Harvest objects withdrawing every previously harvested guid not seen in this gather.

    Call it only after a complete listing: a partial one (an error on page 3) would
    withdraw good datasets.
    """
    ids = []
    for guid, before in state.previous.items():
        if guid in state.seen or before.withdrawn or before.package_id is None:
            continue
        ids.append(_new_object(job, guid, None, {HASH_KEY: WITHDRAWN_HASH, ACTION_KEY: WITHDRAW}))
    return ids


def flush() -> None:
    """Commit the objects queued so far (call it every page: one transaction per page)."""
    model.Session.commit()


def source_owner(source: Any) -> str | None:
    """The organization of a harvest source (the source is a dataset of type harvest)."""
    package = model.Package.get(source.id)
    return package.owner_org if package is not None else None


I18N = Path(__file__).parent / "i18n"  # this plugin's catalogue, then the core one's
CORE_I18N = Path(__file__).parents[1] / "i18n"


@functools.lru_cache(maxsize=1)
def _japanese() -> gettext.NullTranslations:
    ja = gettext.translation("ckanext-regionaliot_harvest", I18N, ["ja"], fallback=True)
    ja.add_fallback(gettext.translation("ckanext-regionaliot", CORE_I18N, ["ja"], fallback=True))
    return ja


def stored_message(msgid: str, **params: Any) -> str:
    """A harvest error as stored: Japanese first, then English (``日本語 / English``).

    ckanext-harvest stores one text per error and shows it as stored (job pages, the API,
    its e-mails), so it cannot be translated when shown. A field that is itself a message
    (a parser's error) is translated too (``common.bilingual``).
    """
    return common.bilingual(msgid, params, _japanese().gettext)


def gather_error(job: Any, msgid: str, **params: Any) -> None:
    """Record a gather error on ``job`` (committed at once), Japanese first."""
    HarvestGatherError(message=stored_message(msgid, **params), job=job).save()


def original_url(harvest_object_id: str) -> str | None:
    """The remote page a harvest object came from (IHarvester.get_original_url)."""
    obj = HarvestObject.get(harvest_object_id)
    try:
        package = json.loads(obj.content) if obj is not None and obj.content else {}
    except ValueError:
        return None
    return package.get(URL_FIELD) if isinstance(package, dict) else None


# ------------------------------------------------------------------ organizations


@dataclass
class Members:
    """Local organizations by id, name, title and 団体コード (5 or 6 digits)."""

    by_key: dict[str, str]

    @classmethod
    def load(cls) -> Members:
        by_key: dict[str, str] = {}
        groups = model.Session.query(model.Group).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active")
        for group in groups:
            keys = [group.id, group.name, group.title]
            code = (group.extras or {}).get("lg_code")
            if code:
                keys += [code, code[:5]]
            for key in keys:
                if key:
                    by_key.setdefault(str(key), group.id)
        return cls(by_key)

    def find(self, key: Any) -> str | None:
        if key is None:
            return None
        text = str(key).strip()
        return self.by_key.get(text) or (self.by_key.get(text[:5]) if text.isdigit() and
                                         len(text) == 6 else None)

    def resolve(self, remote: Iterable[Any], mapping: Mapping[str, str] | None = None,
                default: str | None = None) -> str | None:
        """The local organization id for a remote organization, given as its candidate keys
        (code, name, title): the source's ``mapping`` (remote key → local name, id or
        団体コード) first, then a local organization with the same code or name, then
        ``default`` (the harvest source's own organization)."""
        candidates = [c for c in remote if c not in (None, "")]
        for candidate in candidates:
            if mapping and str(candidate) in mapping:
                found = self.find(mapping[str(candidate)])
                if found:
                    return found
        for candidate in candidates:
            if (found := self.find(candidate)) is not None:
                return found
        return self.find(default) if default else None


# ------------------------------------------------------------------ import side


def _writer(user: str | None) -> dict[str, Any]:
    """The context of the import's writes: the site user (or ``user``), looked up once and
    handed to CKAN as ``auth_user_obj`` (as a web request does), so package_create, its
    organization update and the activity's action do not each look the user up again."""
    user_obj = model.User.get(user or tk.config.get("ckan.site_id"))  # CKAN's site user's name
    if user_obj is None and not user:
        tk.get_action("get_site_user")({"ignore_auth": True}, {})  # makes it
        user_obj = model.User.get(tk.config.get("ckan.site_id"))
    if user_obj is None:
        return {"user": user, "ignore_auth": True, HARVESTER: True}
    return {"user": user_obj.name, "auth_user_obj": user_obj, "ignore_auth": True,
            HARVESTER: True}


def _extras(obj: HarvestObject) -> dict[str, str]:
    return {e.key: e.value for e in obj.extras}


def _error(obj: HarvestObject, msgid: str, **params: Any) -> bool:
    HarvestObjectError(message=stored_message(msgid, **params), object=obj,
                       stage="Import").save()
    return False


def _previous(obj: HarvestObject) -> HarvestObject | None:
    return (model.Session.query(HarvestObject)
            .filter(HarvestObject.harvest_source_id == obj.harvest_source_id,
                    HarvestObject.guid == obj.guid, HarvestObject.current.is_(True),
                    HarvestObject.id != obj.id)
            .order_by(HarvestObject.import_finished.desc().nullslast()).first())


def _owned(package_id: str, source_id: str) -> bool:
    """Whether a harvest object of ``source_id`` links the dataset (so it is ours to change)."""
    return model.Session.query(HarvestObject.id).filter(
        HarvestObject.package_id == package_id,
        HarvestObject.harvest_source_id == source_id).first() is not None


def _make_current(obj: HarvestObject, package_id: str) -> None:
    model.Session.query(HarvestObject).filter(
        HarvestObject.package_id == package_id, HarvestObject.id != obj.id).update(
        {"current": False}, synchronize_session=False)
    obj.package_id = package_id
    obj.current = True
    model.Session.add(obj)


class _Locks:
    """PostgreSQL advisory locks held on a connection of their own (autocommit), so they
    last across the import's several commits and rollbacks; all released at the end."""

    def __init__(self) -> None:
        self.conn = model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def take(self, key: str) -> None:
        # Waits for the consumer holding the same key. Keys are taken in a fixed order
        # (the guid, then at most one name), so two consumers never wait on each other.
        self.conn.execute(text("SELECT pg_advisory_lock(hashtextextended(:key, 0))"),
                          {"key": key})

    def release(self) -> None:
        try:
            # A pooled connection keeps session locks: release every one before it goes back.
            self.conn.execute(text("SELECT pg_advisory_unlock_all()"))
        finally:
            self.conn.close()


def _free_name(name: str) -> str:
    wanted = common.dataset_name(name)
    candidate, n = wanted, 1
    while model.Session.query(model.Package.id).filter(model.Package.name == candidate).first():
        n += 1
        suffix = f"-{n}"
        candidate = wanted[: common.NAME_MAX - len(suffix)] + suffix
    return candidate


def _keep_resource_ids(package: dict[str, Any], existing: Any) -> None:
    """Reuse the ids of resources with the same URL, so unchanged files keep their
    validation record (the validation plugin re-checks only new or changed files)."""
    by_url: dict[str, str] = {}
    for res in existing.resources:
        by_url.setdefault(res.url, res.id)
    for res in package.get("resources", []):
        if res.get("url") in by_url:
            res["id"] = by_url.pop(res["url"])


def _only_private_refused(error: tk.ValidationError) -> bool:
    errors = error.error_dict or {}
    return bool(errors) and set(errors) == {"private"}


def _write(action: str, context: dict[str, Any], package: dict[str, Any]) -> str:
    """package_create/update, returning the dataset's id (no package_show of the result);
    a dataset the publishing rule keeps private is written private."""
    context = dict(context, return_id_only=True)
    try:
        return tk.get_action(action)(dict(context), dict(package))
    except tk.ValidationError as exc:
        if package.get("private") or not _only_private_refused(exc):
            raise
        log.info("Harvested dataset %s kept private until validated", package.get("name"))
        model.Session.rollback()
        return tk.get_action(action)(dict(context), dict(package, private=True))


def _describe(errors: Any) -> str:
    if isinstance(errors, dict):
        return "; ".join(f"{k}: {_describe(v)}" for k, v in errors.items())
    if isinstance(errors, list):
        return ", ".join(_describe(e) for e in errors)
    return str(errors)


SOLR_COMMIT = "ckan.search.solr_commit"
UNFINISHED = ("WAITING", "FETCH", "IMPORT")


@contextlib.contextmanager
def _no_solr_commit_per_dataset():
    # CKAN reads this setting at each index call and offers no per-call switch. The import
    # stage runs in the harvest fetch consumer, one object at a time, so the override is
    # seen by this write only; it is always restored.
    missing, before = SOLR_COMMIT not in tk.config, tk.config.get(SOLR_COMMIT)
    tk.config[SOLR_COMMIT] = False
    try:
        yield
    finally:
        if missing:
            tk.config.pop(SOLR_COMMIT, None)
        else:
            tk.config[SOLR_COMMIT] = before


# Set around the import's write (a context variable: each thread or task its own).
_INDEX_ONCE: contextvars.ContextVar[bool] = contextvars.ContextVar("regionaliot_index_once",
                                                                   default=False)
# The datasets the import's write created (notified as new), while _INDEX_ONCE is set.
_CREATED: contextvars.ContextVar[set[str]] = contextvars.ContextVar("regionaliot_created")


def _indexing_once(original: Any) -> Any:
    # CKAN means to notify a dataset created in a commit only as "new" (modification.py
    # leaves new packages out of the changed ones) but adds it back through its new
    # resources' related_packages, so the search plugin runs package_show and a Solr add
    # twice per created dataset. While _INDEX_ONCE is set, a package already notified as
    # new in the same commit is not notified again as changed: the same dict, indexed once,
    # still inside the transaction (a Solr failure rolls the write back as before).
    # Resources, deletions, every other notification and every other write pass unchanged.
    @functools.wraps(original)
    def before_commit(self: Any, session: Any) -> None:
        if not _INDEX_ONCE.get():
            return original(self, session)
        created: set[str] = set()

        def notify(entity: Any, operation: str) -> None:
            if isinstance(entity, model.Package):
                if operation == DomainObjectOperation.new:
                    created.add(entity.id)
                    _CREATED.get().add(entity.id)
                elif operation == DomainObjectOperation.changed and entity.id in created:
                    return
            self.notify(entity, operation)

        self.notify_observers(session, notify)

    before_commit.regionaliot_index_once = True
    return before_commit


@contextlib.contextmanager
def _index_new_dataset_once():
    cls = DomainObjectModificationExtension
    if not getattr(cls.before_commit, "regionaliot_index_once", False):
        cls.before_commit = _indexing_once(cls.before_commit)  # once per process, inert unset
    _no_views_for_new_datasets()
    token, created = _INDEX_ONCE.set(True), _CREATED.set(set())
    try:
        yield
    finally:
        _CREATED.reset(created)
        _INDEX_ONCE.reset(token)


def _no_views_for_new_datasets() -> None:
    # CKAN's tracking plugin reads a dataset's page views (tracking_summary, by package id)
    # three times per write: in package_show for the index, in before_dataset_index, and in
    # the activity's package_show. A dataset created by this very write has none: only
    # `ckan tracking update` gives tracking rows a package id, from pages of datasets that
    # existed. So for those the answer is the one the table would give, without asking.
    # Resources' views (by URL) and every other dataset are read as before.
    try:
        from ckanext.tracking.model import TrackingSummary
    except ImportError:  # pragma: no cover (CKAN without its tracking plugin)
        return
    original = TrackingSummary.__dict__["get_for_package"]
    if getattr(original.__func__, "regionaliot_no_views", False):
        return

    def get_for_package(cls: Any, package_id: str) -> dict[str, int]:
        created = _CREATED.get(None) if _INDEX_ONCE.get() else None
        if created and package_id in created:
            return {"total": 0, "recent": 0}
        return original.__func__(cls, package_id)

    get_for_package.regionaliot_no_views = True  # type: ignore[attr-defined]
    TrackingSummary.get_for_package = classmethod(get_for_package)  # once per process


# What this import sent to Solr, by dataset id: the stored fields package_show reads back
# (validated_data_dict, data_dict, metadata_modified). Set around the import's write.
_SENT: contextvars.ContextVar[dict[str, dict[str, Any]] | None] = contextvars.ContextVar(
    "regionaliot_sent_to_solr", default=None)
_SHOWN_FIELDS = ("validated_data_dict", "data_dict", "metadata_modified")


def _remembering_adds(original: Any) -> Any:
    # Each document as the index sent it (after every plugin's before_dataset_index), once
    # Solr accepted it.
    @functools.wraps(original)
    def add(self: Any, docs: Any, *args: Any, **kwargs: Any) -> Any:
        sent = _SENT.get()
        if sent is None:
            return original(self, docs, *args, **kwargs)
        docs = list(docs)
        answer = original(self, docs, *args, **kwargs)
        for doc in docs:
            if isinstance(doc, dict) and doc.get("entity_type") == "package" and \
                    all(isinstance(doc.get(k), str) for k in _SHOWN_FIELDS + ("id",)):
                sent[doc["id"]] = {k: doc[k] for k in _SHOWN_FIELDS}
        return answer

    add.regionaliot_remembering = True
    return add


def _showing_sent(original: Any) -> Any:
    # CKAN's package_show first asks Solr for the dataset (ckan.lib.search.show) and uses
    # its stored validated_data_dict when its metadata_modified is the dataset's; only
    # otherwise does it dictize and validate again. With one Solr commit per job the
    # document just sent is not yet searchable, so the activity's package_show after each
    # write asked Solr in vain, then dictized (7 statements) and validated the dataset a
    # second time. Inside the import, the document this import sent answers instead:
    # exactly what Solr would return once committed (and what CKAN's activity stores when
    # every write commits Solr, the default). Anything else asks Solr as before.
    @functools.wraps(original)
    def show(reference: str) -> dict[str, Any]:
        sent = _SENT.get()
        if sent is not None and reference in sent:
            return dict(sent[reference])
        return original(reference)

    show.regionaliot_showing_sent = True
    return show


@contextlib.contextmanager
def _show_what_was_indexed():
    import ckan.lib.search as search
    import pysolr

    if not getattr(pysolr.Solr.add, "regionaliot_remembering", False):
        pysolr.Solr.add = _remembering_adds(pysolr.Solr.add)  # once per process, inert unset
    if not getattr(search.show, "regionaliot_showing_sent", False):
        search.show = _showing_sent(search.show)
    token = _SENT.set({})
    try:
        yield
    finally:
        _SENT.reset(token)


def _commit_search_if_last(job_id: str, object_id: str) -> None:
    """Commit Solr once when no other object of the job is still waiting or importing."""
    if not tk.asbool(tk.config.get(SOLR_COMMIT)):
        return  # the site relies on Solr's own commits
    try:
        others = model.Session.query(HarvestObject.id).filter(
            HarvestObject.harvest_job_id == job_id, HarvestObject.id != object_id,
            HarvestObject.state.in_(UNFINISHED)).first()
        if others is None:
            make_connection().commit()
    except Exception:  # the datasets are saved; autoSoftCommit shows them soon
        model.Session.rollback()
        log.exception("Solr commit after harvest job %s failed", job_id)


def import_object(obj: HarvestObject, *, user: str | None = None) -> bool | str:
    """Write one harvest object queued by :func:`queue` or :func:`queue_withdrawals`.

    Returns True (created, updated or withdrawn), ``'unchanged'``, or False with an error
    recorded on the object. The dataset is never purged and datasets of other sources or
    made by hand are never changed.
    """
    job_id, object_id = obj.harvest_job_id, obj.id
    locks = _Locks()
    try:
        locks.take(f"regionaliot-harvest guid {obj.harvest_source_id} {obj.guid}")
        with _no_solr_commit_per_dataset(), _index_new_dataset_once(), \
                _show_what_was_indexed():
            return _import(obj, user, locks)
    finally:
        locks.release()
        _commit_search_if_last(job_id, object_id)


def _import(obj: HarvestObject, user: str | None, locks: _Locks) -> bool | str:
    extras = _extras(obj)
    previous = _previous(obj)
    context = _writer(user)
    if extras.get(ACTION_KEY) == WITHDRAW:
        return _withdraw(obj, previous, context)
    try:
        package = json.loads(obj.content or "")
        if not isinstance(package, dict):
            raise ValueError
    except ValueError:
        return _error(obj, MSG_NOT_JSON)
    if not package.get("owner_org"):
        return _error(obj, MSG_NO_OWNER, guid=obj.guid)
    package.setdefault("private", False)
    digest = extras.get(HASH_KEY) or common.content_hash(package)
    existing = model.Package.get(previous.package_id) if previous and previous.package_id else None
    if existing is not None and not _owned(existing.id, obj.harvest_source_id):
        return _error(obj, MSG_NOT_OURS, name=existing.name)
    if existing is not None and existing.state == "deleted":
        existing = None  # staff deleted it: a new copy is made under a free name
    if existing is not None and previous is not None and previous.extras and \
            _extras(previous).get(HASH_KEY) == digest:
        return "unchanged"
    try:
        if existing is None:
            wanted = common.dataset_name(package.get("name") or package.get("title") or obj.guid)
            locks.take(f"regionaliot-harvest name {wanted}")
            package["name"] = _free_name(wanted)
            package.pop("id", None)
            package_id = _write("package_create", context, package)
        else:
            package["id"] = existing.id
            package["name"] = existing.name  # a staff rename stays
            package[WITHDRAWN_FIELD] = ""
            _keep_resource_ids(package, existing)
            package_id = _write("package_update", context, package)
    except tk.ValidationError as exc:
        model.Session.rollback()
        return _error(obj, MSG_INVALID, guid=obj.guid, errors=_describe(exc.error_dict))
    obj = model.Session.merge(obj)
    _make_current(obj, package_id)
    model.Session.commit()
    return True


def _withdraw(obj: HarvestObject, previous: HarvestObject | None,
              context: dict[str, Any]) -> bool | str:
    package = model.Package.get(previous.package_id) if previous and previous.package_id else None
    if package is None:
        return _error(obj, MSG_GONE, guid=obj.guid)
    if not _owned(package.id, obj.harvest_source_id):
        return _error(obj, MSG_NOT_OURS, name=package.name)
    today = datetime.date.today().isoformat()
    tk.get_action("package_patch")(dict(context, return_id_only=True),
                                   {"id": package.id, "private": True,
                                    WITHDRAWN_FIELD: today})
    obj = model.Session.merge(obj)
    _make_current(obj, package.id)
    model.Session.commit()
    return True
