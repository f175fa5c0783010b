"""GET /v1/optouts: SMS / WhatsApp opt-outs per person and sender; cursor `start`/`next`, `limit` 100 / 1000.

Opt-out person j (j < min(Workspace.optouts, people)) is person j * (people // optouts); items are
{cio_id, customer_id, optouts: [{channel, from}]}: every person opted out of SMS from SENDERS[0], odd ones of
WhatsApp from SENDERS[1] too, every 3rd (j % 3 == 2) of SMS from SENDERS[2]. `customer_id` is null for
email-only people. `from=<sender>` keeps the people with an opt-out from that sender, each with only those
entries. Choice: on the last page `next` is ABSENT (the reference says "absent or empty").
Helper: expected_optouts(fake, sender=None) -> the items; expected_optout_rows(fake) -> [(cio_id, channel, from)].
"""
from typing import List, Optional, Tuple

from fake_api.endpoints.common import cursor_page
from fake_api.server import route

SENDERS = ("+15550000001", "+15550000002", "+15550000003")
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


def count(ws) -> int:
    return max(0, min(ws.optouts, ws.people))


def optout(ws, j: int) -> dict:
    person = ws.person(j * (ws.people // max(count(ws), 1)))
    entries = [{"channel": "sms", "from": SENDERS[0]}]
    if j % 2:
        entries.append({"channel": "whatsapp", "from": SENDERS[1]})
    if j % 3 == 2:
        entries.append({"channel": "sms", "from": SENDERS[2]})
    return {"cio_id": person["cio_id"], "customer_id": person["id"], "optouts": entries}


def expected_optouts(fake, sender: Optional[str] = None) -> List[dict]:
    ws = fake.workspace
    result = []
    for j in range(count(ws)):
        record = optout(ws, j)
        if sender:
            record["optouts"] = [e for e in record["optouts"] if e["from"] == sender]
            if not record["optouts"]:
                continue
        result.append(record)
    return result


def expected_optout_rows(fake) -> List[Tuple[str, str, str]]:
    return [(r["cio_id"], e["channel"], e["from"]) for r in expected_optouts(fake) for e in r["optouts"]]


@route("GET", "/optouts")
def list_optouts(fake, query, body):
    ws = fake.workspace
    sender = query.get("from") or None
    if sender is None:
        total = count(ws)

        def items(offset, n):
            return [optout(ws, j) for j in range(offset, offset + n)]
    else:
        selected = expected_optouts(fake, sender)
        total = len(selected)

        def items(offset, n):
            return selected[offset:offset + n]
    page = cursor_page(fake, query, "optouts", total, items, DEFAULT_LIMIT, MAX_LIMIT)
    if not page["next"]:
        del page["next"]
    return page
