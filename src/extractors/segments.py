"""Segments, and who is in each of them (segment_members).

Membership has no "changed since": every run reads each segment's members in full. With Incremental Update the
segment_members manifest therefore deletes, before the load, the rows of every segment read completely this run
and of every segment remembered from the last run that no longer exists, so a person who left a segment (or a
deleted segment) leaves Storage too. The ids of this run's segments are kept in state for the next run.
"""
import logging
import threading
from typing import List, Optional

from customerio import PAGE_LIMITS, NotFoundError
from customerio.ids import id_text
from extractors.base import Extractor, Replaced, TableSpec, Walk

SEGMENTS = TableSpec("segments", ("id",), columns=(
    "created_at", "deduplicate_id", "description", "id", "name", "progress", "state", "tags", "type", "updated_at"))
MEMBER_FIELDS = ("cio_id", "id", "email")
SEGMENT_MEMBERS = TableSpec("segment_members", ("segment_id", "cio_id"), columns=("segment_id",) + MEMBER_FIELDS,
                            partition="segment_id")
#: Membership pages hold up to 30,000 people (tens of MB once parsed): at most this many are read at once.
MEMBERSHIP_LANES = 3
STATE_IDS = "ids"

log = logging.getLogger(__name__)


class SegmentsExtractor(Extractor):
    name = "segments"
    order = 40

    def __init__(self, client, settings, state, run_started):
        super().__init__(client, settings, state, run_started)
        self._current: Optional[List[str]] = None
        self._lock = threading.Lock()

    def tables(self):
        return [SEGMENTS, SEGMENT_MEMBERS] if self.settings.segment_members else [SEGMENTS]

    def walks(self):
        yield Walk("segments", self._segments)

    def remembered(self) -> List[str]:
        """Segment ids of the last successful run (none when it kept none)."""
        dataset_state = self.state.get(self.name)
        ids = dataset_state.get(STATE_IDS) if isinstance(dataset_state, dict) else None
        return [text for text in map(id_text, ids) if text] if isinstance(ids, list) else []

    def _segments(self):
        body = self.client.get("/segments")
        ids = []
        for segment in body.get("segments") or []:
            if not isinstance(segment, dict):
                continue
            yield SEGMENTS, segment
            segment_id = id_text(segment.get("id"))
            if segment_id is not None and segment_id not in ids:
                ids.append(segment_id)
        with self._lock:
            self._current = ids
        if not self.settings.segment_members:
            return
        gone = [segment_id for segment_id in self.remembered() if segment_id not in ids]
        if gone:
            log.info("Segments %s no longer exist; their members leave segment_members.", ", ".join(gone))
        for segment_id in gone:
            yield Replaced(SEGMENT_MEMBERS, segment_id)
        for lane in range(min(MEMBERSHIP_LANES, len(ids))):
            share = ids[lane::MEMBERSHIP_LANES]
            yield Walk(f"members of segments {share[0]}..", lambda share=share: self._lane(share))

    def _lane(self, segment_ids):
        for segment_id in segment_ids:
            yield from self._members(segment_id)

    def _members(self, segment_id: str):
        path = f"/segments/{segment_id}/membership"
        try:
            # Reading one of these large pages ahead would double the memory of each lane.
            for page in self.client.paginate(path, "identifiers", limit=PAGE_LIMITS["segment_membership"],
                                             read_ahead=False):
                if page.items:
                    for person in page.items:
                        if isinstance(person, dict):
                            yield SEGMENT_MEMBERS, {"segment_id": segment_id, "cio_id": id_text(person.get("cio_id")),
                                                    "id": id_text(person.get("id")), "email": person.get("email")}
                elif page.body.get("identifiers") is None and page.body.get("ids"):
                    # Very old workspaces answer only with `ids`; keep who we can and say what is missing.
                    log.warning("Segment %s membership came without `identifiers`; rows carry `id` only.",
                                segment_id)
                    for person_id in page.body["ids"]:
                        yield SEGMENT_MEMBERS, {"segment_id": segment_id, "cio_id": None, "id": id_text(person_id),
                                                "email": None}
        except NotFoundError:
            log.warning("Segment %s disappeared while the run was going (404); its members are skipped.",
                        segment_id)
        # Read to the end (or deleted meanwhile): this run's rows are all of the segment's rows.
        yield Replaced(SEGMENT_MEMBERS, segment_id)

    def new_state(self) -> Optional[dict]:
        with self._lock:
            current = self._current
        return {STATE_IDS: current} if current is not None else None
