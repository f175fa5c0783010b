"""Objects (companies, accounts, ... of the workspace's object types), optionally with their attributes and the
people related to them.

GET /object_types lists the types (`object_types`). POST /objects with a match-all filter lists each chosen
type's objects, 1,000 a page; pages repeat objects, so each is kept once (`objects`). There is no bulk read of
attributes or relationships: with `attributes`, each object costs one request more (its attributes become
columns of `objects`); with `relationships`, one (paged) request more (`object_relationships`, one row per
related person). Each object's detail is its own walk, so the fan-out fills the rate limit.

Every chosen type's objects are read completely each run, so with Incremental Update all three tables are
replaced (keeping their primary keys): deleted objects, ended relationships and the objects of deleted object
types leave Storage. The state keeps how many rows each type gave, so the log can say what leaves with a type.
With keep_deleted_rows (the behaviour before), `objects` and `object_relationships` are replaced per type
once all of that type's objects (and details) were read, and the rows of gone types stay.
"""
import logging
import threading
from dataclasses import replace
from typing import Dict
from urllib.parse import quote

from customerio import NotFoundError
from customerio.ids import id_text
from customerio.resources import (OBJECT_RELATIONSHIPS, OBJECT_TYPES, OBJECTS, match_all_objects)
from extractors.base import REPLACE, Extractor, Replaced, Walk
from extractors.parents import is_count
from extractors.reading import records
from extractors.resources import spec_of

TYPES_SPEC, OBJECTS_SPEC, RELATIONSHIPS_SPEC = spec_of(OBJECT_TYPES), spec_of(OBJECTS), spec_of(OBJECT_RELATIONSHIPS)
STATE_TYPES = "types"

log = logging.getLogger(__name__)


class _TypeProgress:
    """The walks still reading one type's objects; the last to finish says the type is complete."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open = 1              # the listing walk itself
        self.vanished = 0
        self.rows = {"objects": 0, "relationships": 0}

    def opened(self) -> None:
        with self._lock:
            self._open += 1

    def closed(self, vanished: int = 0, objects: int = 0, relationships: int = 0) -> bool:
        with self._lock:
            self.vanished += vanished
            self.rows["objects"] += objects
            self.rows["relationships"] += relationships
            self._open -= 1
            return self._open == 0


class ObjectsExtractor(Extractor):
    name = "objects"
    order = 30

    def __init__(self, client, settings, state, run_started, knobs=None):
        super().__init__(client, settings, state, run_started, knobs)
        self.options = settings.objects
        self.detailed = self.options.attributes or self.options.relationships
        self.exact = not settings.keep_deleted_rows
        load = REPLACE if self.exact else None
        self.types_spec, self.objects_spec, self.relationships_spec = (
            replace(spec, load=load) for spec in (TYPES_SPEC, OBJECTS_SPEC, RELATIONSHIPS_SPEC))
        previous = self.state.get(self.name) if isinstance(self.state.get(self.name), dict) else {}
        stored = previous.get(STATE_TYPES) if isinstance(previous.get(STATE_TYPES), dict) else {}
        self._previous: Dict[str, dict] = {str(key): value for key, value in stored.items() if isinstance(value, dict)}
        self._lock = threading.Lock()
        self._read: Dict[str, dict] = {}            # type id -> rows it gave, once read completely

    def tables(self):
        return [self.types_spec, self.objects_spec] + ([self.relationships_spec] if self.options.relationships else [])

    def new_state(self, skipped=frozenset()):
        with self._lock:
            return {STATE_TYPES: {type_id: dict(rows) for type_id, rows in sorted(self._read.items())}}

    def walks(self):
        yield Walk("object types", self._types)

    def _types(self):
        listed = []
        for record in records(self.client, OBJECT_TYPES, OBJECT_TYPES.path):
            yield self.types_spec, record
            type_id = id_text(record.get("id"))
            if type_id is not None:
                listed.append(type_id)
        wanted = self.options.types or listed
        unknown = [type_id for type_id in wanted if type_id not in listed]
        if unknown:
            log.warning("objects: object type %s does not exist in this workspace (it has %s); nothing is read "
                        "for it.", ", ".join(unknown), ", ".join(listed) or "none")
        self._report_gone(listed, wanted)
        for type_id in wanted:
            if type_id in listed:
                yield Walk(f"objects of type {type_id}", lambda type_id=type_id: self._objects(type_id))

    def _report_gone(self, listed, wanted) -> None:
        """Says which object types of the last run this one does not read, and what happens to their rows."""
        for type_id, rows in self._previous.items():
            if type_id in wanted and type_id in listed:
                continue
            why = "no longer exists in Customer.io" if type_id not in listed else "is no longer selected (types)"
            kinds = ("objects", "relationships") if self.options.relationships else ("objects",)
            counts = [f"{rows[kind]:,} {kind}" for kind in kinds if is_count(rows.get(kind)) and rows[kind]]
            what = " and ".join(counts) or "rows"
            outcome = "leave Storage" if self.exact else "stay in Storage (keep_deleted_rows is on)"
            log.info("objects: object type %s %s: its %s %s.", type_id, why, what, outcome)

    def _objects(self, type_id: str):
        progress, seen = _TypeProgress(), set()
        body = {"object_type_id": type_id, "filter": match_all_objects(type_id)}
        for record in records(self.client, OBJECTS, OBJECTS.path, method="POST", body=body):
            object_id = id_text(record.get("object_id"))
            if object_id is None or object_id in seen:
                continue                      # pages repeat objects (documented)
            seen.add(object_id)
            row = {"object_type_id": type_id, "object_id": object_id, "cio_object_id": record.get("cio_object_id")}
            if not self.detailed:
                yield self.objects_spec, row
                continue
            progress.opened()
            yield Walk(f"object {type_id}/{object_id}", lambda row=row: self._detail(type_id, row, progress))
        log.info("objects: type %s has %s objects%s.", type_id, f"{len(seen):,}",
                 "; reading their details one request each" if self.detailed else "")
        yield from self._closed(type_id, progress, objects=0 if self.detailed else len(seen))

    def _detail(self, type_id: str, row: dict, progress: _TypeProgress):
        object_id = row["object_id"]
        base = f"/objects/{quote(type_id, safe='')}/{quote(object_id, safe='')}"
        try:
            if self.options.attributes:
                found = self.client.get(base + "/attributes").get("object") or {}
                for name, value in (found.get("attributes") or {}).items():
                    row.setdefault(name, value)
            relationships = list(self._relationships(type_id, object_id, base)) if self.options.relationships else []
        except NotFoundError:
            yield from self._closed(type_id, progress, vanished=1)     # deleted since it was listed
            return
        yield self.objects_spec, row
        for relationship in relationships:
            yield self.relationships_spec, relationship
        yield from self._closed(type_id, progress, objects=1, relationships=len(relationships))

    def _relationships(self, type_id: str, object_id: str, base: str):
        people = set()
        for record in records(self.client, OBJECT_RELATIONSHIPS, base + "/relationships"):
            identifiers = record.get("identifiers") if isinstance(record.get("identifiers"), dict) else {}
            cio_id = id_text(identifiers.get("cio_id"))
            if cio_id is None or cio_id in people:
                continue                      # pages repeat people too
            people.add(cio_id)
            yield {"object_type_id": type_id, "object_id": object_id, "cio_id": cio_id,
                   "id": id_text(identifiers.get("id")), "email": identifiers.get("email")}

    def _closed(self, type_id: str, progress: _TypeProgress, vanished: int = 0, objects: int = 0,
                relationships: int = 0):
        if not progress.closed(vanished, objects, relationships):
            return
        if progress.vanished:
            log.warning("objects: %s objects of type %s were deleted while the run read them (404); they are left "
                        "out.", f"{progress.vanished:,}", type_id)
        with self._lock:
            self._read[type_id] = dict(progress.rows) if self.options.relationships else \
                {"objects": progress.rows["objects"]}
        if self.exact:
            return                          # the tables are replaced whole
        yield Replaced(self.objects_spec, type_id)
        if self.options.relationships:
            yield Replaced(self.relationships_spec, type_id)
