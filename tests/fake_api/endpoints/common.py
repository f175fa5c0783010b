"""Cursor pagination and record quirks shared by the fake's list endpoints."""
from typing import Callable, Dict, List

from fake_api.server import decode_cursor, encode_cursor, int_param


def cursor_page(fake, query: Dict[str, str], items_key: str, total: int, items: Callable[[int, int], List[dict]],
                default_limit: int, max_limit: int, extra: Dict = None) -> dict:
    """One page of a sequence of `total` records: `items(offset, count)` builds them.

    `next` is an opaque base64 token, empty on the last page. With the `rate_empty_page` fault a page comes
    back empty but carries a fresh cursor for the same position, as the live API sometimes does.
    """
    limit = int_param(query, "limit", default_limit, max_limit)
    start = query.get("start")
    offset = decode_cursor(start)["o"] if start else 0
    payload = dict(extra or {})
    if fake.chance(fake.faults.rate_empty_page) and offset < total:
        fake.count("empty_pages")
        payload[items_key] = []
        payload["next"] = encode_cursor({"o": offset, "e": fake._rng.random()})
        return payload
    count = max(0, min(limit, total - offset))
    payload[items_key] = items(offset, count) if count else []
    payload["next"] = encode_cursor({"o": offset + count}) if offset + count < total else ""
    return payload


def null_id(fake, record_id: int) -> bool:
    """`fake.extras["null_ids"] = True`: every record whose id is 1 modulo 4 comes with `"id": null`, as the 2025
    spec allows on campaign actions, broadcast actions and transactional contents (Airbyte tests a null one)."""
    return bool(fake.extras.get("null_ids")) and record_id % 4 == 1
