"""GET /v1/newsletters (limit + cursor, `sort`), /newsletters/{id}/contents, /newsletters/{id}/test_groups.

Newsletter k (0-based, k < Workspace.newsletters) has id 10 + k (the messages route's newsletter ids 10..13),
is created over `newsletter_span_days` (the newest 2 days before ws.now, ids grow with `created`) and is never
stored: 100,000 newsletters cost nothing until asked for. Its contents ("variants") are one per language x A/B
group; content ids are id * 100 + v (v = group * languages + language), so messages' content ids id * 100 + 0/1
exist whenever the newsletter has 2+ variants.
- languages: "" always; "fr" when k % 3 == 1; "de" too when k % 9 == 4;
- A/B test groups: 2 when k % 5 == 0, 3 when k % 5 == 3, none otherwise. Test-group ids are 0, 1, 2 inside
  every newsletter, so they repeat across newsletters (the DOCS example has 0 and 2);
- drafts (k % 7 == 3) have `sent_at` null and count as draft_newsletters in segment usage;
- `recipient_segment_ids` only when the audience used segments (k even and the workspace has segments);
- every 4th has a `subscription_topic_id`; types cycle, mostly email.
Choices where the reference is silent: `limit` defaults to 50 and is capped at 1000; `sort` defaults to `desc`
(newest first, by id which follows `created`), `asc` gives chronological order, anything else is a 400; a
newsletter without an A/B test answers `{"test_groups": []}`; contents carry `newsletter_id` natively.

Switches (fake_api.endpoints.lifecycle): delete_between(fake, "newsletter", id) (listed, /contents,
/test_groups and /metrics 404), remove(fake, "newsletter", id) (not listed either), touch_newsletter(fake, id)
(`updated`, `deduplicate_id` and the contents' names move), remove_child(fake, "newsletter_content", id, cid)
(gone from /contents, from `content_ids` and from its test group).
Helpers: expected_newsletters(fake, sort="desc"), expected_newsletter_contents(fake, id),
expected_newsletter_test_groups(fake, id), newsletter_ids(fake).
"""
from typing import List, Optional

from fake_api.endpoints import lifecycle
from fake_api.endpoints.common import cursor_page
from fake_api.server import HttpError, route

FIRST_ID = 10
DEFAULT_LIMIT, MAX_LIMIT = 50, 1000
TYPES = ("email", "email", "push", "email", "in_app", "webhook", "email", "twilio", "inbox", "email")
LANGUAGES = ("", "fr", "de")


def exists(ws, newsletter_id: int) -> bool:
    return FIRST_ID <= newsletter_id < FIRST_ID + ws.newsletters


def languages(k: int) -> List[str]:
    return list(LANGUAGES[:1 + (k % 3 == 1) + (k % 9 == 4)])


def group_count(k: int) -> int:
    return {0: 2, 3: 3}.get(k % 5, 0)


def created(ws, k: int) -> int:
    span = max(ws.newsletter_span_days, 0) * 86400
    return ws.now - 2 * 86400 - ((ws.newsletters - 1 - k) * span) // max(ws.newsletters - 1, 1)


def content_ids(fake, newsletter_id: int) -> List[int]:
    k = newsletter_id - FIRST_ID
    count = max(group_count(k), 1) * len(languages(k))
    return [newsletter_id * 100 + v for v in range(count)
            if not lifecycle.child_removed(fake, "newsletter_content", newsletter_id, newsletter_id * 100 + v)]


def newsletter(fake, newsletter_id: int) -> dict:
    ws = fake.workspace
    k = newsletter_id - FIRST_ID
    made = created(ws, k)
    updated = lifecycle.updated(made + 1800, lifecycle.revision(fake, "newsletter", newsletter_id))
    record = {"id": newsletter_id, "deduplicate_id": f"{newsletter_id}:{updated}", "name": f"Newsletter {k}",
              "type": TYPES[k % len(TYPES)], "content_ids": content_ids(fake, newsletter_id),
              "tags": ["weekly"] if k % 2 else [], "sent_at": None if k % 7 == 3 else made + 3600,
              "created": made, "updated": updated}
    if k % 2 == 0 and ws.segments > 0:
        record["recipient_segment_ids"] = [1 + k % ws.segments]
    if k % 4 == 1 and ws.subscription_topics > 0:
        record["subscription_topic_id"] = 1 + k % ws.subscription_topics
    return record


def newsletter_ids(fake, sort: str = "desc") -> List[int]:
    """The listed ids, in list order (without the removed ones; deleted-between ones are listed)."""
    ids = [i for i in range(FIRST_ID, FIRST_ID + fake.workspace.newsletters)
           if not lifecycle.is_removed(fake, "newsletter", i)]
    return ids if sort == "asc" else ids[::-1]


def content(fake, newsletter_id: int, content_id: int) -> dict:
    k = newsletter_id - FIRST_ID
    langs = languages(k)
    v = content_id - newsletter_id * 100
    group, language = divmod(v, len(langs))
    language = langs[language]
    rev = lifecycle.revision(fake, "newsletter", newsletter_id)
    updated = lifecycle.updated(created(fake.workspace, k) + 1800, rev)
    sender = 1 + content_id % max(fake.workspace.sender_identities, 1)
    label = f" {'ABC'[group]}" if group_count(k) else ""
    lang = f" [{language}]" if language else ""
    headers = '[{"name":"X-Newsletter","value":"%d"}]' % newsletter_id
    return {"id": content_id, "newsletter_id": newsletter_id, "deduplicate_id": f"{content_id}:{updated}",
            "name": lifecycle.renamed(f"Variant{label}{lang}".strip(), rev), "type": TYPES[k % len(TYPES)],
            "language": language, "subject": f"Newsletter {k}{label}{lang}", "preheader_text": "",
            "body": f"<p>Newsletter {k} body {v}</p>", "body_amp": "", "layout": "<html>{{content}}</html>",
            "from": f"Sender {sender} <sender{sender}@example.com>", "from_id": sender,
            "reply_to": "", "reply_to_id": None if v % 2 == 0 else sender, "recipient": "{{customer.email}}",
            "cc": "", "bcc": "", "fake_bcc": False, "preprocessor": "premailer", "headers": headers}


def groups_of(fake, newsletter_id: int) -> List[dict]:
    k = newsletter_id - FIRST_ID
    langs = len(languages(k))
    present = set(content_ids(fake, newsletter_id))
    groups = []
    for g in range(group_count(k)):
        ids = [newsletter_id * 100 + g * langs + i for i in range(langs)]
        groups.append({"id": g, "name": "ABC"[g], "label": f"test {g + 1}", "winner": k % 10 == 0 and g == 0,
                       "content_ids": [c for c in ids if c in present]})
    return groups


def _sort(query) -> str:
    sort = query.get("sort") or "desc"
    if sort not in ("asc", "desc"):
        raise HttpError(400, "sort must be asc or desc")
    return sort


def _readable(fake, raw: str, legacy: bool = False) -> int:
    newsletter_id = lifecycle.parse_id(raw, "newsletter", legacy)
    lifecycle.require(fake, "newsletter", newsletter_id, exists(fake.workspace, newsletter_id), "newsletter", legacy)
    return newsletter_id


@route("GET", "/newsletters")
def list_newsletters(fake, query, body):
    ids = newsletter_ids(fake, _sort(query))

    def items(offset, count):
        return [newsletter(fake, i) for i in ids[offset:offset + count]]

    return cursor_page(fake, query, "newsletters", len(ids), items, DEFAULT_LIMIT, MAX_LIMIT)


@route("GET", "/newsletters/{newsletter_id}")
def get_newsletter(fake, query, body, newsletter_id):
    return {"newsletter": newsletter(fake, _readable(fake, newsletter_id))}


@route("GET", "/newsletters/{newsletter_id}/contents")
def list_contents(fake, query, body, newsletter_id):
    n = _readable(fake, newsletter_id)
    return {"contents": [content(fake, n, c) for c in content_ids(fake, n)]}


@route("GET", "/newsletters/{newsletter_id}/test_groups")
def list_test_groups(fake, query, body, newsletter_id):
    return {"test_groups": groups_of(fake, _readable(fake, newsletter_id))}


# ---------------------------------------------------------------------- test helpers
def expected_newsletters(fake, sort: str = "desc") -> List[dict]:
    """What every page of GET /newsletters serves, in order."""
    return [newsletter(fake, i) for i in newsletter_ids(fake, sort)]


def expected_newsletter_contents(fake, newsletter_id: int) -> List[dict]:
    return [content(fake, newsletter_id, c) for c in content_ids(fake, newsletter_id)]


def expected_newsletter_test_groups(fake, newsletter_id: int) -> List[dict]:
    return groups_of(fake, newsletter_id)


def sent_at(fake, newsletter_id: int) -> Optional[int]:
    return newsletter(fake, newsletter_id)["sent_at"]
