"""Link clicks (customerio-api-wave2.md section 6.1 and 6.4): GET .../metrics/links of campaigns, campaign actions,
broadcasts, broadcast actions, newsletters, newsletter contents (variants) and transactional templates.

Answer: {"links": [{"link": {"id": int, "href": str}, "metric": {"series": {"clicked": [...], "human_clicked":
[...], "machine_clicked": [...]}}}]}, one value per bucket, oldest first. Metrics v1 only, whatever else is sent:
`period` / `steps` exactly as metrics.py's v1 (US-Eastern buckets ending at the fake's clock); `unique` true or
false (400 for anything else; absent = false): with true each person counts once per link, so the counts are
smaller; `type` (not on transactional) filters the channels as on metrics.py (400 outside the spec enum).
404 as the metrics routes: unknown, deleted or removed parents, action ids that are neither a record nor a
branch, content ids that are not among the newsletter's `content_ids`.

Choices where the reference is silent:
- links belong to LEAVES: a message action record (campaign or broadcast; a variant, not a branch), a newsletter
  content, a transactional template. A leaf with id L has L % 4 links (a webhook action none), with ids
  L * 10 + i and hrefs that carry query strings and, for i == 1, credentials (`https://reports:s3cret@...`).
- an aggregate answers its leaves' links with the same ids and series: a campaign or broadcast its message
  action records, a multi-language branch its variants, a newsletter its contents;
- values are deterministic per (leaf, link, unique, resolution, bucket start), zero before the leaf's parent was
  created and after now, plus late_events' clicks (clicked and human_clicked), scaled while the bucket is open.
Switch: fake.extras["metrics_links_null"] = True: an entity without links answers {"links": null} instead of [].
Helpers: expected_links(fake, family, entity_id, sub_id=None) -> [(link_id, href)];
expected_link_series(fake, family, entity_id, link_id, res, starts, unique, sub_id=None, now=None) ->
{metric: [...]} for bucket starts in UTC. family: campaign, campaign_action, broadcast, broadcast_action,
newsletter, newsletter_variant, transactional (sub_id = the action or content id).
"""
from typing import Dict, List, Optional, Sequence, Tuple

from fake_api.endpoints import broadcasts, newsletters, transactional
from fake_api.endpoints.campaign_actions import (MESSAGE_KINDS, action_index, campaign_created, message_actions,
                                                 variants)
from fake_api.endpoints.metrics import (AUTOMATION_TYPES, EASTERN, NEWSLETTER_TYPES, SCALE, _action, _channel, _hash,
                                        _parent, _window, bucket_end, bucket_values, content_of)
from fake_api.server import HttpError, route

NAMES = ("clicked", "human_clicked", "machine_clicked")
NULL_LINKS = "metrics_links_null"


class Leaf:
    """What owns links: its series key prefix, its number (link ids derive from it), channel and start."""

    def __init__(self, key: str, number: int, kind: str, created: int):
        self.key, self.number, self.kind, self.created = key, number, kind, created

    def links(self) -> List[Tuple[int, str]]:
        if self.kind == "webhook":
            return []
        hrefs = (f"https://shop.example.com/sale/{self.number}?utm_source=cio&utm_medium={self.kind}",
                 f"https://reports:s3cret@files.example.com/r/{self.number}.pdf?sig=a%2Fb&x=1",
                 f"http://example.com/p/{self.number}?q=a@b#top")
        return [(self.number * 10 + i, hrefs[i]) for i in range(self.number % 4)]


def _action_leaves(fake, family: str, parent: int, actions) -> List[Leaf]:
    created = campaign_created(fake.workspace, parent) if family == "campaign" else \
        broadcasts.created(fake.workspace, parent)
    return [Leaf(f"{family}_action:{parent}:{a.id}", a.id, a.kind, created) for a in actions
            if a.kind in MESSAGE_KINDS]


def _newsletter_leaves(fake, n: int, content_ids: Sequence[int]) -> List[Leaf]:
    record = newsletters.newsletter(fake, n)
    return [Leaf(f"newsletter_content:{n}:{c}", c, record["type"], record["created"]) for c in content_ids]


def leaves(fake, family: str, entity_id: int, sub_id=None) -> List[Leaf]:
    """The leaves behind an entity (no 404 checks: the helpers' view of the model)."""
    if family in ("campaign", "broadcast"):
        return _action_leaves(fake, family, entity_id, message_actions(fake, family, entity_id))
    if family in ("campaign_action", "broadcast_action"):
        parent_family = family.split("_")[0]
        present = action_index(fake, parent_family, entity_id)
        action = present[int(sub_id)]
        return _action_leaves(fake, parent_family, entity_id, [v for v in variants(action) if v.id in present])
    if family == "newsletter":
        return _newsletter_leaves(fake, entity_id, newsletters.content_ids(fake, entity_id))
    if family == "newsletter_variant":
        return _newsletter_leaves(fake, entity_id, [int(sub_id)])
    kind = "email" if entity_id % 5 else "push"
    return [Leaf(f"transactional:{entity_id}", entity_id, kind, transactional.created(fake.workspace, entity_id))]


def _full(unique: bool):
    def values(key: str, res: str, start: int, names) -> Dict[str, int]:
        h = _hash(key, res, start)
        clicked = h % (SCALE[res] // 4 + 1)
        human = clicked - clicked // 5
        if unique:
            share = 40 + (h >> 9) % 50
            clicked, human = clicked * share // 100, human * share // 100
        return {"clicked": clicked, "human_clicked": human, "machine_clicked": clicked - human}
    return values


def _series(fake, leaf: Leaf, link_id: int, res: str, starts: Sequence[int], tz: str, unique: bool,
            now: float) -> Dict[str, List[int]]:
    series = {name: [] for name in NAMES}
    for start in starts:
        values = bucket_values(fake, f"{leaf.key}:link:{link_id}", res, start,
                               bucket_end(start, res, tz), leaf.created, now, NAMES, full=_full(unique))
        values["machine_clicked"] = values["clicked"] - values["human_clicked"]
        for name in NAMES:
            series[name].append(values[name])
    return series


def _answer(fake, query, found: List[Leaf], channels) -> dict:
    channel = _channel(query, channels)
    raw_unique = query.get("unique", "false")
    if raw_unique not in ("true", "false"):
        raise HttpError(400, "unique must be true or false")
    res, starts, tz, _ = _window(fake, query, False)
    now = fake.now()
    links = [{"link": {"id": link_id, "href": href},
              "metric": {"series": _series(fake, leaf, link_id, res, starts, tz, raw_unique == "true", now)}}
             for leaf in found if channel in (None, leaf.kind) for link_id, href in leaf.links()]
    if not links and fake.extras.get(NULL_LINKS):
        return {"links": None}
    return {"links": links}


@route("GET", "/campaigns/{campaign_id}/metrics/links")
def campaign_links(fake, query, body, campaign_id):
    n = _parent(fake, "campaign", campaign_id)
    return _answer(fake, query, leaves(fake, "campaign", n), AUTOMATION_TYPES)


@route("GET", "/campaigns/{campaign_id}/actions/{action_id}/metrics/links")
def campaign_action_links(fake, query, body, campaign_id, action_id):
    n = _parent(fake, "campaign", campaign_id)
    action = _action(fake, "campaign", n, action_id)
    return _answer(fake, query, leaves(fake, "campaign_action", n, action.id), AUTOMATION_TYPES)


@route("GET", "/broadcasts/{broadcast_id}/metrics/links")
def broadcast_links(fake, query, body, broadcast_id):
    b = _parent(fake, "broadcast", broadcast_id)
    return _answer(fake, query, leaves(fake, "broadcast", b), AUTOMATION_TYPES)


@route("GET", "/broadcasts/{broadcast_id}/actions/{action_id}/metrics/links")
def broadcast_action_links(fake, query, body, broadcast_id, action_id):
    b = _parent(fake, "broadcast", broadcast_id)
    action = _action(fake, "broadcast", b, action_id)
    return _answer(fake, query, leaves(fake, "broadcast_action", b, action.id), AUTOMATION_TYPES)


@route("GET", "/newsletters/{newsletter_id}/metrics/links")
def newsletter_links(fake, query, body, newsletter_id):
    n = _parent(fake, "newsletter", newsletter_id)
    return _answer(fake, query, leaves(fake, "newsletter", n), NEWSLETTER_TYPES)


@route("GET", "/newsletters/{newsletter_id}/contents/{content_id}/metrics/links")
def newsletter_variant_links(fake, query, body, newsletter_id, content_id):
    n = _parent(fake, "newsletter", newsletter_id)
    return _answer(fake, query, leaves(fake, "newsletter_variant", n, content_of(fake, n, content_id)),
                   NEWSLETTER_TYPES)


@route("GET", "/transactional/{transactional_id}/metrics/links")
def transactional_links(fake, query, body, transactional_id):
    t = _parent(fake, "transactional", transactional_id)
    return _answer(fake, query, leaves(fake, "transactional", t), None)


# ---------------------------------------------------------------------- test helpers
def expected_links(fake, family: str, entity_id: int, sub_id=None) -> List[Tuple[int, str]]:
    """(link id, href as served) of every link the entity's answer lists, in answer order."""
    return [link for leaf in leaves(fake, family, entity_id, sub_id) for link in leaf.links()]


def expected_link_series(fake, family: str, entity_id: int, link_id: int, res: str, starts: Sequence[int],
                         unique: bool, sub_id=None, now: Optional[float] = None) -> Dict[str, List[int]]:
    for leaf in leaves(fake, family, entity_id, sub_id):
        if link_id in dict(leaf.links()):
            return _series(fake, leaf, link_id, res, list(starts), EASTERN, unique,
                           fake.now() if now is None else now)
    raise KeyError(f"{family} {entity_id}/{sub_id} has no link {link_id}")
