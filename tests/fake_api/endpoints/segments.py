"""GET /v1/segments (unpaginated) and GET /v1/segments/{id}/membership (1000 default / 30000 max)."""
from fake_api.endpoints.common import cursor_page
from fake_api.server import HttpError, route


def segment(ws, s: int) -> dict:
    return {"id": s, "deduplicate_id": f"{s}:{ws.now - s}", "name": f"Segment {chr(64 + (ws.segments - s) % 26 + 1)}",
            "description": f"Every {ws.segment_step(s)}th person" if s != ws.segments else "Nobody",
            "state": "finished", "progress": None, "type": "dynamic" if s % 2 else "manual",
            "tags": ["fake"] if s % 2 else None, "created_at": ws.now - 86400 * s, "updated_at": ws.now - s}


@route("GET", "/segments")
def list_segments(fake, query, body):
    return {"segments": [segment(fake.workspace, s) for s in fake.workspace.segment_ids()]}


@route("GET", "/segments/{segment_id}")
def get_segment(fake, query, body, segment_id):
    ws = fake.workspace
    if not segment_id.isdigit() or int(segment_id) not in ws.segment_ids():
        raise HttpError(404, "segment not found")
    return {"segment": segment(ws, int(segment_id))}


@route("GET", "/segments/{segment_id}/membership")
def membership(fake, query, body, segment_id):
    ws = fake.workspace
    if not segment_id.isdigit() or int(segment_id) not in ws.segment_ids():
        raise HttpError(404, "segment not found")
    sid = int(segment_id)
    total = ws.segment_size(sid)
    if total == 0:
        return {"segment_id": sid, "identifiers": None, "ids": None, "next": ""}

    def members(offset, count):
        return [ws.person(ws.segment_member(sid, k)) for k in range(offset, offset + count)]

    page = cursor_page(fake, query, "identifiers", total, members, 1000, 30000, {"segment_id": sid})
    page["ids"] = [(p["id"] or "") for p in page["identifiers"]]
    return page
