"""Objects: GET /v1/object_types, POST /v1/objects, GET /v1/objects/{type}/{id}/attributes and /relationships.

Type t (1..Workspace.object_types) has id "t" (a STRING in every body) and Workspace.objects // t objects;
object j of type t has object_id "<singular_slug>-<j:04d>" (e.g. "company-0007") and cio_object_id
"o<t><j:07x>". Objects are computed, never stored.

- GET /object_types: {"types": [{id (string), name, singular_name, slug, singular_slug, icon, enabled}]};
  every 3rd type is disabled.
- POST /objects?start=&limit=: `start`/`limit` are read from the QUERY string only (a `limit` in the body is
  ignored, as the API ignores it); limit defaults to 50 and is capped at 1000 (choices: undocumented). Body
  {"object_type_id": "<string>", "filter": {...}}, both required (400 otherwise; an integer object_type_id
  is a 400). The filter is and / or / not of {"object_attribute": {field, operator, value, type_id}} with
  operator eq | exists; every condition's `type_id` must EQUAL object_type_id (the same string), else 400.
  `field` is object_id or an attribute. Response {"identifiers": [{object_id, cio_object_id}], "ids":
  [object_id], "next": cursor or ""}. DUPLICATES: every page after the first starts with the last object of the
  page before (with limit >= 2), so a client must dedupe on (object_type_id, object_id). An unknown type id
  answers an empty list (the spec documents no 404).
- GET /objects/{type}/{object_id}/attributes?id_type=object_id|cio_object_id: the path type id must be an
  INTEGER (400 otherwise); {"object": {"identifiers", "object_type_id": "t", "attributes", "timestamps"}};
  404 for an unknown type or object (a choice: only 401/429 are documented).
- GET /objects/{type}/{object_id}/relationships?start=&limit=&id_type=: people related to the object
  (object j has j % 5 people, 30 when j % 7 == 6), cursor, `limit` default 10 / max 1000 (choices), items
  {"identifiers": {cio_id, email, id}, "object_type_id": "t", "object_type_disabled": bool}; pages overlap by
  one item like POST /objects.

Switches (fake_api.endpoints.lifecycle, id = (type_id, object_id)): delete_between(fake, "object", id)
(still found by POST /objects, its attributes/relationships 404); remove(fake, "object", id) (gone);
remove(fake, "object_type", t) (the type is deleted: not listed, POST /objects answers it with an empty list as
for any unknown type, its objects 404; restore brings it back with its objects). Related people deleted
upstream (lifecycle.remove_person) are no longer related.
Helpers: expected_object_types(fake), expected_objects(fake, type_id) (identifiers, no duplicates),
expected_object_attributes(fake, type_id, object_id), expected_object_relationships(fake, type_id, object_id).
"""
import json
from typing import Callable, List, Optional

from fake_api.endpoints import lifecycle
from fake_api.server import HttpError, decode_cursor, encode_cursor, int_param, route

NAMES = (("Companies", "Company", "building"), ("Accounts", "Account", "briefcase"), ("Projects", "Project", "folder"),
         ("Courses", "Course", "book"))
PLANS = ("basic", "growth", "enterprise")
DEFAULT_LIMIT, MAX_LIMIT = 50, 1000
REL_DEFAULT_LIMIT, REL_MAX_LIMIT = 10, 1000
_CACHE = "objects_filter_cache"


def object_type(t: int) -> dict:
    name, singular, icon = NAMES[(t - 1) % len(NAMES)]
    suffix = "" if t <= len(NAMES) else f" {t}"
    slug = name.lower() + suffix.replace(" ", "_")
    return {"id": str(t), "name": name + suffix, "singular_name": singular + suffix, "slug": slug,
            "singular_slug": singular.lower() + suffix.replace(" ", "_"), "icon": icon, "enabled": t % 3 != 0}


def count(ws, t: int) -> int:
    return ws.objects // t if 1 <= t <= ws.object_types else 0


def type_exists(fake, t: int) -> bool:
    return 1 <= t <= fake.workspace.object_types and not lifecycle.is_removed(fake, "object_type", t)


def object_id(t: int, j: int) -> str:
    return f"{object_type(t)['singular_slug']}-{j:04d}"


def cio_object_id(t: int, j: int) -> str:
    return f"o{t}{j:07x}"


def identifiers(t: int, j: int) -> dict:
    return {"object_id": object_id(t, j), "cio_object_id": cio_object_id(t, j)}


def attributes(ws, t: int, j: int):
    """(attributes, timestamps) of object j."""
    singular = object_type(t)["singular_name"]
    base = ws.now - 86400 * 100 + j * 60
    attrs = {"name": f"{singular} {j}", "created_at": str(base), "employees": 5 + j % 500}
    if j % 3 == 0:
        attrs["plan"] = PLANS[j % len(PLANS)]
    if j % 4 == 1:
        attrs["industry"] = "retail" if j % 8 == 1 else "software"
    return attrs, {key: base + i for i, key in enumerate(sorted(attrs))}


def index_of(ws, t: int, raw: str, id_type: str) -> Optional[int]:
    """j for an object_id / cio_object_id of type t, None when there is no such object."""
    for j in _candidates(t, raw, id_type):
        if 0 <= j < count(ws, t):
            return j
    return None


def _candidates(t: int, raw: str, id_type: str):
    try:
        if id_type == "cio_object_id":
            if raw.startswith(f"o{t}") and len(raw) == len(str(t)) + 8:
                yield int(raw[len(str(t)) + 1:], 16)
        else:
            prefix = object_type(t)["singular_slug"] + "-"
            if raw.startswith(prefix):
                j = int(raw[len(prefix):])
                if object_id(t, j) == raw:
                    yield j
    except ValueError:
        return


def listed(fake, t: int) -> List[int]:
    ws = fake.workspace
    if not type_exists(fake, t):
        return []
    removed = {key[1][1] for key in fake.extras.get(lifecycle.REMOVED, ()) if key[0] == "object"
               and key[1][0] == str(t)}
    if not removed:
        return range(count(ws, t))
    return [j for j in range(count(ws, t)) if object_id(t, j) not in removed]


# ---------------------------------------------------------------------- the filter
def _check(node, type_id: str) -> None:
    if not isinstance(node, dict) or len(node) != 1:
        raise HttpError(400, "a filter node must be an object with exactly one key")
    key, value = next(iter(node.items()))
    if key in ("and", "or"):
        if not isinstance(value, list) or not value:
            raise HttpError(400, f"{key} needs a non-empty array")
        for child in value:
            _check(child, type_id)
    elif key == "not":
        _check(value, type_id)
    elif key == "object_attribute":
        if not isinstance(value, dict) or not isinstance(value.get("field"), str):
            raise HttpError(400, "object_attribute needs a field")
        if value.get("type_id") != type_id:
            raise HttpError(400, "object_attribute type_id must equal object_type_id")
        if value.get("operator") not in ("eq", "exists"):
            raise HttpError(400, "unknown operator (eq, exists)")
        if value["operator"] == "eq" and "value" not in value:
            raise HttpError(400, "eq needs a value")
    else:
        raise HttpError(400, f"unknown filter key {key}")


def _matcher(ws, t: int, node) -> Callable[[int], bool]:
    key, value = next(iter(node.items()))
    if key == "and":
        parts = [_matcher(ws, t, child) for child in value]
        return lambda j: all(p(j) for p in parts)
    if key == "or":
        parts = [_matcher(ws, t, child) for child in value]
        return lambda j: any(p(j) for p in parts)
    if key == "not":
        inner = _matcher(ws, t, value)
        return lambda j: not inner(j)
    field, operator, wanted = value["field"], value["operator"], value.get("value")

    def leaf(j: int) -> bool:
        found = object_id(t, j) if field == "object_id" else attributes(ws, t, j)[0].get(field)
        if operator == "exists":
            return found is not None
        return found is not None and str(found) == str(wanted)
    return leaf


def _matches_all(node) -> bool:
    key, value = next(iter(node.items()))
    if key == "and":
        return all(_matches_all(child) for child in value)
    if key == "or":
        return any(_matches_all(child) for child in value)
    return key == "object_attribute" and value["field"] == "object_id" and value["operator"] == "exists"


def matching(fake, t: int, node) -> List[int]:
    """Indexes of the listed objects of type t that match; a match-all filter costs nothing, others are cached."""
    base = listed(fake, t)
    if _matches_all(node):
        return base
    cache = fake.extras.setdefault(_CACHE, {})
    key = (t, json.dumps(node, sort_keys=True), len(base), count(fake.workspace, t))
    if key not in cache:
        match = _matcher(fake.workspace, t, node)
        cache.clear()
        cache[key] = [j for j in base if match(j)]
    return cache[key]


def overlapping_page(query, total: int, default_limit: int, max_limit: int):
    """(indexes into the sequence, next token) for a page that repeats the previous page's last item."""
    limit = int_param(query, "limit", default_limit, max_limit)
    offset = decode_cursor(query["start"])["o"] if query.get("start") else 0
    first = offset - 1 if offset > 0 and limit >= 2 else offset
    chosen = list(range(first, min(first + limit, total)))
    end = first + len(chosen)
    return chosen, (encode_cursor({"o": end}) if end < total else "")


@route("POST", "/objects")
def find_objects(fake, query, body):
    if not isinstance(body, dict) or "object_type_id" not in body:
        raise HttpError(400, "object_type_id is required")
    type_id = body["object_type_id"]
    if not isinstance(type_id, str):
        raise HttpError(400, "object_type_id must be a string")
    if not isinstance(body.get("filter"), dict):
        raise HttpError(400, "filter is required")
    _check(body["filter"], type_id)
    t = int(type_id) if type_id.isdigit() else 0
    found = matching(fake, t, body["filter"]) if type_exists(fake, t) and count(fake.workspace, t) else []
    chosen, token = overlapping_page(query, len(found), DEFAULT_LIMIT, MAX_LIMIT)
    items = [identifiers(t, found[i]) for i in chosen]
    return {"identifiers": items, "ids": [i["object_id"] for i in items], "next": token}


def _object(fake, object_type_id: str, raw_id: str, query):
    if not object_type_id.isdigit():
        raise HttpError(400, "object_type_id must be an integer")
    t = int(object_type_id)
    id_type = query.get("id_type") or "object_id"
    if id_type not in ("object_id", "cio_object_id"):
        raise HttpError(400, "id_type must be object_id or cio_object_id")
    j = index_of(fake.workspace, t, raw_id, id_type) if type_exists(fake, t) else None
    if j is None or lifecycle.is_gone(fake, "object", (str(t), object_id(t, j))):
        raise HttpError(404, "object not found")
    return t, j


def object_attributes(fake, t: int, j: int) -> dict:
    attrs, stamps = attributes(fake.workspace, t, j)
    return {"identifiers": identifiers(t, j), "object_type_id": str(t), "attributes": attrs, "timestamps": stamps}


def relationships(fake, t: int, j: int) -> List[dict]:
    ws = fake.workspace
    n = 30 if j % 7 == 6 else j % 5
    enabled = object_type(t)["enabled"]
    people = [ws.person(q) for q in ((j * 7 + t + i) % ws.people for i in range(min(n, ws.people)))
              if q not in ws.removed_people]
    return [{"identifiers": {"cio_id": p["cio_id"], "email": p["email"], "id": p["id"]}, "object_type_id": str(t),
             "object_type_disabled": not enabled} for p in people]


@route("GET", "/object_types")
def list_object_types(fake, query, body):
    return {"types": expected_object_types(fake)}


@route("GET", "/objects/{object_type_id}/{object_id}/attributes")
def get_object_attributes(fake, query, body, object_type_id, object_id):
    t, j = _object(fake, object_type_id, object_id, query)
    return {"object": object_attributes(fake, t, j)}


@route("GET", "/objects/{object_type_id}/{object_id}/relationships")
def get_object_relationships(fake, query, body, object_type_id, object_id):
    t, j = _object(fake, object_type_id, object_id, query)
    found = relationships(fake, t, j)
    chosen, token = overlapping_page(query, len(found), REL_DEFAULT_LIMIT, REL_MAX_LIMIT)
    return {"cio_relationships": [found[i] for i in chosen], "next": token}


# ---------------------------------------------------------------------- test helpers
def expected_object_types(fake) -> List[dict]:
    return [object_type(t) for t in range(1, fake.workspace.object_types + 1) if type_exists(fake, t)]


def expected_objects(fake, type_id: str) -> List[dict]:
    """Identifiers of every listed object of the type, each once, in list order."""
    t = int(type_id)
    return [identifiers(t, j) for j in listed(fake, t)]


def expected_object_attributes(fake, type_id: str, oid: str) -> dict:
    t = int(type_id)
    return object_attributes(fake, t, index_of(fake.workspace, t, oid, "object_id"))


def expected_object_relationships(fake, type_id: str, oid: str) -> List[dict]:
    """Each related person once (the route's pages overlap)."""
    t = int(type_id)
    return relationships(fake, t, index_of(fake.workspace, t, oid, "object_id"))
