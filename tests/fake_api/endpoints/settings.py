"""Workspace configuration: sender identities, snippets, collections, subscription topics and channels,
reporting webhooks, workspaces (customerio-api-wave2.md section 9).

- GET /sender_identities: ids 1..Workspace.sender_identities; every 3rd is hidden, every 4th a phone sender.
  `hidden=true` returns ONLY hidden senders, `hidden=false` (and no `hidden`: a choice) only visible ones;
  another value is a 400. That is the live shape Airbyte found; the spec's shape is two switches away:
  `fake.extras["senders_without_hidden"]` leaves the `hidden` key out of every record (both spec examples do),
  `fake.extras["senders_hidden_includes_all"]` makes `hidden=true` list every sender (the spec text: "include
  hidden senders"). `limit` (default 10, a choice; capped at 1000), `sort` asc (default, by id) | desc,
  cursor `start`/`next`. The LAST non-empty page still carries a `next`; the request with it returns an empty
  page that carries one more `next`, and following that gives an empty page with `next` "". So a client that
  stops on an empty page makes pages + 1 requests per `hidden` value; one that only stops on an empty `next`
  makes one request more.
- GET /snippets: {"snippets": [{name, value, updated_at}]}: no id, `name` unique.
- GET /collections: metadata only ({id, name, schema, rows, bytes, created_at, updated_at}).
- GET /subscription_topics: key `topics` ({id, identifier "topic_<id>", name, description,
  subscribed_by_default}). GET /subscription_channels: key `channels`.
- GET /reporting_webhooks: endpoints cycle through WEBHOOK_FORMS: credentials plain, a raw `@` in the password,
  percent-encoded and under an upper-case scheme with an `@` in the query, none with a token in the query, an
  `@` in the path, a user without a password and a port.
- GET /workspaces: every workspace of the account; the first is this one (people / object counts of the model).
None of these is paginated except sender identities.
Helpers: expected_sender_identities(fake, hidden=None), expected_snippets(fake), expected_collections(fake),
expected_subscription_topics(fake), expected_subscription_channels(fake),
expected_reporting_webhooks(fake, strip=True), expected_workspaces(fake), strip_credentials(url).
"""
from typing import List, Optional
from urllib.parse import urlsplit

from fake_api.server import HttpError, decode_cursor, encode_cursor, int_param, route

SENDER_DEFAULT_LIMIT, SENDER_MAX_LIMIT = 10, 1000
CHANNEL_TYPES = ("email", "twilio", "push", "in_app", "slack", "urban_airship")
EVENTS = ("customer_subscribed", "customer_unsubscribed", "customer_subscription_preferences_changed",
          "email_drafted", "email_attempted", "email_sent", "email_delivered", "email_opened", "email_clicked")
WEBHOOK_FORMS = ("https://user{i}:s3cret{i}@{host}/cio/{i}", "https://{host}/cio/{i}?token=t{i}",
                 "https://user{i}:raw@pw{i}@{host}/cio/{i}", "HTTPS://user{i}:p%40ss{i}@{host}/cio/{i}?next=http://a@b",
                 "https://{host}/cio/{i}/a@b", "https://user{i}@{host}:8443/cio/{i}")


def sender(ws, i: int) -> dict:
    phone = i % 4 == 0
    email = f"sender{i}@example.com"
    return {"id": i, "name": f"Sender {i}", "email": "" if phone else email,
            "address": "" if phone else f"Sender {i} <{email}>", "phone": f"+1555000{i:04d}" if phone else "",
            "template_type": "phone" if phone else "email", "auto_generated": i == 1, "hidden": i % 3 == 0,
            "deduplicate_id": f"{i}:{ws.now - 86400 * i}"}


def _hidden(query) -> bool:
    raw = query.get("hidden")
    if raw in (None, "", "false"):
        return False
    if raw == "true":
        return True
    raise HttpError(400, "hidden must be true or false")


@route("GET", "/sender_identities")
def list_sender_identities(fake, query, body):
    ws = fake.workspace
    hidden = _hidden(query)
    sort = query.get("sort") or "asc"
    if sort not in ("asc", "desc"):
        raise HttpError(400, "sort must be asc or desc")
    limit = int_param(query, "limit", SENDER_DEFAULT_LIMIT, SENDER_MAX_LIMIT)
    everyone = hidden and fake.extras.get("senders_hidden_includes_all")
    ids = [i for i in range(1, ws.sender_identities + 1) if everyone or (i % 3 == 0) == hidden]
    if sort == "desc":
        ids.reverse()
    cursor = decode_cursor(query["start"]) if query.get("start") else {"o": 0}
    offset = cursor.get("o", 0)
    page = ids[offset:offset + limit]
    if page:
        records = [sender(ws, i) for i in page]
        if fake.extras.get("senders_without_hidden"):
            records = [{k: v for k, v in record.items() if k != "hidden"} for record in records]
        return {"sender_identities": records, "next": encode_cursor({"o": offset + len(page)})}
    if cursor.get("z"):
        return {"sender_identities": [], "next": ""}
    return {"sender_identities": [], "next": encode_cursor({"o": offset, "z": 1})}


def snippet(ws, i: int) -> dict:
    return {"name": f"snippet_{i}" if i % 2 else f"Footer {i}", "value": f"<p>Snippet {i} {{{{customer.email}}}}</p>",
            "updated_at": ws.now - 3600 * i}


def collection(ws, i: int) -> dict:
    rows = 10 * i
    return {"id": i, "name": f"collection_{i}", "schema": ["sku", "price"] if i % 2 else ["city"], "rows": rows,
            "bytes": rows * 42, "created_at": ws.now - 86400 * (10 + i), "updated_at": ws.now - 3600 * i}


def topic(ws, i: int) -> dict:
    return {"id": i, "identifier": f"topic_{i}", "name": f"Topic {i}", "description": f"News about {i}",
            "subscribed_by_default": i % 2 == 1}


def channel(ws, i: int) -> dict:
    kind = CHANNEL_TYPES[(i - 1) % len(CHANNEL_TYPES)]
    return {"id": i, "name": kind.replace("_", " ").title(), "description": f"{kind} messages",
            "subscribed_by_default": True, "type": kind}


def webhook(ws, i: int) -> dict:
    endpoint = WEBHOOK_FORMS[(i - 1) % len(WEBHOOK_FORMS)].format(i=i, host="hooks.example.com")
    return {"id": i, "name": f"Webhook {i}", "endpoint": endpoint, "events": list(EVENTS[:3 + i % 6]),
            "disabled": i % 3 == 0, "full_resolution": i % 2 == 0, "type": "webhook" if i % 4 else "js",
            "with_content": i % 2 == 1}


def workspace(ws, i: int) -> dict:
    mine = i == 1
    objects = sum(ws.objects // t for t in range(1, ws.object_types + 1))
    return {"id": 100 + i, "name": "Fake workspace" if mine else f"Other workspace {i}",
            "messages_sent": ws.messages if mine else 1000 * i,
            "billable_messages_sent": ws.messages if mine else 900 * i,
            "people": ws.people if mine else 50 * i, "object_types": ws.object_types if mine else 0,
            "objects": objects if mine else 0}


_LISTS = {"snippets": ("snippets", snippet, "snippets"), "collections": ("collections", collection, "collections"),
          "subscription_topics": ("topics", topic, "subscription_topics"),
          "subscription_channels": ("channels", channel, "subscription_channels"),
          "reporting_webhooks": ("reporting_webhooks", webhook, "reporting_webhooks"),
          "workspaces": ("workspaces", workspace, "workspaces")}


def _items(fake, path: str) -> List[dict]:
    _, build, size = _LISTS[path]
    return [build(fake.workspace, i) for i in range(1, getattr(fake.workspace, size) + 1)]


def _register(path: str) -> None:
    key = _LISTS[path][0]

    @route("GET", "/" + path)
    def handler(fake, query, body):
        return {key: _items(fake, path)}


for _path in _LISTS:
    _register(_path)


# ---------------------------------------------------------------------- test helpers
def strip_credentials(url: str) -> str:
    """The URL without `user:password@` (what the reporting_webhooks table must hold): the userinfo is the
    network location up to its last `@`, as urllib's own parser reads it."""
    netloc = urlsplit(url).netloc
    return url.replace(netloc, netloc.rpartition("@")[2], 1) if "@" in netloc else url


def expected_sender_identities(fake, hidden: Optional[bool] = None) -> List[dict]:
    """Sender records ordered by id: all of them (None), or only hidden / only visible ones."""
    ws = fake.workspace
    return [sender(ws, i) for i in range(1, ws.sender_identities + 1) if hidden is None or (i % 3 == 0) == hidden]


def expected_snippets(fake) -> List[dict]:
    return _items(fake, "snippets")


def expected_collections(fake) -> List[dict]:
    return _items(fake, "collections")


def expected_subscription_topics(fake) -> List[dict]:
    return _items(fake, "subscription_topics")


def expected_subscription_channels(fake) -> List[dict]:
    return _items(fake, "subscription_channels")


def expected_reporting_webhooks(fake, strip: bool = True) -> List[dict]:
    """The webhooks; with strip (default) their `endpoint` without credentials, as the table must hold it."""
    items = _items(fake, "reporting_webhooks")
    if strip:
        for item in items:
            item["endpoint"] = strip_credentials(item["endpoint"])
    return items


def expected_workspaces(fake) -> List[dict]:
    return _items(fake, "workspaces")
