"""Reading one catalogue resource through every paging style, against a scripted client."""
import pytest

from customerio import CursorLoopError
from customerio.resources import BY_TABLE, CURSOR, NONE, OFFSET, Resource
from extractors.reading import records


class Scripted:
    """Answers GETs from a list of bodies, one per request, and remembers the requests."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.calls = []

    def request(self, method, path, params=None, json_body=None):
        self.calls.append((method, path, dict(params or {}), json_body))
        return self.bodies.pop(0)

    def get(self, path, params=None):
        return self.request("GET", path, params)


def test_one_request_and_a_null_list_is_no_records():
    resource = Resource("t", "d", "/things", "things", "things", paging=NONE)
    assert list(records(Scripted({"things": None}), resource, "/things")) == []
    assert list(records(Scripted({"things": [{"id": 1}, "junk"]}), resource, "/things")) == [{"id": 1}]


def test_offset_pages_until_a_short_page_or_null():
    resource = BY_TABLE["esp_suppressions"]
    full = [{"email": f"a{n}@x"} for n in range(1000)]
    client = Scripted({"suppressions": full}, {"suppressions": [{"email": "last@x"}]})
    assert len(list(records(client, resource, "/esp/suppression/bounces"))) == 1001
    assert [call[2] for call in client.calls] == [{"limit": 1000}, {"limit": 1000, "offset": 1000}]
    client = Scripted({"suppressions": full}, {"suppressions": None, "category": None})
    assert len(list(records(client, resource, "/esp/suppression/bounces"))) == 1000 and len(client.calls) == 2


def test_an_offset_endpoint_that_ignores_the_offset_stops_the_run():
    resource = BY_TABLE["esp_suppressions"]
    page = {"suppressions": [{"email": f"a{n}@x"} for n in range(1000)]}
    with pytest.raises(CursorLoopError):
        list(records(Scripted(page, page, page), resource, "/esp/suppression/bounces"))


def test_cursor_resources_pass_their_paging_options_to_the_client():
    seen = {}

    class Paginating:
        def paginate(self, path, items, **options):
            seen.update(options, path=path, items=items)
            yield type("Page", (), {"body": {"identifiers": [{"cio_id": "a"}]}})()

    assert list(records(Paginating(), BY_TABLE["segment_members"], "/segments/1/membership")) == [{"cio_id": "a"}]
    assert seen["limit"] == 30000 and seen["empty_page_ends"] is False and seen["read_ahead"] is False
    list(records(Paginating(), BY_TABLE["sender_identities"], "/sender_identities", {"hidden": "true"}))
    assert seen["empty_page_ends"] is True and seen["params"] == {"hidden": "true"}
    assert BY_TABLE["sender_identities"].paging == CURSOR and BY_TABLE["esp_suppressions"].paging == OFFSET
