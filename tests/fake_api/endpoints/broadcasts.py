"""GET /v1/broadcasts (unpaginated), /broadcasts/{id}/actions, /broadcasts/{id}/triggers.

Broadcast k (0-based, k < Workspace.broadcasts) has id 20 + k (the messages route's broadcast ids 20 and 21).
Only API-triggered broadcasts exist here (`type` "triggered_broadcast"). Actions follow campaign_actions.py's
model (one record per language variant, string ids, summary ids int, the summary says `sms` where the
record says `twilio`); every 3rd broadcast has `Workspace.long_broadcast_steps` steps (default 12: broadcast
22 lists more than 10 records).
Choices where the reference is silent (it documents no pagination for broadcast actions):
- a broadcast with at most 10 action records answers `{"actions": [...]}` with no `next` at all; one with
  more answers pages of 10 with a cursor `next` (followed with `start`), the last page without `next`, so a
  client that does not follow `next` loses actions;
- broadcast action records carry neither `broadcast_id` nor `campaign_id` (no live response confirms the
  spec's `broadcast_id`): the client must take the parent id from the path;
- triggers: broadcast k has k % 4 of them, ids id * 100 + t, the newest of a broadcast with 3 has
  `processed_at` null (not processed yet).

Switches (fake_api.endpoints.lifecycle): delete_between / remove(fake, "broadcast", id),
touch_broadcast(fake, id), remove_child(fake, "broadcast_action", id, action_id),
remove_child(fake, "broadcast_trigger", id, trigger_id).
Helpers: expected_broadcasts(fake), expected_broadcast_actions(fake, id), expected_broadcast_triggers(fake, id).
"""
from typing import List

from fake_api.endpoints import lifecycle
from fake_api.endpoints.campaign_actions import PAGE, action_record, records, summary
from fake_api.endpoints.common import cursor_page
from fake_api.server import route

FIRST_ID = 20


def exists(ws, broadcast_id: int) -> bool:
    return FIRST_ID <= broadcast_id < FIRST_ID + ws.broadcasts


def created(ws, broadcast_id: int) -> int:
    return ws.now - 86400 * (90 - (broadcast_id - FIRST_ID) % 60)


def broadcast(fake, broadcast_id: int) -> dict:
    ws = fake.workspace
    k = broadcast_id - FIRST_ID
    made = created(ws, broadcast_id)
    updated = lifecycle.updated(made + 7200, lifecycle.revision(fake, "broadcast", broadcast_id))
    steps = summary(ws, "broadcast", broadcast_id)
    return {"id": broadcast_id, "name": f"Broadcast {k}", "type": "triggered_broadcast",
            "state": "running" if k % 2 == 0 else "draft", "active": k % 2 == 0, "created": made,
            "updated": updated, "first_started": made + 600 if k % 2 == 0 else 0,
            "deduplicate_id": f"{broadcast_id}:{updated}", "tags": ["api"] if k % 2 else [],
            "actions": steps, "msg_template_ids": [{"id": s["id"], "type": s["type"]} for s in steps],
            "scheduled_start": None, "scheduled_stop": None}


def broadcast_ids(fake) -> List[int]:
    return [b for b in range(FIRST_ID, FIRST_ID + fake.workspace.broadcasts)
            if not lifecycle.is_removed(fake, "broadcast", b)]


def triggers(fake, broadcast_id: int) -> List[dict]:
    k = broadcast_id - FIRST_ID
    count = k % 4
    made = created(fake.workspace, broadcast_id)
    result = []
    for t in range(count):
        trigger_id = broadcast_id * 100 + t
        if lifecycle.child_removed(fake, "broadcast_trigger", broadcast_id, trigger_id):
            continue
        at = made + 86400 * (t + 1)
        result.append({"id": trigger_id, "broadcast_id": broadcast_id, "created_at": at,
                       "processed_at": None if count == 3 and t == 2 else at + 5})
    return result


def _readable(fake, raw: str) -> int:
    broadcast_id = lifecycle.parse_id(raw, "broadcast")
    lifecycle.require(fake, "broadcast", broadcast_id, exists(fake.workspace, broadcast_id), "broadcast")
    return broadcast_id


@route("GET", "/broadcasts")
def list_broadcasts(fake, query, body):
    return {"broadcasts": [broadcast(fake, b) for b in broadcast_ids(fake)]}


@route("GET", "/broadcasts/{broadcast_id}")
def get_broadcast(fake, query, body, broadcast_id):
    return {"broadcast": broadcast(fake, _readable(fake, broadcast_id))}


@route("GET", "/broadcasts/{broadcast_id}/actions")
def list_broadcast_actions(fake, query, body, broadcast_id):
    b = _readable(fake, broadcast_id)
    found = records(fake, "broadcast", b)
    made = created(fake.workspace, b)
    if len(found) <= PAGE and not query.get("start"):
        return {"actions": [action_record(fake, "broadcast", b, made, a) for a in found]}

    def items(offset, count):
        return [action_record(fake, "broadcast", b, made, a) for a in found[offset:offset + count]]

    page = cursor_page(fake, {k: v for k, v in query.items() if k != "limit"}, "actions", len(found), items,
                       PAGE, PAGE)
    if not page["next"]:
        del page["next"]
    return page


@route("GET", "/broadcasts/{broadcast_id}/triggers")
def list_triggers(fake, query, body, broadcast_id):
    return {"triggers": triggers(fake, _readable(fake, broadcast_id))}


# ---------------------------------------------------------------------- test helpers
def expected_broadcasts(fake) -> List[dict]:
    return [broadcast(fake, b) for b in broadcast_ids(fake)]


def expected_broadcast_actions(fake, broadcast_id: int) -> List[dict]:
    """Every record over all pages, in order (ids are strings, as sent)."""
    made = created(fake.workspace, broadcast_id)
    return [action_record(fake, "broadcast", broadcast_id, made, a) for a in records(fake, "broadcast", broadcast_id)]


def expected_broadcast_triggers(fake, broadcast_id: int) -> List[dict]:
    return triggers(fake, broadcast_id)
