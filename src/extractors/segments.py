"""Segments, and who is in each of them (segment_members)."""
import logging

from customerio import PAGE_LIMITS, NotFoundError
from extractors.base import Extractor, TableSpec, Walk

SEGMENTS = TableSpec("segments", ("id",))
SEGMENT_MEMBERS = TableSpec("segment_members", ("segment_id", "cio_id"))
MEMBER_FIELDS = ("cio_id", "id", "email")

log = logging.getLogger(__name__)


class SegmentsExtractor(Extractor):
    name = "segments"
    order = 40

    def tables(self):
        return [SEGMENTS, SEGMENT_MEMBERS] if self.settings.segment_members else [SEGMENTS]

    def walks(self):
        yield Walk("segments", self._segments)

    def _segments(self):
        body = self.client.get("/segments")
        for segment in body.get("segments") or []:
            yield SEGMENTS, segment
            if self.settings.segment_members and segment.get("id") is not None:
                segment_id = segment["id"]
                yield Walk(f"segment {segment_id} members", lambda sid=segment_id: self._members(sid))

    def _members(self, segment_id):
        path = f"/segments/{segment_id}/membership"
        try:
            for page in self.client.paginate(path, "identifiers", limit=PAGE_LIMITS["segment_membership"]):
                if page.items:
                    for person in page.items:
                        row = {"segment_id": segment_id}
                        for key in MEMBER_FIELDS:
                            row[key] = person.get(key)
                        yield SEGMENT_MEMBERS, row
                elif page.body.get("identifiers") is None and page.body.get("ids"):
                    # Very old workspaces answer only with `ids`; keep who we can and say what is missing.
                    log.warning("Segment %s membership came without `identifiers`; rows carry `id` only.",
                                segment_id)
                    for person_id in page.body["ids"]:
                        yield SEGMENT_MEMBERS, {"segment_id": segment_id, "cio_id": None, "id": person_id or None,
                                                "email": None}
        except NotFoundError:
            log.warning("Segment %s disappeared while the run was going (404); its members are skipped.",
                        segment_id)
