"""Upstream changes for the parent/child families of the fake: what tests call between listing and reading, or
between two runs. No routes here; the family modules ask these functions.

Parent kinds and their ids: "campaign", "newsletter", "broadcast", "transactional", "segment" (int ids),
"object" (id = (object_type_id, object_id), both strings) and "object_type" (its id, compared as a string). Child
kinds: "campaign_action", "broadcast_action" (action ids, compared as strings), "newsletter_content",
"transactional_content", "broadcast_trigger" (ints).

State in `fake.extras` (set through the helpers below, never by hand):
- "deleted": {(kind, id)}: the parent is still LISTED, but its child endpoints, metrics and single reads answer
  404, as when it is deleted between listing and reading.
- "removed": {(kind, id)}: the parent is gone entirely: not listed, every endpoint under it answers 404.
- "touched": {(kind, id): (revision, at)}: the parent's `updated` moved forward to at least `at`, its children's
  `updated` too and their `name` ends with " (rev N)". A touched child ((child_kind, parent_id, child_id)) moves
  alone, as editing an action need not bump its campaign.
- "removed_children": {(child_kind, parent_id, child_id)}: that child is gone from its parent's child list (and,
  for newsletter contents, from the newsletter's `content_ids`); the parent is NOT touched (call touch too if
  a test wants the upstream edit to show on the parent).
Helpers: delete_between, remove, restore (undoes both), touch (+ touch_campaign / touch_newsletter /
touch_broadcast / touch_transactional), touch_child, remove_child, remove_person (a person deleted upstream: kept
in Workspace.removed_people, which the people model itself honours). Segments honour delete_between and remove
only on /segments/{id}/used_by (segments.py's own routes are untouched); objects only on attributes /
relationships (delete_between) and POST /objects (remove). The expected_* helpers of each family describe the
model, deleted-between parents included: a test leaves out what its 404 made the client skip.
"""
from typing import Hashable, Optional, Tuple

from fake_api.server import HttpError

DELETED, REMOVED, TOUCHED, REMOVED_CHILDREN = "deleted", "removed", "touched", "removed_children"


def _key(kind: str, ident) -> Tuple[str, Hashable]:
    if kind == "object":
        type_id, object_id = ident
        return kind, (str(type_id), str(object_id))
    if kind == "object_type":
        return kind, str(ident)
    return kind, int(ident)


def _child_key(kind: str, parent, child) -> Tuple[str, int, str]:
    return kind, int(parent), str(child)


# ---------------------------------------------------------------------- helpers that tests call
def delete_between(fake, kind: str, ident) -> None:
    """`ident` stays in its list but every read under it answers 404 (deleted between listing and reading)."""
    fake.extras.setdefault(DELETED, set()).add(_key(kind, ident))


def remove(fake, kind: str, ident) -> None:
    """`ident` disappears upstream: no longer listed, 404 everywhere."""
    fake.extras.setdefault(REMOVED, set()).add(_key(kind, ident))


def restore(fake, kind: str, ident) -> None:
    """Undo delete_between / remove."""
    for name in (DELETED, REMOVED):
        fake.extras.get(name, set()).discard(_key(kind, ident))


def touch(fake, kind: str, ident, at: Optional[int] = None) -> int:
    """Edit a parent upstream: its `updated` moves forward (to `at`, default the fake's clock); returns the revision."""
    return _touch(fake, _key(kind, ident), at)


def touch_child(fake, kind: str, parent, child, at: Optional[int] = None) -> int:
    """Edit one child (e.g. kind "campaign_action") without touching its parent."""
    return _touch(fake, _child_key(kind, parent, child), at)


def _touch(fake, key, at: Optional[int]) -> int:
    touched = fake.extras.setdefault(TOUCHED, {})
    revision = touched.get(key, (0, 0))[0] + 1
    touched[key] = (revision, int(fake.now()) if at is None else int(at))
    return revision


def remove_child(fake, kind: str, parent, child) -> None:
    """A child deleted upstream (a newsletter content, a campaign action, ...); the parent is not touched."""
    fake.extras.setdefault(REMOVED_CHILDREN, set()).add(_child_key(kind, parent, child))


def remove_person(fake, q: int) -> None:
    """Person q (0-based index) is deleted upstream: gone from searches, exports, attributes and segments."""
    fake.workspace.removed_people.add(int(q))


def touch_campaign(fake, campaign_id: int, at: Optional[int] = None) -> int:
    return touch(fake, "campaign", campaign_id, at)


def touch_newsletter(fake, newsletter_id: int, at: Optional[int] = None) -> int:
    return touch(fake, "newsletter", newsletter_id, at)


def touch_broadcast(fake, broadcast_id: int, at: Optional[int] = None) -> int:
    return touch(fake, "broadcast", broadcast_id, at)


def touch_transactional(fake, transactional_id: int, at: Optional[int] = None) -> int:
    return touch(fake, "transactional", transactional_id, at)


# ---------------------------------------------------------------------- what the routes ask
def is_removed(fake, kind: str, ident) -> bool:
    return _key(kind, ident) in fake.extras.get(REMOVED, ())


def is_gone(fake, kind: str, ident) -> bool:
    """Deleted or removed: reads under it answer 404."""
    key = _key(kind, ident)
    return key in fake.extras.get(REMOVED, ()) or key in fake.extras.get(DELETED, ())


def require(fake, kind: str, ident, exists: bool, what: str, legacy: bool = False) -> None:
    """404 unless the entity exists in the model and was neither deleted nor removed."""
    if not exists or is_gone(fake, kind, ident):
        raise HttpError(404, f"{what} not found", legacy=legacy)


def revision(fake, kind: str, ident) -> Tuple[int, int]:
    """(revision, touched at) of a parent; (0, 0) when never touched."""
    return fake.extras.get(TOUCHED, {}).get(_key(kind, ident), (0, 0))


def child_revision(fake, kind: str, parent, child) -> Tuple[int, int]:
    return fake.extras.get(TOUCHED, {}).get(_child_key(kind, parent, child), (0, 0))


def combined(parent: Tuple[int, int], child: Tuple[int, int]) -> Tuple[int, int]:
    """A child's own revision plus its parent's: touching a parent edits its children too."""
    return parent[0] + child[0], max(parent[1], child[1])


def child_removed(fake, kind: str, parent, child) -> bool:
    return _child_key(kind, parent, child) in fake.extras.get(REMOVED_CHILDREN, ())


def updated(base: int, rev: Tuple[int, int]) -> int:
    """A touched record's `updated`: never backwards, always past the untouched value."""
    return base if rev[0] == 0 else max(base + rev[0], rev[1])


def renamed(name: str, rev: Tuple[int, int]) -> str:
    return name if rev[0] == 0 else f"{name} (rev {rev[0]})"


def parse_id(raw: str, what: str, legacy: bool = False) -> int:
    """Path ids: 400 (invalid id) unless a non-negative integer."""
    if not raw.isdigit():
        raise HttpError(400, f"invalid {what} id", legacy=legacy)
    return int(raw)
