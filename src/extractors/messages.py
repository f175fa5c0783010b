"""Messages (deliveries): GET /v1/messages per type, in time windows on `created`, optionally since the last run.

The API serves at most 6 months per request, so history is read in back-to-back windows of at most WINDOW_DAYS
that never overlap ([s, e1], [e1+1, e2], ...) up to the moment the run started: nothing is missed and no delivery
comes twice within a run. Each (type, window) is its own cursor walk, so they run concurrently under the shared
rate limit; a range longer than a day is cut into enough windows that about TARGET_WALKS walks run at once
(one cursor walk waits a round trip per page while the budget sits idle), which costs at most one partly filled
page per extra window. "Continue since last run" remembers, per type, the newest `created` seen by the last
successful run and starts the next run right after it (minus the lookback), which is how new messages are
found; the original component's resume token pointed at the oldest page and never saw them.
"""
import logging
from datetime import datetime, timezone
from typing import Iterator, List, Optional, Tuple

from customerio import PAGE_LIMITS
from customerio.catalog import RETIRED_MESSAGE_TYPES
from customerio.columns import count, documented, flag, recipient_identifiers, table_description, text, when
from extractors.base import Extractor, TableSpec, Walk
from extractors.watermarks import Watermarks

#: Metrics the API documents on a delivery: the time each happened, or (human_*, prefetch_*) a count. Always
#: columns, even before they happen.
METRIC_TIMES = {"bounced": "bounced", "clicked": "was first clicked", "converted": "converted",
                "created": "was created", "delivered": "was delivered", "drafted": "was drafted",
                "dropped": "was dropped", "failed": "failed", "opened": "was first opened", "sent": "was sent",
                "spammed": "was marked as spam", "undeliverable": "was found undeliverable",
                "unsubscribed": "led to an unsubscribe"}
METRIC_COUNTS = {"human_clicked": "clicks by people (not link scanners); reliable from 2025-04-20",
                 "human_opened": "opens by people (not mail privacy proxies); reliable from 2025-03-20",
                 "prefetch_clicked": "clicks by machines (link scanners); reliable from 2025-04-20",
                 "prefetch_opened": "opens by machines (mail privacy proxies); reliable from 2025-03-20"}
METRIC_COLUMNS = tuple(when(f"metrics_{name}", f"the message {event}", "empty if it never did")
                       for name, event in METRIC_TIMES.items()) + \
    tuple(count(f"metrics_{name}", f"Count of {what}; empty if none.") for name, what in METRIC_COUNTS.items())
TEMPLATE_ID = "Id of the message template (deprecated by Customer.io, which names it either way)."
#: Every column the README documents for `messages`; the API names the template id either way, so both are there.
COLUMNS = documented(
    "message", text("action_id", "Id of the action that sent it (campaign_actions.id or broadcast_actions.id)."),
    text("broadcast_id", "Id of the broadcast that sent it (broadcasts.id), if any."),
    text("campaign_id", "Id of the campaign that sent it (campaigns.id), if any."),
    text("content_id", "Id of the newsletter variant sent (newsletter_contents.id), if any."),
    when("created", "the message was created"),
    text("customer_id", "The id of the recipient in your workspace; empty if they have none."),
    *recipient_identifiers(),
    text("deduplicate_id", "Id and Unix time of the last change (id:time): changes with every new metric."),
    text("failure_message", "Why the message failed, if it did."),
    flag("forgotten", "true when Customer.io no longer keeps the message's content."),
    text("id", "Id of the delivery: one message to one recipient."), text("message_template_id", TEMPLATE_ID),
    text("msg_template_id", TEMPLATE_ID),
    text("newsletter_id", "Id of the newsletter that sent it (newsletters.id), if any."),
    text("parent_action_id", "Id of the parent action, if any."),
    text("recipient", "Where it went: email address, phone number, device token, URL, ..."), "subject",
    text("transactional_message_id", "Id of the transactional message that sent it, if any."),
    text("trigger_event_id", "Id of the event that triggered the campaign, if any."), "type", *METRIC_COLUMNS)
MESSAGES = TableSpec("messages", ("id",), expand={"metrics": 1, "customer_identifiers": 1}, columns=COLUMNS,
                     description=table_description("One row per message (delivery) sent to one person", ("id",),
                                                   "Customer.io's App API, /v1/messages"))
#: Under the API's 6-month cap per request, with room to spare for month lengths.
WINDOW_DAYS = 180
DAY = 86400
#: Walks to keep busy at once on a long range (the pool has 8 workers), and the shortest window worth a walk.
TARGET_WALKS = 8
MIN_WINDOW = DAY
#: Walk and state key when no type filter is set.
ALL_TYPES = "all"
STATE_NEWEST = "newest_created"
LEGACY_TOKEN_KEY = "message_last_token"
LEGACY_HEADERS_KEY = "message_headers"

log = logging.getLogger(__name__)


def windows(start: int, end: int, pieces: int = 1, days: int = WINDOW_DAYS) -> List[Tuple[int, int]]:
    """Inclusive, back-to-back [from, to] ranges of equal length covering start..end (none when start > end):
    `pieces` of them where each is still at least MIN_WINDOW long, and never one longer than `days`."""
    span = end - start + 1
    if span <= 0:
        return []
    count = max(-(-span // (days * DAY)), min(pieces, span // MIN_WINDOW), 1)
    return [(start + span * i // count, start + span * (i + 1) // count - 1) for i in range(count)]


def when(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


class MessagesExtractor(Extractor):
    name = "messages"
    order = 20

    def __init__(self, client, settings, state: dict, run_started: int, knobs=None):
        super().__init__(client, settings, state, run_started, knobs)
        self.options = settings.messages
        self.marks = Watermarks(self.state.get(self.name), STATE_NEWEST, run_started)

    def tables(self):
        return [MESSAGES]

    def seed_columns(self):
        headers = self.state.get(LEGACY_HEADERS_KEY)
        if isinstance(headers, list):
            columns = [column for column in headers if isinstance(column, str) and column]
            if columns:
                return {MESSAGES.name: columns}
        return {}

    def walk_keys(self) -> List[str]:
        """One key per cursor walk: each requested type the API knows, or `all` when no type is chosen."""
        if not self.options.types:
            return [ALL_TYPES]
        return [kind for kind in self.options.types if kind not in RETIRED_MESSAGE_TYPES]

    def start_for(self, key: str) -> Tuple[int, str]:
        """Where this walk starts, and why (for the log)."""
        newest = self.marks.get(key)
        if not self.options.continue_since_last_run:
            return self.options.since, "the configured `since`"
        if newest is None:
            return self.options.since, "the configured `since` (no earlier run is remembered for it)"
        lookback = self.options.lookback_days
        reason = f"just after the newest message of the last run ({when(newest)})"
        if lookback:
            reason += f" minus {lookback} lookback day(s)"
        return newest + 1 - lookback * DAY, reason

    def walks(self) -> Iterator[Walk]:
        self._explain_settings()
        keys = self.walk_keys()
        pieces = -(-TARGET_WALKS // max(len(keys), 1))
        for key in keys:
            start, reason = self.start_for(key)
            spans = windows(start, self.run_started, pieces)
            if not spans:
                log.info("Messages (%s): nothing to read; the last run already reached %s.", key,
                         when(self.run_started))
                continue
            log.info("Messages (%s): reading %s to %s in %d window(s); start: %s.", key, when(start),
                     when(self.run_started), len(spans), reason)
            for window_start, window_end in spans:
                yield Walk(f"messages {key} {when(window_start)[:10]}..{when(window_end)[:10]}",
                           lambda k=key, s=window_start, e=window_end: self._walk(k, s, e))

    def _explain_settings(self) -> None:
        retired = [kind for kind in self.options.types if kind in RETIRED_MESSAGE_TYPES]
        if retired:
            rest = ("; no other type is selected, so no messages are downloaded" if not self.walk_keys() else "")
            log.warning("Skipping message type %s: Customer.io's API no longer offers it%s.", ", ".join(retired),
                        rest)
        if LEGACY_TOKEN_KEY in self.state:
            log.info("Ignoring `%s` from the original component's state: it resumed from the oldest page already "
                     "read and so never saw new messages; this component continues from the newest message's "
                     "`created` time instead.", LEGACY_TOKEN_KEY)
        if self.options.continue_since_last_run and not self.settings.incremental:
            log.warning("Messages use Continue since last run with Full Load: each run replaces the messages "
                        "table, so it will hold only the messages that appeared since the last run.")

    def _walk(self, key: str, start: int, end: int):
        params = {"start_ts": start, "end_ts": end}
        if key != ALL_TYPES:
            params["type"] = key
        for page in self.client.paginate("/messages", "messages", params=params, limit=PAGE_LIMITS["messages"]):
            newest = None
            for record in page.items:
                if not isinstance(record, dict):
                    continue
                created = record.get("created")
                if isinstance(created, int) and not isinstance(created, bool):
                    newest = created if newest is None else max(newest, created)
                yield MESSAGES, record   # cells are text: a numeric cio_id is written as text
            if newest is not None:
                self.marks.advance(key, newest)

    def new_state(self, skipped=frozenset()) -> Optional[dict]:
        """Per type, the newest `created` seen (never past the run's start); kept as it was when nothing came."""
        return self.marks.state()
