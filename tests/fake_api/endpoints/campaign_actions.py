"""GET /v1/campaigns/{id}/actions: at most 10 actions a page, cursor `start`/`next`, no `limit` (ignored if sent).

The action model here is shared with broadcast actions (broadcasts.py). A parent has STEPS, listed in its
summary (`campaigns[].actions`, `broadcasts[].actions`, ids int); the actions endpoint lists one RECORD per
step, except that a multi-language message step is listed as one record per language variant (languages
"", "fr", "de", "es"; 2 to 4 of them). Such a step's summary id is its multi-language BRANCH id: no record has
it, every variant carries it in `multi_language_branch_action_id`, and the metrics endpoints accept it
(metric = total of the variants, plus `language_variants`). Choices where the reference is silent:
- record ids are JSON strings (live shape, "25"); `campaign_id` is an int; `multi_language_branch_action_id`
  is an int on variants and null on other message actions; non-message kinds (`attribute_update`, `delay`)
  have the short live shape of Airbyte's recorded action (no sender fields, no branch field);
- step ids are parent * 10 + i (i < 10; the messages route's action ids use this) and 10,000,000 +
  parent * 1000 + i beyond; variant ids are 1,000,000,000 + step * 10 + v, so every id is unique per family
  (campaign and broadcast ids overlap once there are 20+ campaigns, as broadcast ids start at 20);
- every 3rd campaign has `Workspace.long_campaign_steps` steps (default 11: campaign 3 lists 18 records, two
  pages); the others 1 + n % 3. Campaign 1 keeps its historical summary [10 email, 11 email].

`fake.extras["null_ids"]` sends some records with `id` null (common.null_id), here and in broadcast actions.
Switches (fake_api.endpoints.lifecycle): delete_between/remove(fake, "campaign", n) (404 here),
remove_child(fake, "campaign_action", n, action_id), touch(fake, "campaign", n) (campaign and all its actions
move), touch_child(fake, "campaign_action", n, action_id) (one action moves, the campaign does not).
Helpers: expected_campaign_actions(fake, n), message_actions(fake, "campaign", n), action_index(...).
"""
from dataclasses import dataclass
from typing import Dict, List, Optional

from fake_api.endpoints import lifecycle
from fake_api.endpoints.common import cursor_page, null_id
from fake_api.server import route

PAGE = 10
CAMPAIGN_KINDS = ("email", "email", "attribute_update", "delay", "twilio", "webhook", "push", "email", "whatsapp",
                  "in_app", "slack", "email")
BROADCAST_KINDS = ("email", "webhook", "push", "twilio", "email", "slack", "in_app", "email")
MESSAGE_KINDS = frozenset({"email", "twilio", "webhook", "push", "whatsapp", "in_app", "slack"})
MULTI_LANGUAGE_KINDS = frozenset({"email", "push", "in_app"})
LANGUAGES = ("", "fr", "de", "es")
SENDING_STATES = ("automatic", "draft", "off")
FAMILY_KIND = {"campaign": "campaign_action", "broadcast": "broadcast_action"}


@dataclass(frozen=True)
class Action:
    """One record of an actions list (or, with language None, a multi-language branch that has no record)."""
    id: int
    step: int                 # the id in the parent's summary
    position: int             # step index in the parent
    kind: str
    language: Optional[str]
    branch: Optional[int]     # multi_language_branch_action_id


def step_id(parent: int, i: int) -> int:
    return parent * 10 + i if i < 10 else 10_000_000 + parent * 1000 + i


def variant_id(step: int, v: int) -> int:
    return 1_000_000_000 + step * 10 + v


def step_count(ws, family: str, parent: int) -> int:
    if family == "campaign":
        return max(0, ws.long_campaign_steps) if parent % 3 == 0 else 1 + parent % 3
    k = parent - 20
    return max(0, ws.long_broadcast_steps) if k % 3 == 2 else 1 + k % 2


def step_kind(family: str, parent: int, i: int) -> str:
    if family == "campaign":
        return CAMPAIGN_KINDS[(i + 3 * (parent - 1)) % len(CAMPAIGN_KINDS)]
    return BROADCAST_KINDS[(i + parent) % len(BROADCAST_KINDS)]


def steps(ws, family: str, parent: int) -> List[Action]:
    """The parent's steps (summary order); a multi-language step is its branch (language None)."""
    result = []
    for i in range(step_count(ws, family, parent)):
        sid = step_id(parent, i)
        kind = step_kind(family, parent, i)
        multi = kind in MULTI_LANGUAGE_KINDS and (parent + i) % 2 == 0
        result.append(Action(sid, sid, i, kind, None if multi else "", None))
    return result


def variants(step: Action) -> List[Action]:
    """The records of one step: itself, or one per language variant of a branch."""
    if step.language is not None:
        return [step]
    return [Action(variant_id(step.id, v), step.id, step.position, step.kind, LANGUAGES[v], step.id)
            for v in range(2 + step.id % 3)]


def records(fake, family: str, parent: int) -> List[Action]:
    """Every record of the parent's actions list, in list order, without the children removed upstream."""
    kind = FAMILY_KIND[family]
    return [a for s in steps(fake.workspace, family, parent) for a in variants(s)
            if not lifecycle.child_removed(fake, kind, parent, a.id)]


def action_index(fake, family: str, parent: int) -> Dict[int, Action]:
    """Every id the metrics endpoints accept for this parent: records and branch ids."""
    index = {}
    for s in steps(fake.workspace, family, parent):
        found = [a for a in variants(s) if not lifecycle.child_removed(fake, FAMILY_KIND[family], parent, a.id)]
        index.update({a.id: a for a in found})
        if s.language is None and found:
            index[s.id] = s
    return index


def message_actions(fake, family: str, parent: int) -> List[Action]:
    """The records that send messages (what action metrics should be asked for, variants not branches)."""
    return [a for a in records(fake, family, parent) if a.kind in MESSAGE_KINDS]


def summary(ws, family: str, parent: int) -> List[dict]:
    """The parent's `actions` summary: one {id int, type} per step."""
    sms = family == "broadcast"      # the broadcast summary's enum says sms where actions say twilio
    return [{"id": s.id, "type": "sms" if sms and s.kind == "twilio" else s.kind} for s in steps(ws, family, parent)]


def action_record(fake, family: str, parent: int, parent_created: int, action: Action) -> dict:
    """The record as the API sends it (string id)."""
    ws = fake.workspace
    rev = lifecycle.combined(lifecycle.revision(fake, family, parent),
                             lifecycle.child_revision(fake, FAMILY_KIND[family], parent, action.id))
    created = parent_created + 600 * (action.position + 1)
    updated = lifecycle.updated(created + 60 + action.id % 7, rev)
    suffix = f" ({action.language})" if action.language else ""
    name = lifecycle.renamed(f"Step {action.position + 1} {action.kind}{suffix}", rev)
    record = {"id": None if null_id(fake, action.id) else str(action.id)}
    if family == "campaign":
        record["campaign_id"] = parent
    record.update({"deduplicate_id": f"{action.id}:{updated}", "name": name, "layout": "", "body": "",
                   "created": created, "updated": updated, "type": action.kind,
                   "language": action.language or "", "editor": "", "recipient": ""})
    if action.kind not in MESSAGE_KINDS:
        record["recipient_environment_id"] = 144601
        return record
    sender = 1 + action.id % max(ws.sender_identities, 1)
    record.update({"multi_language_branch_action_id": action.branch, "parent_action_id": None,
                   "sending_state": SENDING_STATES[action.id % 3], "recipient_environment_id": 144601,
                   "created_by": "fake@example.com"})
    if family == "campaign":
        record["broadcast_id"] = None
    if action.kind == "webhook":
        record.update({"method": ("post", "get", "put")[action.id % 3], "url": f"https://hooks.example.com/{action.id}",
                       "request_method": "POST", "body": '{"person": "{{customer.id}}"}',
                       "headers": '[{"name":"X-Source","value":"cio"}]'})
    elif action.kind == "twilio":
        record.update({"body": f"Hi {{{{customer.first_name}}}} ({action.id})", "image_url": "",
                       "from_id": sender, "recipient": ""})
    elif action.kind == "whatsapp":
        body = {"type": "template", "name": f"tmpl_{action.id}"}
        record.update({"body": '{"type":"template","name":"tmpl_%d"}' % action.id, "body_json": body,
                       "sender_identity_id": sender, "send_to_unsubscribed": False, "tracked": True})
    else:
        record.update({"body": f"<p>Hello from action {action.id}{suffix}</p>", "body_amp": "",
                       "body_plain": f"Hello from action {action.id}", "subject": f"Subject {action.id}{suffix}",
                       "preheader_text": "", "from": f"Sender {sender} <sender{sender}@example.com>",
                       "from_id": sender, "reply_to": "" if action.id % 2 else "help@example.com",
                       "reply_to_id": None if action.id % 2 else sender, "recipient": "{{customer.email}}",
                       "cc": "", "bcc": "", "fake_bcc": False, "preprocessor": "premailer",
                       "headers": '[{"name":"X-Campaign","value":"%d"}]' % parent, "tracked": True,
                       "send_to_unsubscribed": False, "image_url": "" if action.kind == "push" else None})
        if record["image_url"] is None:
            del record["image_url"]
    return record


def campaign_created(ws, n: int) -> int:
    return ws.now - 86400 * (30 + n)


def campaign_exists(ws, n: int) -> bool:
    return 1 <= n <= ws.campaigns


def expected_campaign_actions(fake, campaign_id: int) -> List[dict]:
    """Test helper: the records GET /campaigns/{id}/actions serves over all its pages, in order."""
    created = campaign_created(fake.workspace, campaign_id)
    return [action_record(fake, "campaign", campaign_id, created, a) for a in records(fake, "campaign", campaign_id)]


@route("GET", "/campaigns/{campaign_id}/actions")
def list_campaign_actions(fake, query, body, campaign_id):
    n = lifecycle.parse_id(campaign_id, "campaign")
    ws = fake.workspace
    lifecycle.require(fake, "campaign", n, campaign_exists(ws, n), "campaign")
    found = records(fake, "campaign", n)
    created = campaign_created(ws, n)

    def items(offset, count):
        return [action_record(fake, "campaign", n, created, a) for a in found[offset:offset + count]]

    # No `limit` exists here: whatever the client sends, pages hold at most 10.
    fixed = {k: v for k, v in query.items() if k != "limit"}
    return cursor_page(fake, fixed, "actions", len(found), items, PAGE, PAGE)
