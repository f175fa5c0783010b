"""Pagination of the App API: `start`/`next` cursor walks with their guards, and reading one page ahead.

A walk ends on a missing or empty `next` (and, for most wave-2 lists, on any empty page). An empty page with a
fresh cursor is followed (membership and messages send those mid-walk), a stuck cursor on an empty page or
MAX_EMPTY_PAGES empty pages in a row end it, and a cursor handed back twice on a page with data stops the run
(CursorLoopError) instead of looping or duplicating rows.
"""
import logging
import queue
import threading
from typing import Iterator, NamedTuple

from customerio.errors import CursorLoopError, RunCancelled

# Consecutive empty pages that still carry a fresh cursor before we call the walk finished.
MAX_EMPTY_PAGES = 10

log = logging.getLogger(__name__)


class Page(NamedTuple):
    items: list
    body: dict


def cursor_walk(request, path, items_key, method, params, json_body, limit, empty_page_ends) -> Iterator[Page]:
    """The pages of one `start`/`next` walk, each fetched by `request(method, path, params=..., json_body=...)`."""
    base_params = dict(params or {})
    if limit:
        base_params["limit"] = limit
    seen = set()
    cursor = None
    empty_streak = 0
    endpoint = f"{method} {path}"
    while True:
        page_params = dict(base_params)
        if cursor:
            page_params["start"] = cursor
        body = request(method, path, params=page_params, json_body=json_body)
        items = body.get(items_key) or []
        yield Page(items, body)
        next_cursor = body.get("next")
        if not next_cursor or (empty_page_ends and not items):
            return
        if not items:
            if next_cursor in seen:
                log.debug("%s: empty page with a cursor already followed; walk finished.", endpoint)
                return
            empty_streak += 1
            if empty_streak >= MAX_EMPTY_PAGES:
                log.warning("%s: %d empty pages in a row; treating the walk as finished.", endpoint,
                            empty_streak)
                return
        else:
            empty_streak = 0
            if next_cursor in seen:
                raise CursorLoopError(endpoint, str(next_cursor))
        seen.add(next_cursor)
        cursor = next_cursor


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


_END = object()


def read_ahead(pages: Iterator[Page], cancel: threading.Event) -> Iterator[Page]:
    """Pages from `pages`, fetched one ahead of the consumer in a helper thread."""
    handoff: "queue.Queue" = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item) -> bool:
        while not (stop.is_set() or cancel.is_set()):
            try:
                handoff.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for page in pages:
                if not offer(page):
                    return
            offer(_END)
        except BaseException as error:  # noqa: B902 - handed to the consumer, which raises it
            offer(_Failed(error))
        finally:
            pages.close()

    threading.Thread(target=produce, name="read-ahead", daemon=True).start()
    try:
        while True:
            try:
                item = handoff.get(timeout=0.2)
            except queue.Empty:
                if cancel.is_set():
                    raise RunCancelled("read-ahead")
                continue
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
