"""GET /v1/campaigns: one unpaginated response; trigger variants carry different fields.

`actions` is the summary of campaign_actions.py's steps (ids int). Switches (fake_api.endpoints.lifecycle):
remove(fake, "campaign", n) drops campaign n from the list; touch(fake, "campaign", n) moves its `updated`.
"""
from fake_api.endpoints import lifecycle
from fake_api.endpoints.campaign_actions import campaign_created, summary
from fake_api.server import route

STATES = ("running", "draft", "stopped")


def campaign(ws, n: int, rev=(0, 0)) -> dict:
    created = campaign_created(ws, n)
    updated = lifecycle.updated(created + 3600, rev)
    record = {
        "id": n, "deduplicate_id": f"{n}:{updated}", "name": f"Campaign {n}",
        "description": f"Sends series {n}.", "created": created, "updated": updated,
        "active": n % 2 == 1, "state": STATES[n % 3],
        "actions": summary(ws, "campaign", n),
        "first_started": created + 60, "tags": ["sample", f"t{n}"] if n % 2 else [],
        "trigger_segment_ids": [1], "filter_segment_ids": [], "created_by": "fake@example.com",
        "msg_templates": [{"id": n * 10, "type": "email"}], "type": "segment",
    }
    if n % 3 == 0:
        record.update({"type": "date", "date_attribute": "signup", "frequency": "yearly", "start_hour": 9,
                       "start_minutes": 30, "timezone": "Europe/Prague", "use_customer_timezone": False})
    if n % 4 == 1:
        record.update({"type": "event", "event_name": "purchase"})
    return record


@route("GET", "/campaigns")
def list_campaigns(fake, query, body):
    ws = fake.workspace
    return {"campaigns": [campaign(ws, n, lifecycle.revision(fake, "campaign", n))
                          for n in range(1, ws.campaigns + 1) if not lifecycle.is_removed(fake, "campaign", n)]}
