"""Deterministic generated data for the fake API; every size is a parameter.

Records are computed from their index instead of stored, so a workspace of a million people or messages
costs no memory and any page can be produced directly. Endpoint-family modules add their own models on top
of the people defined here (`Workspace.models`).
"""
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

PLANS = ("free", "pro", "team", "enterprise")


@dataclass
class Workspace:
    people: int = 200
    campaigns: int = 5
    segments: int = 4
    messages: int = 0
    message_span_days: int = 120
    activities: int = 0
    activity_types: int = 12
    activity_span_days: int = 20
    activity_unique_keys: int = 0   # `data` keys per event that no other event has (exploding schemas)
    message_types: int = 8          # messages cycle through the first N of the API's message types
    cio_id_digits: bool = False     # cio_ids of digits only ("3000001"), which "numeric_ids" sends as numbers
    # wave 2 (issues 12 and 13): small defaults so a default fake serves a little of everything
    long_campaign_steps: int = 11       # steps of every 3rd campaign (the others have 1 + n % 3)
    newsletters: int = 6
    newsletter_span_days: int = 60      # newsletters are created over this many days, the newest 2 days ago
    broadcasts: int = 3
    long_broadcast_steps: int = 12      # steps of every 3rd broadcast (the others have 1 + k % 2)
    transactional: int = 3
    sender_identities: int = 7
    snippets: int = 4
    collections: int = 3
    subscription_topics: int = 3
    subscription_channels: int = 3
    reporting_webhooks: int = 3
    workspaces: int = 2
    suppressions: int = 25              # bounces; blocks have half, spam_reports a fifth, invalid_emails none
    optouts: int = 12                   # people with SMS/WhatsApp opt-outs
    object_types: int = 2
    objects: int = 25                   # objects of type "1"; type t has objects // t
    now: int = field(default_factory=lambda: int(time.time()))
    models: Dict[str, object] = field(default_factory=dict)
    #: Between runs a test can set who is in a segment (person indexes, in membership order) and delete segments.
    members_override: Dict[int, List[int]] = field(default_factory=dict)
    #: Attributes every person has besides the generated ones (e.g. names that end in punctuation).
    extra_attributes: Dict[str, str] = field(default_factory=dict)
    removed_segments: Set[int] = field(default_factory=set)
    #: People deleted upstream (indexes; lifecycle.remove_person): no search, export, attributes or segment finds
    #: them any more. Messages and activities they had stay (history).
    removed_people: Set[int] = field(default_factory=set)

    # ------------------------------------------------------------------ people
    def person(self, q: int) -> dict:
        """Identifiers of person q (0-based): 5% have no `id` (email only)."""
        email_only = q % 20 == 7
        return {
            "email": f"person{q}@example.com",
            "id": None if email_only else str(100000 + q),
            "cio_id": str(3000001 + q) if self.cio_id_digits else f"a{q + 1:07x}",
        }

    def person_index(self, cio_id: str) -> Optional[int]:
        try:
            if self.cio_id_digits:
                q = int(cio_id) - 3000001 if cio_id.isdigit() else -1
            else:
                q = int(cio_id[1:], 16) - 1 if cio_id.startswith("a") else -1
        except ValueError:
            return None
        return q if 0 <= q < self.people and q not in self.removed_people else None

    def exists(self, q: int) -> bool:
        """Person q is in the workspace (not deleted)."""
        return 0 <= q < self.people and q not in self.removed_people

    def attributes(self, q: int) -> Dict[str, str]:
        """Attribute sets differ from person to person; every value is text, as the API gives them."""
        ident = self.person(q)
        attrs = {"email": ident["email"], "cio_id": ident["cio_id"],
                 "created_at": str(self.now - 86400 * 400 + q * 37)}
        if ident["id"] is not None:
            attrs["id"] = ident["id"]
        if q % 3 == 0:
            attrs["plan"] = PLANS[q % len(PLANS)]
        if q % 5 == 1:
            attrs["first_name"] = f"Name{q}"
        if q % 7 == 2:
            attrs["Company Name"] = f"Company {q % 11}"
        if q % 11 == 3:
            attrs["_last_emailed"] = str(self.now - q)
        if q % 13 == 4:
            attrs["cio_subscription_preferences"] = '{"topics":{"topic_1":true}}'
        attrs["unsubscribed"] = "true" if self.unsubscribed(q) else "false"
        attrs.update(self.extra_attributes)
        return attrs

    def unsubscribed(self, q: int) -> bool:
        return q % 10 == 0

    def devices(self, q: int) -> List[dict]:
        if q % 4:
            return []
        return [{"id": f"device-{q}", "platform": "ios" if q % 8 else "android", "last_used": self.now - q,
                 "attributes": {"app_version": "1.2.3"}}]

    # ------------------------------------------------------------------ segments
    def segment_ids(self) -> List[int]:
        return [s for s in range(1, self.segments + 1) if s not in self.removed_segments]

    def segment_step(self, segment_id: int) -> int:
        """Members of segment s are every (s+1)-th person; the last segment is always empty."""
        return segment_id + 1

    def segment_size(self, segment_id: int) -> int:
        if segment_id in self.removed_segments:
            return 0
        if self.removed_people:
            return len(self._remaining_members(segment_id))
        return self._model_size(segment_id)

    def _model_size(self, segment_id: int) -> int:
        if segment_id in self.members_override:
            return len(self.members_override[segment_id])
        if segment_id == self.segments or not 1 <= segment_id <= self.segments:
            return 0
        step = self.segment_step(segment_id)
        return (self.people - 1) // step + 1 if self.people else 0

    def segment_member(self, segment_id: int, k: int) -> int:
        if self.removed_people:
            return self._remaining_members(segment_id)[k]
        return self._model_member(segment_id, k)

    def _model_member(self, segment_id: int, k: int) -> int:
        if segment_id in self.members_override:
            return self.members_override[segment_id][k]
        return k * self.segment_step(segment_id)

    def in_segment(self, segment_id: int, q: int) -> bool:
        if segment_id in self.removed_segments or q in self.removed_people:
            return False
        if segment_id in self.members_override:
            return q in self.members_override[segment_id]
        if segment_id == self.segments or not 1 <= segment_id <= self.segments:
            return False
        return q % self.segment_step(segment_id) == 0

    def _remaining_members(self, segment_id: int) -> List[int]:
        """Members in order once people were deleted (computed once per segment and set of deleted people)."""
        key = (segment_id, self.people, self.segments, frozenset(self.removed_people),
               tuple(self.members_override.get(segment_id, ())))
        cache = self.models.setdefault("remaining_members", {})
        if key not in cache:
            members = (self._model_member(segment_id, k) for k in range(self._model_size(segment_id)))
            cache[key] = [q for q in members if q not in self.removed_people]
        return cache[key]
