"""People: the filter language, POST /v1/customers (search) and POST /v1/customers/attributes (bulk fetch).

People deleted upstream (`lifecycle.remove_person`, Workspace.removed_people) are found by neither route.
Switches in `fake.extras` (set them from a test):
- "customers_flat_items": True answers /customers/attributes with flat items instead of {"customer": {...}}.
- "customers_vanished": a predicate on the person index; those people are found by the search but left out of
  /customers/attributes answers, as if they had been deleted in between.
"""
import json
from typing import Callable, Iterator, Optional

from fake_api.server import HttpError, decode_cursor, encode_cursor, int_param, route

FILTER_KEYS = ("and", "or", "not", "segment", "attribute")
OPERATORS = ("eq", "exists")
ID_TYPES = ("id", "email", "cio_id")
IDENTIFIERS = ("cio_id", "id", "email")
SEARCH_DEFAULT_LIMIT = 50
SEARCH_MAX_LIMIT = 1000
ATTRIBUTES_MAX_IDS = 100


# ---------------------------------------------------------------------------------------------- filter engine
def compile_filter(ws, node, path: str = "filter") -> Callable[[int], bool]:
    """A predicate on the person index, or HttpError 400 for anything the API would reject."""
    if not isinstance(node, dict) or len(node) != 1:
        raise HttpError(400, f"{path}: a condition must be an object with exactly one key")
    (key, value), = node.items()
    if key not in FILTER_KEYS:
        raise HttpError(400, f"{path}: unknown filter key {key!r}")
    if key in ("and", "or"):
        if not isinstance(value, list) or not value:
            raise HttpError(400, f"{path}.{key}: needs a non-empty array")
        parts = [compile_filter(ws, item, f"{path}.{key}[{i}]") for i, item in enumerate(value)]
        if key == "and":
            return lambda q: all(part(q) for part in parts)
        return lambda q: any(part(q) for part in parts)
    if key == "not":
        inner = compile_filter(ws, value, f"{path}.not")
        return lambda q: not inner(q)
    if key == "segment":
        if not isinstance(value, dict) or set(value) != {"id"} or not isinstance(value["id"], int) \
                or isinstance(value["id"], bool):
            raise HttpError(400, f"{path}.segment: needs exactly {{\"id\": <integer>}}")
        segment_id = value["id"]
        return lambda q: ws.in_segment(segment_id, q)
    if not isinstance(value, dict) or not isinstance(value.get("field"), str) \
            or set(value) - {"field", "operator", "value"}:
        raise HttpError(400, f"{path}.attribute: needs field, operator and (for eq) value only")
    field, operator = value["field"], value.get("operator")
    if operator not in OPERATORS:
        raise HttpError(400, f"{path}.attribute: unknown operator {operator!r}")
    # Identifiers are attributes too; reading them from person() is the same answer, much cheaper.
    source = ws.person if field in IDENTIFIERS else ws.attributes
    if operator == "exists":
        return lambda q: source(q).get(field) is not None
    if "value" not in value:
        raise HttpError(400, f"{path}.attribute: eq needs a value")
    wanted = as_text(value["value"])
    return lambda q: source(q).get(field) == wanted


def as_text(value) -> str:
    """Attribute values are text: eq compares JSON true/numbers by their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def matching(ws, predicate: Callable[[int], bool], start: int = 0) -> Iterator[int]:
    """Indexes of matching people from `start` on, in order (generated, never listed)."""
    return (q for q in range(start, ws.people) if q not in ws.removed_people and predicate(q))


# ---------------------------------------------------------------------------------------------- records
def customer(ws, q: int, referenced: str) -> dict:
    """What GET /customers/{id}/attributes puts under `customer`."""
    attributes = ws.attributes(q)
    return {
        "id": referenced,
        "identifiers": ws.person(q),
        "attributes": attributes,
        "timestamps": {name: ws.now - 86400 for name in attributes},
        "unsubscribed": ws.unsubscribed(q),
        "devices": ws.devices(q),
    }


def lookup(ws, id_type: str, value) -> Optional[int]:
    """The person index for an identifier of `id_type`, or None when nobody has it."""
    if not isinstance(value, str):
        return None
    if id_type == "cio_id":
        return ws.person_index(value)
    if id_type == "id":
        if not value.isdigit():
            return None
        q = int(value) - 100000
    else:
        prefix, suffix = "person", "@example.com"
        if not (value.startswith(prefix) and value.endswith(suffix) and value[len(prefix):-len(suffix)].isdigit()):
            return None
        q = int(value[len(prefix):-len(suffix)])
    if not ws.exists(q) or ws.person(q)[id_type] != value:
        return None
    return q


# ---------------------------------------------------------------------------------------------- routes
@route("POST", "/customers")
def search(fake, query, body):
    """Cursor over matching people; the cursor holds the index to resume the scan at."""
    ws = fake.workspace
    if not isinstance(body, dict) or "filter" not in body:
        raise HttpError(400, "filter is required")
    predicate = compile_filter(ws, body["filter"])
    limit = int_param(query, "limit", SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT)
    start = query.get("start")
    position = decode_cursor(start)["q"] if start else 0
    if fake.chance(fake.faults.rate_empty_page) and position < ws.people:
        return {"identifiers": [], "ids": [], "next": encode_cursor({"q": position, "e": fake._rng.random()})}
    identifiers, resume = [], ws.people
    for q in matching(ws, predicate, position):
        identifiers.append(ws.person(q))
        if len(identifiers) == limit:
            resume = q + 1
            break
    return {"identifiers": identifiers, "ids": [p["id"] or "" for p in identifiers],
            "next": encode_cursor({"q": resume}) if resume < ws.people else ""}


@route("POST", "/customers/attributes")
def attributes(fake, query, body):
    ws = fake.workspace
    id_type = query.get("id_type") or "id"
    if id_type not in ID_TYPES:
        raise HttpError(400, f"id_type must be one of {', '.join(ID_TYPES)}")
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= ATTRIBUTES_MAX_IDS:
        raise HttpError(400, f"ids must hold 1 to {ATTRIBUTES_MAX_IDS} identifiers")
    vanished = fake.extras.get("customers_vanished") or (lambda q: False)
    flat = fake.extras.get("customers_flat_items", False)
    items = []
    for value in ids:
        q = lookup(ws, id_type, value)
        if q is None or vanished(q):
            continue  # unknown ids are silently left out, as the live API does
        record = customer(ws, q, value)
        items.append(record if flat else {"customer": record})
    return {"customers": items}
