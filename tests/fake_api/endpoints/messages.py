"""GET /v1/messages: deliveries, newest first, filtered on `created` with the documented 6-month rule.

Messages are computed from a global index g, so a million of them cost no memory. They live in blocks, newest
block first: the workspace's own `messages` (spread over `message_span_days`, ending a minute before `ws.now`),
preceded by every batch that `add_messages` put on top between two runs. Inside a block `created` never grows
with the index, so the messages of any time window are one index range per block and any page is computed
directly. Types are assigned as TYPES[g % k] (k = the workspace's `message_types`, 8 by default), so a type
filter is arithmetic too. `fake.extras["null_objects"] = True` sends `customer_identifiers: null` on every third
message (seen in peers' fixtures).
"""
import base64
import bisect
import hashlib
import threading
import time
from typing import List, NamedTuple, Optional

from fake_api.endpoints.common import cursor_page
from fake_api.server import HttpError, route

#: The API's `type` enum (customerio-api.md section 6).
TYPES = ("email", "webhook", "twilio", "whatsapp", "slack", "push", "in_app", "live_notification")
SIX_MONTHS = 183 * 86400
DEFAULT_LIMIT, MAX_LIMIT = 50, 1000
EXTRA_KEY = "messages_added"
FAIL_AFTER_KEY = "messages_fail_after"   # test knob: answer 403 once this many requests have been served
_fail_lock = threading.Lock()


class Block(NamedTuple):
    """`count` messages with global indexes offset.., created(j) = newest - j * span // count (newest first)."""
    offset: int
    count: int
    newest: int
    span: int

    def created(self, j: int) -> int:
        return self.newest - (j * self.span) // self.count

    def first_at_or_before(self, moment: int) -> int:
        """Smallest j whose created <= moment (count if none)."""
        return bisect.bisect_left(range(self.count), True, key=lambda j: self.created(j) <= moment)


def blocks(fake) -> List[Block]:
    """Newest first: the batches added between runs (latest first), then the workspace's own messages."""
    ws = fake.workspace
    added = list(reversed(fake.extras.get(EXTRA_KEY, [])))
    base = []
    if ws.messages > 0:
        base = [Block(0, ws.messages, ws.now - 60, max(ws.message_span_days, 0) * 86400)]
    return added + base


def add_messages(fake, count: int, newest: int) -> List[int]:
    """Put `count` messages on top of all existing ones, created after the newest existing and at most `newest`.

    Returns their global indexes. Only the batch's four numbers are stored, never the messages.
    """
    existing = blocks(fake)
    previous_newest = existing[0].newest if existing else newest - 86400
    if newest <= previous_newest:
        raise ValueError(f"new messages must be newer than {previous_newest}")
    offset = sum(block.count for block in existing)
    gap = newest - previous_newest - 1
    fake.extras.setdefault(EXTRA_KEY, []).append(Block(offset, count, newest, gap))
    return list(range(offset, offset + count))


def kinds(ws) -> int:
    return max(1, min(ws.message_types, len(TYPES)))


def _count_below(x: int, type_index: Optional[int], k: int) -> int:
    """How many global indexes in [0, x) have this type."""
    if type_index is None:
        return x
    if type_index >= k:
        return 0
    return max(0, (x - type_index + k - 1) // k)


def _nth(low: int, n: int, type_index: Optional[int], k: int) -> int:
    """The n-th global index >= low with this type."""
    if type_index is None:
        return low + n
    return low + (type_index - low) % k + n * k


def window(query: dict, now: int):
    """(start_ts, end_ts) after the documented rules: at most 6 months, ending now when end_ts is absent."""
    start_ts, end_ts = _ts(query, "start_ts"), _ts(query, "end_ts")
    end = now if end_ts is None else end_ts
    start = end - SIX_MONTHS if start_ts is None else start_ts
    if end - start > SIX_MONTHS:
        start = end - SIX_MONTHS
    return start, end


def _ts(query: dict, name: str) -> Optional[int]:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise HttpError(400, f"{name} must be a unix timestamp in seconds")


def selection(fake, start: int, end: int, type_index: Optional[int]):
    """[(block, first global index, last global index + 1, matching count)] for created in [start, end]."""
    parts = []
    for block in blocks(fake):
        low = block.first_at_or_before(end)
        high = block.first_at_or_before(start - 1)
        if high <= low:
            continue
        a, b = block.offset + low, block.offset + high
        k = kinds(fake.workspace)
        count = _count_below(b, type_index, k) - _count_below(a, type_index, k)
        if count:
            parts.append((block, a, count))
    return parts


def delivery_id(g: int) -> str:
    """A base64 id like the API's (unique: it ends with g's bytes)."""
    digest = hashlib.blake2b(str(g).encode(), digest_size=16).digest()
    return base64.urlsafe_b64encode(b"\x76\x03" + digest + g.to_bytes(8, "big")).decode()


def message(fake, block: Block, g: int) -> dict:
    """Message g with realistic, varying fields: one parent kind, only the metrics that happened."""
    ws = fake.workspace
    created = block.created(g - block.offset)
    kind = TYPES[g % kinds(ws)]
    person = ws.person(g % ws.people if ws.people else g)
    message_id = delivery_id(g)
    cio_id = person["cio_id"]
    if g % 50 == 13:
        cio_id = 3000000 + g          # the spec's example shows an integer cio_id
    metrics = _metrics(g, created, ws.now)
    parent = g % 4
    campaign_id = 1 + g % 5 if parent == 0 else None
    newsletter_id = 10 + g % 4 if parent == 1 else None
    broadcast_id = 20 + g % 2 if parent == 2 else None
    transactional_id = 1 + g % 3 if parent == 3 else None
    record = {
        "id": message_id,
        "deduplicate_id": f"{message_id}:{max(metrics.values())}",
        "customer_id": person["id"],
        "customer_identifiers": {"id": person["id"], "email": person["email"], "cio_id": cio_id},
        "recipient": _recipient(kind, person, g),
        "subject": f"News for {person['email']}" if kind == "email" else None,
        "created": created,
        "failure_message": "550 5.1.1 mailbox unavailable" if "failed" in metrics or "bounced" in metrics else None,
        "campaign_id": campaign_id,
        "newsletter_id": newsletter_id,
        "broadcast_id": broadcast_id,
        "action_id": (campaign_id or broadcast_id) * 10 + g % 3 if parent in (0, 2) else None,
        "parent_action_id": campaign_id * 10 if campaign_id and g % 4 == 0 else None,
        "content_id": newsletter_id * 100 + g % 2 if newsletter_id else None,
        "trigger_event_id": f"01HX{g:022d}" if campaign_id and g % 2 else None,
        "transactional_message_id": transactional_id,
        "type": kind,
        "forgotten": g % 97 == 5,
        "metrics": metrics,
    }
    if fake.extras.get("null_objects") and g % 3 == 0:
        record["customer_identifiers"] = None
    if g % 2:
        record["msg_template_id"] = 40 + g % 7
    else:
        record["message_template_id"] = 40 + g % 7
    return record


def _metrics(g: int, created: int, now: int) -> dict:
    stage = g % 10
    if stage == 0:
        return {"created": created, "failed": created + 2}
    metrics = {"created": created, "sent": created + 1}
    if stage == 1:
        metrics["bounced"] = created + 30
        return metrics
    if stage >= 3:
        metrics["delivered"] = created + 5
    if stage >= 6 and created + 3600 <= now:
        metrics["opened"] = created + 3600
        metrics["human_opened"] = 1 + g % 3
    if stage >= 8 and created + 3700 <= now:
        metrics["clicked"] = created + 3700
    return metrics


def _recipient(kind: str, person: dict, g: int) -> str:
    if kind == "email":
        return person["email"]
    if kind in ("twilio", "whatsapp"):
        return f"+1555{g % 10000000:07d}"
    if kind == "webhook":
        return "https://hooks.example.com/cio"
    if kind == "slack":
        return "#alerts"
    if kind == "push":
        return f"device-token-{g}"
    return str(person["cio_id"])


def fail_after(fake, requests: int) -> None:
    """Answer 403 to every /messages request after the next `requests` ones (a run failing midway)."""
    fake.extras[FAIL_AFTER_KEY] = requests


@route("GET", "/messages")
def list_messages(fake, query, body):
    with _fail_lock:
        remaining = fake.extras.get(FAIL_AFTER_KEY)
        if remaining is not None:
            if remaining <= 0:
                raise HttpError(403, "this key has no access to messages (forced by the test)")
            fake.extras[FAIL_AFTER_KEY] = remaining - 1
    kind = query.get("type")
    if kind not in (None, "") and kind not in TYPES:
        raise HttpError(400, f"type must be one of {', '.join(TYPES)}")
    type_index = TYPES.index(kind) if kind else None
    start, end = window(query, max(fake.workspace.now, int(time.time())))
    parts = selection(fake, start, end, type_index)
    total = sum(count for _, _, count in parts)

    def items(offset: int, count: int) -> List[dict]:
        result = []
        for block, low, part_count in parts:
            if offset >= part_count:
                offset -= part_count
                continue
            while offset < part_count and len(result) < count:
                result.append(message(fake, block, _nth(low, offset, type_index, kinds(fake.workspace))))
                offset += 1
            offset = 0
            if len(result) == count:
                break
        return result

    return cursor_page(fake, query, "messages", total, items, DEFAULT_LIMIT, MAX_LIMIT)


def expected_messages(fake, start: int, end: int, types=None):
    """Test helper: (id, created, type) of every message created in [start, end] (of these types), newest first."""
    k = kinds(fake.workspace)
    for block in blocks(fake):
        for j in range(block.first_at_or_before(end), block.first_at_or_before(start - 1)):
            g = block.offset + j
            kind = TYPES[g % k]
            if types is None or kind in types:
                yield delivery_id(g), block.created(j), kind
