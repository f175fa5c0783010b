"""Link clicks: one long table `link_metrics` for every entity whose delivery metrics the run reads.

`GET <the entity's metrics path>/links` is metrics v1 only (US-Eastern buckets counted back from the request), asked
twice per entity: every click (`unique=false`) and each person once per link (`unique=true`). The answer is
`{"links": [{"link": {"id", "href"}, "metric": {"series": {"clicked": [...], ...}}}]}`: one row per link, count
kind, bucket and series name. Hrefs lose any `user:password@` (as webhook endpoints do) and keep their query
strings. An entity without tracked links answers no links (an empty or null list): no rows, no error.
"""
import logging
from typing import Iterator, Tuple

from customerio.columns import count, flag, table_description, text
from customerio.ids import id_text
from customerio.metrics import EASTERN, LINK_COUNTS, LINKS, NO_SUB_ID, Family
from customerio.shapes import without_credentials
from extractors.base import TableSpec
from extractors.metric_reads import MetricReads, bucket_columns, length, series_of

LINK_KEY = ("entity_type", "entity_id", "sub_id", "link_id", "unique", "resolution", "period_start", "metric")
LINK_COLUMNS = (
    text("entity_type", "Kind of entity the link is in: campaign, campaign_action, newsletter, newsletter_variant, "
                        "broadcast, broadcast_action or transactional."),
    text("entity_id", "Id of the campaign, newsletter, broadcast or transactional message the link is in."),
    text("sub_id", "Id of the action (campaign_actions.id, broadcast_actions.id) or of the newsletter variant "
                   "(newsletter_contents.id); 0 for the other kinds."),
    text("link_id", "Id of the tracked link, as Customer.io numbers it."),
    text("href", "Address the link points to, query string kept, any user:password@ removed."),
    flag("unique", "true: each person counted once per link and bucket; false: every click."),
) + bucket_columns(text("metric", "What is counted, as Customer.io names it: clicked, human_clicked, machine_clicked, "
                                  "..."), value=count("value", "Count of the clicks in this bucket."))
LINK_SPEC = TableSpec("link_metrics", LINK_KEY, columns=LINK_COLUMNS, description=table_description(
    "One row per tracked link of an entity, count kind (all or unique clicks), bucket and series", LINK_KEY,
    "Customer.io's App API, /v1/.../metrics/links of each campaign, action, newsletter, variant, broadcast and "
    "transactional message (v1, US-Eastern buckets)"))

log = logging.getLogger(__name__)


def link_rows(reads: MetricReads, family: Family, entity: dict, path: str, start: int) -> Iterator[Tuple]:
    """The link_metrics rows of one entity (`path` is its metrics path, ids URL-encoded)."""
    ids = [entity[column] for column in family.entity_columns]
    cells = {"entity_type": family.kind, "entity_id": ids[0], "sub_id": ids[1] if len(ids) > 1 else NO_SUB_ID}
    without_id = 0
    for asked_flag, unique in LINK_COUNTS:
        body, starts, asked = reads.v1(path + LINKS, start, family.label, {"unique": asked_flag}, count=_buckets)
        links = _links(body)
        link_ids = [id_text(item["link"].get("id")) if isinstance(item.get("link"), dict) else None
                    for item in links]
        without_id = max(without_id, link_ids.count(None))
        for item, link_id in zip(links, link_ids):
            if link_id is None:
                continue
            link = item["link"]
            link_cells = {**cells, "link_id": link_id, "unique": unique, "href": without_credentials(link.get("href"))}
            for row in reads.rows(series_of(item), starts, asked, EASTERN):
                yield LINK_SPEC, {**link_cells, **row}
    if without_id:
        log.warning("metrics: %s link(s) of %s %s came without an id and are left out of link_metrics.", without_id,
                    family.label, "/".join(ids))


def _links(body) -> list:
    links = body.get("links") if isinstance(body, dict) else None
    return [item for item in links if isinstance(item, dict)] if isinstance(links, list) else []


def _buckets(body) -> int:
    """Buckets in a links answer: the longest series of any link (each runs oldest to newest, ending now)."""
    return max((length(series_of(item)) for item in _links(body)), default=0)
