"""Record shapes that differ from "a list of objects under the wrapper key": the catalogue's select and shape hooks.

`select(body)` gives the records of an answer; `shape(record, partition)` gives the rows of one record (none,
one, or several). They know the API's quirks (customerio-api*.md) and nothing about files or tables.
"""
import logging
import re
from typing import Iterable, Iterator, Optional

from customerio.ids import id_text

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------- segment membership
def membership_people(body: dict) -> list:
    """Members of one membership page: `identifiers`; very old workspaces answer only with `ids`."""
    people = body.get("identifiers")
    if people:
        return people
    ids = body.get("ids")
    if people is None and ids:
        log.warning("Segment %s membership came without `identifiers`, with `ids` alone: its members have no cio_id "
                    "(segment_members' key) and are left out.", id_text(body.get("segment_id")) or "?")
        return [{"cio_id": None, "id": person_id, "email": None} for person_id in ids]
    return []


def member(record: dict, partition=None) -> Iterator[dict]:
    """A member's identifiers only (the membership answer repeats nothing else worth a column)."""
    yield {"cio_id": id_text(record.get("cio_id")), "id": id_text(record.get("id")), "email": record.get("email")}


# ---------------------------------------------------------------------------------------------- segment usage
USED_BY_TYPES = (("campaigns", "campaign"), ("sent_newsletters", "sent_newsletter"),
                 ("draft_newsletters", "draft_newsletter"))


def segment_usage(body: dict) -> list:
    """One row per reference. The spec nests the arrays in `used_by`; a peer's fixture puts `segment_id` in there
    too: the arrays are read wherever they are, the segment comes from the request path."""
    used_by = body.get("used_by") if isinstance(body.get("used_by"), dict) else body
    rows = []
    for key, kind in USED_BY_TYPES:
        for used_by_id in used_by.get(key) or []:
            text = id_text(used_by_id)
            if text is not None:
                rows.append({"used_by_type": kind, "used_by_id": text})
    return rows


# ---------------------------------------------------------------------------------------------- segment sizes
def segment_count(body: dict) -> list:
    """`{"segment_id": 7, "count": 1234}` as one row with the count (the segment comes from the request path); an
    answer without a whole-number count gives no row, with a warning."""
    count = body.get("count") if isinstance(body, dict) else None
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int):
        log.warning("Segment %s answered customer_count without a count (%r); no size is recorded for it this run.",
                    id_text(body.get("segment_id")) if isinstance(body, dict) else "?", count)
        return []
    return [{"count": count}]


# ---------------------------------------------------------------------------------------------- settings
def sender_once(record: dict, partition=None) -> Iterator[dict]:
    """A sender as read from the `hidden=false` list first, then from `hidden=true` (the resource drops the second
    copy of a sender both lists hold). Live, each list holds only its own kind and every record has `hidden`; the
    spec's example has no `hidden` and its text says `hidden=true` *includes* hidden senders. A record without the
    flag takes it from the first list that holds it: visible from `hidden=false`, hidden when only `hidden=true`
    has it."""
    if isinstance(record.get("hidden"), bool) or partition is None:
        yield record
    else:
        yield {**record, "hidden": partition.name == "hidden"}


#: Where a URL's authority starts: after `scheme://` (any scheme, any case), after `//` alone, and for the schemes
#: browsers parse leniently (WHATWG "special" schemes) also after `https:`, `https:/` or backslashes.
_AUTHORITY_START = re.compile(r"^[\x00-\x20]*(?:(?:https?|wss?|ftp):[/\\]*|(?:[a-z][a-z0-9+.-]*:)?//)",
                              re.IGNORECASE)
#: The authority runs to the first `/`, `?` or `#` (RFC 3986 3.2; Go's net/url and Python's urlsplit agree).
_AUTHORITY_END = re.compile(r"[/?#]")


def without_credentials(url) -> Optional[str]:
    """A URL without its userinfo (`user:password@`), as URL parsers read it: the userinfo is everything in the
    authority up to its LAST `@`, so a raw `@` in the password goes too; an `@` in the path, query or fragment is
    no userinfo and stays. Anything but a string is returned as it is."""
    if not isinstance(url, str) or "@" not in url:
        return url
    start = _AUTHORITY_START.match(url)
    if start is None:
        return url
    head = start.end()
    end = _AUTHORITY_END.search(url, head)
    end = end.start() if end else len(url)
    at = url.rfind("@", head, end)
    return url if at < 0 else url[:head] + url[at + 1:]


def webhook_without_credentials(record: dict, partition=None) -> Iterator[dict]:
    yield {**record, "endpoint": without_credentials(record.get("endpoint"))}


# ---------------------------------------------------------------------------------------------- objects
def relationship_items(body: dict) -> list:
    """Related people of one page. The spec's own example wraps each item in one more array (`[[{...}]]`): items
    are read at either depth."""
    items = []
    for item in body.get("cio_relationships") or []:
        items.extend(item if isinstance(item, list) else (item,))
    return items


# ---------------------------------------------------------------------------------------------- opt-outs
def optout_rows(record: dict, partition=None) -> Iterable[dict]:
    """One row per person, channel and sender: `{cio_id, customer_id, optouts: [{channel, from}]}` flattened."""
    cio_id = id_text(record.get("cio_id"))
    for entry in record.get("optouts") or []:
        if isinstance(entry, dict) and cio_id is not None:
            yield {"cio_id": cio_id, "customer_id": id_text(record.get("customer_id")),
                   "channel": entry.get("channel"), "from": entry.get("from")}
