"""The Customer.io client against the fake API: pagination edge cases, retries, rate limit, error mapping."""
import threading
import time

import pytest

from customerio import (AuthenticationError, CursorLoopError, CustomerIoClient, ForbiddenError, NoLimit, NotFoundError,
                        RedirectError, RetriesExhaustedError, is_customerio_host, resolve_base_url)
from customerio.client import error_detail, parse_retry_after
from customerio.regions import REGION_URLS
from fake_api import HttpError, route

KEY = "test-app-key"


# Scripted pages for pagination edge cases: fake.extras["script"] is a list of page bodies, served in order.
@route("GET", "/_test/pages")
def scripted_pages(fake, query, body):
    fake.extras.setdefault("seen_starts", []).append(query.get("start"))
    script = fake.extras["script"]
    index = fake.extras.get("index", 0)
    fake.extras["index"] = index + 1
    if index >= len(script):
        raise HttpError(500, "script exhausted")
    return script[index]


@route("POST", "/_test/search")
def scripted_search(fake, query, body):
    fake.extras.setdefault("search_calls", []).append((dict(query), body))
    offset = int(query.get("start") or 0)
    items = list(range(offset, min(offset + int(query["limit"]), 25)))
    return {"items": items, "next": str(offset + len(items)) if offset + len(items) < 25 else ""}


def make_client(fake, **options) -> CustomerIoClient:
    options.setdefault("backoff_base", 0.01)
    options.setdefault("max_retry_seconds", 5)
    return CustomerIoClient(options.pop("key", KEY), fake.url, **options)


def test_paginates_until_next_is_empty_and_passes_the_cursor_verbatim(fake):
    fake.extras["script"] = [{"items": [1, 2], "next": "Yz0x+/=="}, {"items": [3], "next": ""}]
    client = make_client(fake)
    pages = list(client.paginate("/_test/pages", "items", limit=2))
    assert [p.items for p in pages] == [[1, 2], [3]]
    assert fake.extras["seen_starts"] == [None, "Yz0x+/=="]
    assert all(r.query["limit"] == "2" for r in fake.requests("/_test/pages"))


def test_missing_next_ends_the_walk(fake):
    fake.extras["script"] = [{"items": [1]}]
    assert [p.items for p in make_client(fake).paginate("/_test/pages", "items")] == [[1]]


def test_null_items_are_an_empty_page(fake):
    fake.extras["script"] = [{"items": None, "next": ""}]
    assert [p.items for p in make_client(fake).paginate("/_test/pages", "items")] == [[]]


def test_empty_page_with_a_fresh_cursor_is_followed(fake):
    fake.extras["script"] = [{"items": [1], "next": "a"}, {"items": [], "next": "b"}, {"items": [2], "next": ""}]
    pages = list(make_client(fake).paginate("/_test/pages", "items"))
    assert [item for page in pages for item in page.items] == [1, 2]


def test_where_an_empty_page_ends_the_list_a_trailing_token_is_not_followed(fake):
    fake.extras["script"] = [{"items": [1], "next": "a"}, {"items": [], "next": "b"}, {"items": [2], "next": ""}]
    pages = list(make_client(fake).paginate("/_test/pages", "items", empty_page_ends=True))
    assert [item for page in pages for item in page.items] == [1]
    assert len(fake.requests("/_test/pages")) == 2


def test_empty_page_with_a_stuck_cursor_ends_the_walk(fake):
    fake.extras["script"] = [{"items": [1], "next": "a"}, {"items": [], "next": "a"}]
    pages = list(make_client(fake).paginate("/_test/pages", "items"))
    assert [item for page in pages for item in page.items] == [1]
    assert len(fake.requests("/_test/pages")) == 2


def test_endless_empty_pages_stop_after_a_bound(fake):
    fake.extras["script"] = [{"items": [], "next": f"c{i}"} for i in range(50)]
    pages = list(make_client(fake).paginate("/_test/pages", "items"))
    assert 1 < len(pages) <= 10


def test_a_repeated_cursor_with_data_is_a_loud_failure(fake):
    fake.extras["script"] = [{"items": [1], "next": "a"}, {"items": [2], "next": "b"}, {"items": [3], "next": "a"}]
    with pytest.raises(CursorLoopError, match="same pagination cursor twice"):
        list(make_client(fake).paginate("/_test/pages", "items"))


def test_post_pagination_keeps_start_and_limit_in_the_query_string(fake):
    client = make_client(fake)
    body = {"filter": {"attribute": {"field": "cio_id", "operator": "exists"}}}
    items = [i for page in client.paginate("/_test/search", "items", method="POST", json_body=body, limit=10)
             for i in page.items]
    assert items == list(range(25))
    calls = fake.extras["search_calls"]
    assert [q.get("start") for q, _ in calls] == [None, "10", "20"]
    assert all(b == body for _, b in calls)


def test_bearer_auth_and_explicit_timeouts(fake, monkeypatch):
    client = make_client(fake, connect_timeout=3, read_timeout=7)
    seen = {}
    original = client.session.request

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(client.session, "request", spy)
    client.get("/segments")
    assert seen["timeout"] == (3, 7)
    assert seen["allow_redirects"] is False
    assert fake.requests("/segments")[0].authorization == f"Bearer {KEY}"


def test_401_explains_key_type_region_and_allowlist(fake):
    with pytest.raises(AuthenticationError) as raised:
        make_client(fake, key="wrong").get("/segments")
    message = str(raised.value)
    assert "App API key" in message and "Track API key" in message and "region" in message
    assert "allowlist" in message and "wrong" not in message


@pytest.mark.parametrize("legacy", [False, True])
def test_403_and_404_carry_the_detail_of_either_error_shape(fake, legacy):
    fake.faults.legacy_error_shape = legacy
    fake.force("^/v1/activities$", 403)
    with pytest.raises(ForbiddenError) as raised:
        make_client(fake).get("/activities")
    assert raised.value.detail == "forced 403"
    with pytest.raises(NotFoundError):
        make_client(fake).get("/segments/999")


def test_redirect_is_never_followed(fake):
    fake.force("^/v1/segments$", 301)
    with pytest.raises(RedirectError, match="region"):
        make_client(fake).get("/segments")
    assert len(fake.requests("^/v1/segments$")) == 1


def test_429_waits_for_retry_after_then_succeeds(fake):
    fake.faults.retry_after = "0.4"
    fake.faults.rate_429 = 1.0
    client = make_client(fake)
    threading.Timer(0.1, lambda: setattr(fake.faults, "rate_429", 0.0)).start()
    started = time.monotonic()
    assert "campaigns" in client.get("/campaigns")
    assert time.monotonic() - started >= 0.4
    assert client.retry_count >= 1


@pytest.mark.parametrize("fault", ["rate_5xx", "rate_reset", "rate_truncated", "rate_invalid_json"])
def test_transient_failures_are_retried(fake, fault):
    setattr(fake.faults, fault, 0.5)
    client = make_client(fake, max_tries=30)
    for _ in range(10):
        assert "segments" in client.get("/segments")
    assert client.retry_count > 0


def test_slow_response_beyond_the_read_timeout_is_retried(fake):
    fake.faults.rate_slow, fake.faults.slow_seconds = 0.5, 1.0
    client = make_client(fake, read_timeout=0.3, max_tries=30)
    for _ in range(4):
        assert "segments" in client.get("/segments")


def test_retries_exhausted_names_endpoint_and_last_status(fake):
    fake.force("^/v1/segments$", 503)
    client = make_client(fake, max_tries=3)
    with pytest.raises(RetriesExhaustedError) as raised:
        client.get("/segments")
    assert "GET /segments" in str(raised.value) and "503" in str(raised.value)
    assert len(fake.requests("^/v1/segments$")) == 3


def test_retries_stop_within_the_time_budget(fake):
    fake.force("^/v1/segments$", 500)
    client = make_client(fake, max_tries=1000, max_retry_seconds=0.5, backoff_base=0.05)
    with pytest.raises(RetriesExhaustedError):
        client.get("/segments")
    # waits of 0.025-0.05, 0.05-0.1, ... s: the time budget, not max_tries, stopped it (a slower machine tries less)
    assert 2 <= len(fake.requests("^/v1/segments$")) < 12


def test_429_without_retry_after_backs_off_exponentially(fake):
    fake.faults.retry_after = None
    fake.force("^/v1/segments$", 429)
    client = make_client(fake, max_tries=4)
    with pytest.raises(RetriesExhaustedError, match="429"):
        client.get("/segments")


def test_signed_download_has_no_authorization(fake, tmp_path):
    fake.extras["files"] = {"/files/export.csv": b"cio_id\na1\n"}
    client = make_client(fake)
    target = tmp_path / "export.csv"
    assert client.download(fake.root + "/files/export.csv", str(target)) == 10
    assert target.read_bytes() == b"cio_id\na1\n"
    assert fake.requests("^/files/")[0].authorization is None


def test_every_request_of_the_client_goes_through_its_limiter(fake):
    # 9 requests at 4 per window need three windows: at least two full window lengths from first to last.
    client = make_client(fake, max_requests_per_second=4)
    started = time.monotonic()
    for _ in range(9):
        client.get("/segments")
    assert time.monotonic() - started >= 2 * client.limiter.window


def test_base_url_by_region_and_override(monkeypatch):
    assert resolve_base_url("us", environ={}) == "https://api.customer.io/v1"
    assert resolve_base_url("eu", environ={}) == "https://api-eu.customer.io/v1"
    assert all(url.startswith("https://") for url in REGION_URLS.values())
    assert resolve_base_url("eu", environ={"CUSTOMERIO_API_URL": "http://127.0.0.1:9/v1/"}) == "http://127.0.0.1:9/v1"


def test_retry_after_parsing():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("100000") == 300.0


class _Response:
    def __init__(self, body, text="", reason="Bad"):
        self._body, self.text, self.reason = body, text, reason

    def json(self):
        if self._body is None:
            raise ValueError("no json")
        return self._body


def test_error_detail_reads_every_shape():
    assert error_detail(_Response({"errors": [{"detail": "bad filter", "status": "400"}]})) == "bad filter"
    assert error_detail(_Response({"meta": {"error": "old shape"}})) == "old shape"
    assert error_detail(_Response({"error": "singer shape"})) == "singer shape"
    assert error_detail(_Response(None, text="<html>oops</html>")) == "<html>oops</html>"
    assert error_detail(_Response(None)) == "Bad"


def test_test_knobs_never_apply_to_customerio_hosts():
    from configuration.knobs import Knobs, read_knobs
    environ = {"CUSTOMERIO_RATE_LIMIT": "off", "CUSTOMERIO_BACKOFF_BASE": "0.01", "CUSTOMERIO_READ_TIMEOUT": "1",
               "CUSTOMERIO_EXPORT_POLL_SECONDS": "0.1", "CUSTOMERIO_CLOCK_OFFSET": "3600", "CUSTOMERIO_WORKERS": "3"}
    for url in REGION_URLS.values():
        assert is_customerio_host(url) and is_customerio_host(url + "/")
        assert read_knobs(url, environ=environ) == Knobs(workers=3)
        assert read_knobs(url, environ=environ).client_options() == {}
    knobs = read_knobs("http://127.0.0.1:9/v1", environ=environ)
    options = knobs.client_options()
    assert not knobs.rate_limit and "limiter" not in options
    from component import Component
    assert isinstance(Component.client("key", "us", knobs=knobs, base_url="http://127.0.0.1:9/v1").limiter, NoLimit)
    assert options["backoff_base"] == 0.01 and options["read_timeout"] == 1.0
    assert (knobs.export_poll_seconds, knobs.clock_offset, knobs.workers) == (0.1, 3600.0, 3)
    assert read_knobs("http://127.0.0.1:9/v1", environ={"CUSTOMERIO_WORKERS": "x"}) == Knobs()
