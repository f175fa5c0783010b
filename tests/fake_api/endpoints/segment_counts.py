"""GET /v1/segments/{id}/customer_count (customerio-api-wave2.md section 10.2): {"segment_id": int, "count": int}.

The count is the segment's current size in the workspace model (Workspace.segment_size: members_override, removed
segments), so a test that changes membership between runs changes the count. 404 for an unknown segment and for
one deleted between listing and reading (lifecycle.delete_between(fake, "segment", id)).
Switch: fake.extras["segment_count_missing"] = {segment ids}: those answer {"segment_id": id} without a count (a
segment still building; the reference says such counts may be stale, the fake goes further).
"""
from fake_api.endpoints import lifecycle
from fake_api.server import route

MISSING = "segment_count_missing"


@route("GET", "/segments/{segment_id}/customer_count")
def customer_count(fake, query, body, segment_id):
    s = lifecycle.parse_id(segment_id, "segment")
    ws = fake.workspace
    lifecycle.require(fake, "segment", s, s in ws.segment_ids(), "segment")
    if s in fake.extras.get(MISSING, ()):
        return {"segment_id": s}
    return {"segment_id": s, "count": ws.segment_size(s)}
