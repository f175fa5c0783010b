"""GET /v1/segments/{id}/used_by: which automations and one-time sends reference a segment.

Spec shape: {"segment_id": 7, "used_by": {"campaigns": [int], "sent_newsletters": [int], "draft_newsletters":
[int]}}. Computed from the model: a campaign uses the segments of its `trigger_segment_ids` and
`filter_segment_ids` (every campaign triggers on segment 1), a newsletter those of `recipient_segment_ids`
(sent or draft by `sent_at`). Removed campaigns / newsletters no longer reference anything. Arrays are sorted
ascending and always present (empty when unused).

Switches:
- fake.extras["segment_used_by_nested"] = True: Airbyte's variant, {"used_by": {"segment_id": 7, "campaigns":
  [...], ...}} (segment_id inside used_by, none at the top).
- lifecycle.delete_between(fake, "segment", id): /segments lists it, used_by answers 404.
Helper: expected_segment_usage(fake, segment_id) -> [(used_by_type, used_by_id)] with used_by_type in
campaign, sent_newsletter, draft_newsletter (the table's rows).
"""
from typing import Dict, List, Tuple

from fake_api.endpoints import lifecycle, newsletters
from fake_api.endpoints.campaigns import campaign
from fake_api.server import route

NESTED = "segment_used_by_nested"


def used_by(fake, segment_id: int) -> Dict[str, List[int]]:
    ws = fake.workspace
    result = {"campaigns": [], "sent_newsletters": [], "draft_newsletters": []}
    for n in range(1, ws.campaigns + 1):
        record = campaign(ws, n)
        if segment_id in record["trigger_segment_ids"] + record["filter_segment_ids"] \
                and not lifecycle.is_removed(fake, "campaign", n):
            result["campaigns"].append(n)
    for newsletter_id in newsletters.newsletter_ids(fake, "asc"):
        record = newsletters.newsletter(fake, newsletter_id)
        if segment_id in record.get("recipient_segment_ids", ()):
            key = "draft_newsletters" if record["sent_at"] is None else "sent_newsletters"
            result[key].append(newsletter_id)
    return result


@route("GET", "/segments/{segment_id}/used_by")
def segment_used_by(fake, query, body, segment_id):
    s = lifecycle.parse_id(segment_id, "segment")
    lifecycle.require(fake, "segment", s, s in fake.workspace.segment_ids(), "segment")
    usage = used_by(fake, s)
    if fake.extras.get(NESTED):
        return {"used_by": dict(segment_id=s, **usage)}
    return {"segment_id": s, "used_by": usage}


def expected_segment_usage(fake, segment_id: int) -> List[Tuple[str, int]]:
    usage = used_by(fake, segment_id)
    return ([("campaign", i) for i in usage["campaigns"]] + [("sent_newsletter", i) for i in usage["sent_newsletters"]]
            + [("draft_newsletter", i) for i in usage["draft_newsletters"]])
