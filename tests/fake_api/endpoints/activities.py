"""GET /v1/activities: newest first, `type` and `deleted` filters, `limit` 10 by default and 100 at most.

Records are computed from their position, so 100,000 activities cost no memory and any page is built
directly. The listing is up to three segments, newest first:

- `fake.extras["activities_future"]` future-dated activities (clock skew, scheduled events) at the top;
- `fake.extras["activities_added"]` activities that arrived after a first run, all newer than the rest;
- the workspace's `activities`, spread over `activity_span_days`.

Inside a segment activity `a` has type ACTIVITY_KINDS[a % T] (T = the workspace's `activity_types`) and
sits in row a // T. Every 25th row belongs to deleted people, who only show up with deleted=true; because
that pattern is regular, a filtered listing can still jump straight to its k-th record.
`fake.extras["activities_new_field"] = True` adds a top-level field the extractor has never seen;
`fake.extras["null_objects"] = True` sends `customer_identifiers: null` on every third person's activity. The
workspace's `activity_unique_keys` (N) gives every event N `data` keys no other event has (user ids or
timestamps as keys), the way schemas explode on real workspaces.
"""
import re
from dataclasses import dataclass
from typing import Iterator, List, Optional

from fake_api.endpoints.activity_types import OLDER_TYPES, SPEC_TYPES
from fake_api.endpoints.common import cursor_page
from fake_api.server import HttpError, route

#: The first N are a workspace's types: profile, per-channel lifecycle, object and old `secondary:*` types
#: are interleaved so that even the default 12 cover every shape. The rest of the vendor enum follows.
_FIRST = (
    "event", "attribute_change", "sent_email", "page", "_o:1:create", "secondary:opened_email", "delivered_push",
    "screen", "opened_email", "clicked_email", "profile_create", "_r:2:attribute_change", "device_change",
    "bounced_email", "_o:1:attribute_change", "secondary:clicked_email", "sent_twilio", "delivered_email",
    "converted_email", "webhook_event", "sent_push", "opened_push", "sent_webhook", "clicked_webhook",
    "anon_merge", "profile_merge", "failed_attribute_change", "add_relationship", "secondary:delivered_email",
    "stripe_event", "triggered_email", "sent_in_app", "opened_in_app", "sent_slack", "sent_whatsapp",
    "dropped_email", "spammed_email", "unsubscribed_email", "undeliverable_email", "_o:3:delete",
    "drafted_email", "failed_event", "relationship_attribute_change", "profile_delete", "dropped_whatasapp",
)
ACTIVITY_KINDS = _FIRST + tuple(t for t in SPEC_TYPES + OLDER_TYPES if t not in _FIRST)
_OBJECT_TYPE = re.compile(r"^_[or]:\d+:[a-z_]+$")
_KNOWN = frozenset(ACTIVITY_KINDS)
DELETED_EVERY = 25          # every 25th row of activities belongs to deleted people
_LIFECYCLE = re.compile(r"^(secondary:)?(attempted|sent|delivered|opened|clicked|converted|bounced|deferred|"
                        r"drafted|dropped|failed|undeliverable|unsubscribed|suppressed|spammed|triggered|"
                        r"topic_unsubscribed)_(action|email|in_app|push|slack|twilio|webhook|whatsapp|whatasapp)$")
_DELIVERY_TYPE = {"email": "email", "push": "ios", "twilio": "phone", "whatsapp": "phone", "whatasapp": "phone"}
_ATTRIBUTES = ("email", "plan", "first_name")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Segment:
    """A run of activities, newest first: `count` of them, the newest at `newest`, `step` seconds apart."""
    tag: str
    count: int
    newest: int
    step: float

    def timestamp(self, a: int) -> int:
        return self.newest - int(a * self.step)


def segments(fake) -> List[Segment]:
    ws = fake.workspace
    future = int(fake.extras.get("activities_future", 0) or 0)
    added = int(fake.extras.get("activities_added", 0) or 0)
    old_span = ws.activity_span_days * 86400
    return [Segment("F", future, ws.now + 30 * 86400, 60.0),
            Segment("N", added, ws.now - 1, 500.0 / max(added, 1)),
            Segment("A", ws.activities, ws.now - 600, old_span / max(ws.activities, 1))]


def kinds(ws) -> tuple:
    return ACTIVITY_KINDS[:max(1, min(ws.activity_types, len(ACTIVITY_KINDS)))]


def visible_count(n: int, width: int, column: Optional[int], deleted: bool) -> int:
    """How many of a segment's n activities the listing shows (one type column, or all of them)."""
    if column is None:
        if deleted:
            return n
        rows, rest = divmod(n, width)
        hidden = (rows // DELETED_EVERY) * width
        if rest and rows % DELETED_EVERY == DELETED_EVERY - 1:
            hidden += rest
        return n - hidden
    rows = (n - column + width - 1) // width if n > column else 0
    return rows if deleted else rows - rows // DELETED_EVERY


def nth(k: int, width: int, column: Optional[int], deleted: bool) -> int:
    """The segment position of the k-th shown activity."""
    if column is None:
        if deleted:
            return k
        row, col = divmod(k, width)
        return (row + row // (DELETED_EVERY - 1)) * width + col
    row = k if deleted else k + k // (DELETED_EVERY - 1)
    return row * width + column


def activity_id(tag: str, a: int) -> str:
    """ULID-looking, unique per segment and position."""
    digits = []
    for _ in range(22):
        a, rest = divmod(a, 32)
        digits.append(_CROCKFORD[rest])
    return "01" + tag + "".join(reversed(digits))


def activity(fake, segment: Segment, a: int) -> dict:
    ws = fake.workspace
    types = kinds(ws)
    width = len(types)
    kind = types[a % width]
    row = a // width
    deleted = row % DELETED_EVERY == DELETED_EVERY - 1
    person = ws.people + row % 50 if deleted else (a * 7 + row) % max(ws.people, 1)
    ident = ws.person(person)
    record = {"id": activity_id(segment.tag, a), "type": kind, "timestamp": segment.timestamp(a)}
    if kind.startswith(("_o:", "_r:")):
        record["customer_id"] = None
        object_type = int(kind.split(":")[1])
        record["data"] = {"object_type_id": object_type, "object_id": f"obj-{row % 97}",
                          "attributes": {"name": f"Account {row % 97}", "tier": ("gold", "silver")[row % 2]}}
        if kind.endswith("attribute_change"):
            record["data"]["changes"] = {"tier": {"from": "silver", "to": "gold"}}
        return record
    record["customer_id"] = ident["id"]
    record["customer_identifiers"] = None if fake.extras.get("null_objects") and a % 3 == 0 else dict(ident)
    lifecycle = _LIFECYCLE.match(kind)
    if lifecycle:
        channel = lifecycle.group(3)
        delivery_id = f"dlv-{segment.tag}-{a}"
        record["delivery_id"] = delivery_id
        if channel in _DELIVERY_TYPE:
            record["delivery_type"] = "android" if channel == "push" and row % 2 else _DELIVERY_TYPE[channel]
        record["data"] = {"delivery_id": delivery_id,
                          "delivered": segment.timestamp(a) - 5 if row % 3 else None,
                          "opened": (row % 2 == 0) if row % 4 else None}
        if lifecycle.group(2) == "clicked":
            record["data"].update({"href": f"https://example.com/l/{row % 13}", "link_id": row % 13})
        if fake.extras.get("activities_new_field"):
            record["action_id"] = 100 + row % 7
    elif kind in ("event", "failed_event", "stripe_event", "webhook_event"):
        record["name"] = ("purchase", "signup", "credit grant", "enroll")[row % 4]
        record["data"] = event_data(row, shift=2 if segment.tag == "N" else 0)
        for i in range(ws.activity_unique_keys):
            record["data"][f"u{segment.tag}{a}_{i}"] = f"{a}-{i}"
    elif kind in ("attribute_change", "failed_attribute_change", "relationship_attribute_change",
                  "relationship_failed_attribute_change"):
        attribute = _ATTRIBUTES[row % len(_ATTRIBUTES)]
        record["data"] = {attribute: {"from": f"old-{row}", "to": f"new-{row}"}}
    elif kind == "page":
        record["name"] = f"/docs/{row % 9}"
        record["url"] = f"https://example.com/docs/{row % 9}"
        record["data"] = {"referrer": "https://google.com"} if row % 2 else {}
    elif kind == "screen":
        record["name"] = ("Home", "Settings", "Cart")[row % 3]
        record["data"] = {"seconds": row % 60}
    elif kind == "device_change":
        record["data"] = {"device": {"id": f"device-{person}", "platform": ("ios", "android")[row % 2],
                                     "attributes": {"app_version": f"1.{row % 5}.0"}}}
    else:
        record["data"] = {"detail": kind, "count": row % 5}
    return record


def event_data(row: int, shift: int = 0) -> dict:
    """Event data is free-form: its keys and nesting change from event to event.

    Activities added after a first run start at another shape (`shift`), so two runs see different columns.
    """
    shape = (row + shift) % 4
    if shape == 0:
        return {"description": f"project {row}", "project": f"p{row % 17}"}
    if shape == 1:
        return {"project": f"p{row % 17}", "start": "2020-10-19T11:18:55Z"}
    if shape == 2:
        return {"plan": {"name": "pro", "seats": row % 9, "billing": {"period": "monthly"}},
                "items": [{"sku": "a"}, {"sku": "b"}]}
    return {}


def listing(fake, wanted: Optional[str], deleted: bool):
    """What a listing shows: (segments, how many each shows, type column or None or -1 for none, width)."""
    types = kinds(fake.workspace)
    if wanted is None:
        column = None
    elif wanted in types:
        column = types.index(wanted)
    else:
        column = -1                         # a valid type this workspace has none of
    width = len(types)
    parts = segments(fake)
    counts = [0 if column == -1 else visible_count(s.count, width, column, deleted) for s in parts]
    return parts, counts, column, width


def expected_ids(fake, wanted: Optional[str] = None, deleted: bool = False) -> Iterator[str]:
    """The ids a complete walk should return, newest first (for tests)."""
    parts, counts, column, width = listing(fake, wanted, deleted)
    for segment, shown in zip(parts, counts):
        for k in range(shown):
            yield activity_id(segment.tag, nth(k, width, column, deleted))


@route("GET", "/activities")
def list_activities(fake, query, body):
    wanted = query.get("type") or None
    if wanted is not None and wanted not in _KNOWN and not _OBJECT_TYPE.match(wanted):
        raise HttpError(400, f"type '{wanted}' is not a valid activity type")
    deleted_text = (query.get("deleted") or "false").lower()
    if deleted_text not in ("true", "false", "1", "0"):
        raise HttpError(400, "deleted must be true or false")
    deleted = deleted_text in ("true", "1")
    parts, counts, column, width = listing(fake, wanted, deleted)

    def items(offset: int, count: int) -> List[dict]:
        result = []
        for segment, shown in zip(parts, counts):
            while count and offset < shown:
                result.append(activity(fake, segment, nth(offset, width, column, deleted)))
                offset += 1
                count -= 1
            offset -= shown
            if not count:
                break
        return result

    return cursor_page(fake, query, "activities", sum(counts), items, 10, 100)
