"""Segments, and who is in each of them (segment_members)."""
import logging

from customerio import PAGE_LIMITS, NotFoundError
from extractors.base import Extractor, TableSpec, Walk

SEGMENTS = TableSpec("segments", ("id",))
SEGMENT_MEMBERS = TableSpec("segment_members", ("segment_id", "cio_id"))
MEMBER_FIELDS = ("cio_id", "id", "email")
#: Membership pages hold up to 30,000 people (tens of MB once parsed): at most this many are read at once.
MEMBERSHIP_LANES = 3

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
        ids = []
        for segment in body.get("segments") or []:
            yield SEGMENTS, segment
            if segment.get("id") is not None:
                ids.append(segment["id"])
        if self.settings.segment_members:
            for lane in range(min(MEMBERSHIP_LANES, len(ids))):
                share = ids[lane::MEMBERSHIP_LANES]
                yield Walk(f"members of segments {share[0]}..", lambda share=share: self._lane(share))

    def _lane(self, segment_ids):
        for segment_id in segment_ids:
            yield from self._members(segment_id)

    def _members(self, segment_id):
        path = f"/segments/{segment_id}/membership"
        try:
            # Reading one of these large pages ahead would double the memory of each lane.
            for page in self.client.paginate(path, "identifiers", limit=PAGE_LIMITS["segment_membership"],
                                             read_ahead=False):
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
