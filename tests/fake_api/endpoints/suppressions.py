"""GET /v1/esp/suppression/{type}: offset paging with `limit`/`offset`, no `next`, `null` past the end.

Types and sizes: bounces has Workspace.suppressions addresses, blocks half of them, spam_reports a fifth,
invalid_emails none (so a default fake answers null for it). Address j of a type is unique within the type;
every 3rd is one of the workspace's people (while there are people), the others are strangers (the lists
are domain-scoped and can hold addresses of other workspaces on the same sending domain). Address j belongs
to sending domain DOMAINS[j % 2]; `domain=` keeps those, an unknown domain answers null. Items carry no domain.

Choices where the reference is silent or uncertain:
- `limit` defaults to 100 and is capped at 1000 (Airbyte sends 1000); `offset` defaults to 0; a non-integer
  or negative value is a 400;
- `category` is "spam" for spam_reports and "bounces" for the other three (the spec's enum has only these);
- a page past the end, and every page of an empty list, is {"suppressions": null} with no `category`;
- an unknown type is a 400 (the spec documents no 404; it is an invalid parameter value).
The 2025 spec's enum has only bounces and spam_reports: `fake.extras["suppression_types"]` narrows the types this
workspace offers (the others answer as unknown types), `fake.extras["suppression_unknown_status"]` (400 by
default, or 404) is how an unknown type is refused.
Helper: expected_suppressions(fake, type, domain=None) -> every item, in list order.
"""
from typing import List, Optional

from fake_api.server import HttpError, int_param, route

TYPES = ("bounces", "blocks", "spam_reports", "invalid_emails")
DOMAINS = ("mail.example.com", "news.example.com")
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
REASONS = {"bounces": "550 5.1.1 The email account that you tried to reach does not exist: {email}",
           "blocks": "550 5.7.1 Blocked by recipient policy",
           "spam_reports": "complained", "invalid_emails": "invalid mailbox syntax"}


def size(ws, kind: str) -> int:
    n = max(ws.suppressions, 0)
    return {"bounces": n, "blocks": n // 2, "spam_reports": n // 5, "invalid_emails": 0}[kind]


def item(ws, kind: str, j: int) -> dict:
    if j % 3 == 0 and j // 3 < ws.people:
        email = ws.person(j // 3)["email"]
    else:
        email = f"{kind}-{j}@elsewhere.example.org"
    return {"email": email, "created": ws.now - 3600 * (j + 1) - TYPES.index(kind),
            "reason": REASONS[kind].format(email=email), "status": "550" if kind != "spam_reports" else ""}


def indexes(ws, kind: str, domain: Optional[str]) -> List[int]:
    if domain in (None, ""):
        return list(range(size(ws, kind)))
    if domain not in DOMAINS:
        return []
    d = DOMAINS.index(domain)
    return list(range(d, size(ws, kind), 2))


def _offset(query) -> int:
    raw = query.get("offset")
    if raw in (None, ""):
        return 0
    if not raw.isdigit():
        raise HttpError(400, "offset must be a non-negative integer")
    return int(raw)


@route("GET", "/esp/suppression/{suppression_type}")
def list_suppressions(fake, query, body, suppression_type):
    offered = fake.extras.get("suppression_types") or TYPES
    if suppression_type not in offered:
        status = int(fake.extras.get("suppression_unknown_status") or 400)
        detail = f"suppression_type must be one of {', '.join(offered)}" if status == 400 else "not found"
        raise HttpError(status, detail)
    ws = fake.workspace
    limit = int_param(query, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    offset = _offset(query)
    chosen = indexes(ws, suppression_type, query.get("domain"))[offset:offset + limit]
    if not chosen:
        return {"suppressions": None}
    return {"category": "spam" if suppression_type == "spam_reports" else "bounces",
            "suppressions": [item(ws, suppression_type, j) for j in chosen]}


def expected_suppressions(fake, suppression_type: str, domain: Optional[str] = None) -> List[dict]:
    ws = fake.workspace
    return [item(ws, suppression_type, j) for j in indexes(ws, suppression_type, domain)]
