"""Reading one catalogue resource: the records of every page, whatever its paging style.

- none: one request, the records under the wrapper key (or what the resource's `select` hook finds);
- cursor: `start`/`next` through the client's paginator (it guards against loops and empty-page streaks);
- offset: `limit` and `offset` until a short page or a `null` list (ESP suppressions); a page that repeats the
  previous one exactly would loop forever, so it stops the run instead.
"""
from typing import Iterator, Optional

import orjson

from customerio import CursorLoopError
from customerio.resources import CURSOR, NONE, OFFSET, Resource


def records(client, resource: Resource, path: str, params: Optional[dict] = None, method: str = "GET",
            body=None) -> Iterator[dict]:
    params = {**resource.params, **(params or {})}
    if resource.paging == NONE:
        yield from _records(resource, client.request(method, path, params=params or None, json_body=body))
    elif resource.paging == CURSOR:
        for page in client.paginate(path, resource.items, method=method, params=params, json_body=body,
                                    limit=resource.limit, read_ahead=resource.read_ahead,
                                    empty_page_ends=resource.empty_page_ends):
            yield from _records(resource, page.body)
    elif resource.paging == OFFSET:
        yield from _offset_pages(client, resource, path, params)
    else:
        raise ValueError(f"unknown paging style {resource.paging!r} of {resource.table}")


def _records(resource: Resource, body: dict):
    found = resource.select(body) if resource.select else body.get(resource.items)
    return [record for record in found or [] if isinstance(record, dict)]


def _offset_pages(client, resource: Resource, path: str, params: dict) -> Iterator[dict]:
    offset, previous = 0, None
    while True:
        page_params = dict(params, limit=resource.limit)
        if offset:
            page_params["offset"] = offset
        found = _records(resource, client.get(path, page_params))
        if not found:
            return
        digest = orjson.dumps(found)
        if digest == previous:
            raise CursorLoopError(f"GET {path}", f"offset {offset}")
        previous = digest
        yield from found
        if len(found) < resource.limit:
            return
        offset += len(found)
