"""GET /v1/transactional (wrapper key `messages`) and /transactional/{id}/contents (legacy error bodies).

Template k (0-based, k < Workspace.transactional) has id 1 + k and 1 + k % 3 language variants ("", "fr",
"de"), content ids id * 100 + language index; contents carry `created`/`updated`. List items carry the live
extra `trigger_name`. /contents answers 400 (malformed id) and 404 (unknown, deleted or removed template) with
the LEGACY body {"meta": {"error": "..."}}, as the spec documents for this endpoint.

`fake.extras["null_ids"]` sends some contents with `id` null (common.null_id).
Switches (fake_api.endpoints.lifecycle): delete_between / remove(fake, "transactional", id),
touch_transactional(fake, id), remove_child(fake, "transactional_content", id, content_id).
Helpers: expected_transactional(fake), expected_transactional_contents(fake, id).
"""
from typing import List

from fake_api.endpoints import lifecycle
from fake_api.endpoints.common import null_id
from fake_api.server import route

LANGUAGES = ("", "fr", "de")


def exists(ws, transactional_id: int) -> bool:
    return 1 <= transactional_id <= ws.transactional


def created(ws, transactional_id: int) -> int:
    return ws.now - 86400 * (200 - transactional_id % 150)


def template(fake, transactional_id: int) -> dict:
    ws = fake.workspace
    made = created(ws, transactional_id)
    updated = lifecycle.updated(made + 900, lifecycle.revision(fake, "transactional", transactional_id))
    return {"id": transactional_id, "name": f"Transactional {transactional_id}",
            "description": f"Receipt template {transactional_id}", "send_to_unsubscribed": transactional_id % 2 == 1,
            "link_tracking": True, "open_tracking": transactional_id % 3 != 0, "hide_message_body": False,
            "queue_drafts": transactional_id % 4 == 0, "created_at": made, "updated_at": updated,
            "trigger_name": f"receipt_{transactional_id}"}


def transactional_ids(fake) -> List[int]:
    return [t for t in range(1, fake.workspace.transactional + 1)
            if not lifecycle.is_removed(fake, "transactional", t)]


def contents(fake, transactional_id: int) -> List[dict]:
    ws = fake.workspace
    made = created(ws, transactional_id)
    rev = lifecycle.revision(fake, "transactional", transactional_id)
    result = []
    for i in range(1 + (transactional_id - 1) % 3):
        content_id = transactional_id * 100 + i
        if lifecycle.child_removed(fake, "transactional_content", transactional_id, content_id):
            continue
        crev = lifecycle.combined(rev, lifecycle.child_revision(fake, "transactional_content", transactional_id,
                                                                content_id))
        sender = 1 + content_id % max(ws.sender_identities, 1)
        language = LANGUAGES[i]
        result.append({
            "id": None if null_id(fake, content_id) else content_id,
            "name": lifecycle.renamed(f"Receipt {language or 'default'}", crev),
            "type": "email" if transactional_id % 5 else "push", "language": language,
            "subject": f"Your receipt {transactional_id}", "preheader_text": "", "body": "<p>Thanks!</p>",
            "body_amp": "", "from": f"Sender {sender} <sender{sender}@example.com>", "from_id": sender,
            "reply_to": "", "reply_to_id": None if i else sender, "recipient": "{{trigger.email}}", "cc": "",
            "bcc": "", "fake_bcc": False, "preprocessor": "premailer", "headers": "[]",
            "created": made + 60 * (i + 1), "updated": lifecycle.updated(made + 60 * (i + 1) + 30, crev)})
    return result


@route("GET", "/transactional")
def list_transactional(fake, query, body):
    return {"messages": [template(fake, t) for t in transactional_ids(fake)]}


@route("GET", "/transactional/{transactional_id}/contents")
def list_contents(fake, query, body, transactional_id):
    t = lifecycle.parse_id(transactional_id, "transactional message", legacy=True)
    lifecycle.require(fake, "transactional", t, exists(fake.workspace, t), "transactional message", legacy=True)
    return {"contents": contents(fake, t)}


# ---------------------------------------------------------------------- test helpers
def expected_transactional(fake) -> List[dict]:
    return [template(fake, t) for t in transactional_ids(fake)]


def expected_transactional_contents(fake, transactional_id: int) -> List[dict]:
    return contents(fake, transactional_id)
