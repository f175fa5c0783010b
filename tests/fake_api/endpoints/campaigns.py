"""GET /v1/campaigns: one unpaginated response; trigger variants carry different fields."""
from fake_api.server import route

STATES = ("running", "draft", "stopped")


def campaign(ws, n: int) -> dict:
    created = ws.now - 86400 * (30 + n)
    record = {
        "id": n, "deduplicate_id": f"{n}:{created + 3600}", "name": f"Campaign {n}",
        "description": f"Sends series {n}.", "created": created, "updated": created + 3600,
        "active": n % 2 == 1, "state": STATES[n % 3],
        "actions": [{"id": n * 10 + i, "type": "email"} for i in range(1 + n % 3)],
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
    return {"campaigns": [campaign(fake.workspace, n) for n in range(1, fake.workspace.campaigns + 1)]}
