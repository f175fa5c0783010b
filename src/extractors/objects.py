"""Objects (companies, accounts, ... of the workspace's object types), optionally with their attributes and the
people related to them.

GET /object_types lists the types (`object_types`). POST /objects with a match-all filter lists each chosen
type's objects, 1,000 a page; pages repeat objects, so each is kept once (`objects`). There is no bulk read of
attributes or relationships: with `attributes`, each object costs one request more (its attributes become
columns of `objects`); with `relationships`, one (paged) request more (`object_relationships`, one row per
related person). Each object's detail is its own walk, so the fan-out fills the rate limit.

Every type's objects are read completely each run: with Incremental Update both tables are replaced per type
once all of that type's objects (and details) were read, so deleted objects and ended relationships leave
Storage.
"""
import logging
import threading
from urllib.parse import quote

from customerio import NotFoundError
from customerio.ids import id_text
from customerio.resources import (OBJECT_RELATIONSHIPS, OBJECT_TYPES, OBJECTS, match_all_objects)
from extractors.base import Extractor, Replaced, Walk
from extractors.reading import records
from extractors.resources import spec_of

TYPES_SPEC, OBJECTS_SPEC, RELATIONSHIPS_SPEC = spec_of(OBJECT_TYPES), spec_of(OBJECTS), spec_of(OBJECT_RELATIONSHIPS)

log = logging.getLogger(__name__)


class _TypeProgress:
    """The walks still reading one type's objects; the last to finish says the type is complete."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open = 1              # the listing walk itself
        self.vanished = 0

    def opened(self) -> None:
        with self._lock:
            self._open += 1

    def closed(self, vanished: int = 0) -> bool:
        with self._lock:
            self.vanished += vanished
            self._open -= 1
            return self._open == 0


class ObjectsExtractor(Extractor):
    name = "objects"
    order = 30

    def __init__(self, client, settings, state, run_started, knobs=None):
        super().__init__(client, settings, state, run_started, knobs)
        self.options = settings.objects
        self.detailed = self.options.attributes or self.options.relationships

    def tables(self):
        return [TYPES_SPEC, OBJECTS_SPEC] + ([RELATIONSHIPS_SPEC] if self.options.relationships else [])

    def walks(self):
        yield Walk("object types", self._types)

    def _types(self):
        listed = []
        for record in records(self.client, OBJECT_TYPES, OBJECT_TYPES.path):
            yield TYPES_SPEC, record
            type_id = id_text(record.get("id"))
            if type_id is not None:
                listed.append(type_id)
        wanted = self.options.types or listed
        unknown = [type_id for type_id in wanted if type_id not in listed]
        if unknown:
            log.warning("objects: object type %s does not exist in this workspace (it has %s); nothing is read "
                        "for it.", ", ".join(unknown), ", ".join(listed) or "none")
        for type_id in wanted:
            if type_id in listed:
                yield Walk(f"objects of type {type_id}", lambda type_id=type_id: self._objects(type_id))

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
                yield OBJECTS_SPEC, row
                continue
            progress.opened()
            yield Walk(f"object {type_id}/{object_id}", lambda row=row: self._detail(type_id, row, progress))
        log.info("objects: type %s has %s objects%s.", type_id, f"{len(seen):,}",
                 "; reading their details one request each" if self.detailed else "")
        yield from self._closed(type_id, progress)

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
        yield OBJECTS_SPEC, row
        for relationship in relationships:
            yield RELATIONSHIPS_SPEC, relationship
        yield from self._closed(type_id, progress)

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

    def _closed(self, type_id: str, progress: _TypeProgress, vanished: int = 0):
        if not progress.closed(vanished):
            return
        if progress.vanished:
            log.warning("objects: %s objects of type %s were deleted while the run read them (404); they are left "
                        "out.", f"{progress.vanished:,}", type_id)
        yield Replaced(OBJECTS_SPEC, type_id)
        if self.options.relationships:
            yield Replaced(RELATIONSHIPS_SPEC, type_id)
