"""The one HTTP client every dataset uses: auth, rate limit, retries, errors; pagination is in paging.py.

It knows the Customer.io App API and nothing about tables or Keboola.
"""
import contextlib
import email.utils
import logging
import random
import threading
import time
from typing import Iterator, Optional
from urllib.parse import urlsplit

import backoff
import orjson
import requests
import requests.auth
import urllib3

from customerio.errors import (ApiError, AuthenticationError, ForbiddenError, NotFoundError, RedirectError,
                               RetriesExhaustedError, RunCancelled)
from customerio import paging
from customerio.paging import Page
from customerio.ratelimit import RateLimiter
from customerio.transport import BudgetedAdapter

# Documented maximum page sizes (customerio-api.md section 3): fewer requests per row.
PAGE_LIMITS = {
    "messages": 1000,
    "activities": 100,
    "segment_membership": 30000,
    "customer_search": 1000,
}
ATTRIBUTES_BATCH = 100

log = logging.getLogger(__name__)


class _Transient(Exception):
    """A failure worth retrying; `status` names it for the final error message."""

    def __init__(self, status: str, retry_after: Optional[float] = None):
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds from a Retry-After header (delta-seconds, also fractional, or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), 300.0)


def error_detail(response: requests.Response) -> str:
    """A readable message from any of Customer.io's error body shapes."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            details = [str(e.get("detail") or e.get("message") or e) for e in errors if isinstance(e, dict)]
            return "; ".join(details)
        meta = body.get("meta")
        if isinstance(meta, dict) and meta.get("error"):
            return str(meta["error"])
        if body.get("error"):
            return str(body["error"])
    text = (response.text or "").strip()
    return text[:200] if text else (response.reason or "no details")


@contextlib.contextmanager
def _network_errors():
    """Timeouts, resets and bodies cut short, from requests or from reading the raw body: worth a retry."""
    try:
        yield
    except (requests.Timeout, urllib3.exceptions.TimeoutError):
        raise _Transient("timeout")
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError, urllib3.exceptions.HTTPError) as exc:
        raise _Transient(f"connection error ({type(exc).__name__})")


class BearerAuth(requests.auth.AuthBase):
    """The App API key as a bearer header (an auth object also spares requests a ~/.netrc lookup per call)."""

    def __init__(self, api_key: str):
        self._header = f"Bearer {api_key}"

    def __call__(self, request):
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self):
        return "BearerAuth(<hidden>)"


class CustomerIoClient:
    def __init__(self, api_key: str, base_url: str, *, max_requests_per_second: int = 10,
                 limiter=None, connect_timeout: float = 10.0, read_timeout: float = 60.0,
                 max_retry_seconds: float = 600.0, max_tries: int = 12,
                 backoff_base: float = 1.0, backoff_cap: float = 60.0,
                 cancel_event: Optional[threading.Event] = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.max_retry_seconds = max_retry_seconds
        self.max_tries = max_tries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.limiter = limiter or RateLimiter(max_requests_per_second)
        self.cancel_event = cancel_event or threading.Event()
        self.session = requests.Session()
        self.session.auth = BearerAuth(api_key)
        self.session.headers.update({"Accept": "application/json", "User-Agent": "keboola-ex-customer-io"})
        # Every API request takes its slot of the one limiter as it goes out (transport.py), never before.
        adapter = BudgetedAdapter(self.limiter, pool_connections=4, pool_maxsize=32, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self._downloads = requests.Session()  # no Authorization header, ever: signed URLs
        self._stats_lock = threading.Lock()
        self.request_count = 0
        self.retry_count = 0

    # ------------------------------------------------------------------ requests
    def get(self, path: str, params: Optional[dict] = None) -> dict:
        return self.request("GET", path, params=params)

    def post(self, path: str, json_body=None, params: Optional[dict] = None) -> dict:
        return self.request("POST", path, params=params, json_body=json_body)

    def request(self, method: str, path: str, *, params: Optional[dict] = None, json_body=None) -> dict:
        """One API call with the shared rate limit and bounded retries; returns the JSON object."""
        endpoint = f"{method} {path}"
        return self._retrying(endpoint, lambda: self._send_once(method, path, endpoint, params, json_body))

    def _retrying(self, endpoint: str, attempt):
        """`attempt()` again while it raises _Transient, within max_tries and max_retry_seconds."""
        tries = {"n": 0}
        started = time.monotonic()

        def once():
            if self.cancel_event.is_set():
                raise RunCancelled(endpoint)
            tries["n"] += 1
            return attempt()

        def on_backoff(details):
            with self._stats_lock:
                self.retry_count += 1
            log.info("%s answered %s; retry %d in %.1f s.", endpoint, details["exception"].status, details["tries"],
                     details["wait"])

        retried = backoff.on_exception(self._wait_gen, _Transient, max_tries=self.max_tries,
                                       max_time=self.max_retry_seconds, jitter=None, on_backoff=on_backoff,
                                       logger=None)(once)
        try:
            return retried()
        except _Transient as exc:
            raise RetriesExhaustedError(endpoint, exc.status, tries["n"], time.monotonic() - started) from None

    def _wait_gen(self):
        attempt = 0
        exc = yield
        while True:
            if exc is not None and exc.retry_after is not None:
                wait = exc.retry_after
            else:
                ceiling = min(self.backoff_cap, self.backoff_base * 2 ** attempt)
                wait = random.uniform(ceiling / 2, ceiling)
            attempt += 1
            exc = yield wait

    def _send_once(self, method, path, endpoint, params, json_body) -> dict:
        with self._stats_lock:
            self.request_count += 1
        with _network_errors():
            # stream=True: the body is read below in one call instead of 10 KB chunks (pages reach megabytes).
            response = self.session.request(method, self.base_url + path, params=params, json=json_body,
                                            timeout=self.timeout, allow_redirects=False, stream=True)
        with response:
            return self._answer(response, endpoint)

    def _answer(self, response: requests.Response, endpoint: str) -> dict:
        status = response.status_code
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                self.limiter.pause(retry_after)
            raise _Transient("429", retry_after)
        if status >= 500:
            raise _Transient(str(status))
        if 300 <= status < 400:
            target = urlsplit(response.headers.get("Location", "")).netloc or "another address"
            raise RedirectError(endpoint, status,
                                f"the API redirected to {target}; check that the region (us/eu) matches the "
                                f"workspace")
        if status >= 400:
            try:
                detail = error_detail(response)
            except requests.RequestException:
                detail = "the error body could not be read"
            error_class = {401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError}.get(status, ApiError)
            raise error_class(endpoint, status, detail)
        with _network_errors():     # a body cut short, a reset or a timeout while reading
            content = response.raw.read(decode_content=True)
        try:
            body = orjson.loads(content)
        except ValueError:  # orjson.JSONDecodeError is a ValueError
            raise _Transient(f"{status} with an invalid or truncated JSON body")
        if not isinstance(body, dict):
            raise _Transient(f"{status} with a JSON body that is not an object")
        return body

    # ------------------------------------------------------------------ pagination
    def paginate(self, path: str, items_key: str, *, method: str = "GET", params: Optional[dict] = None,
                 json_body=None, limit: Optional[int] = None, read_ahead: bool = True,
                 empty_page_ends: bool = False) -> Iterator[Page]:
        """Follow `start`/`next` cursors; on POST they stay in the query string.

        Ends on a missing or empty `next`, and with `empty_page_ends` on any empty page (most wave-2 lists send a
        token after their last page). Otherwise an empty page carrying a fresh cursor is followed (membership and
        messages send those mid-walk), but a stuck cursor on an empty page ends the walk, and so do
        MAX_EMPTY_PAGES empty pages in a row. A cursor handed back twice with data would duplicate rows: that
        is a CursorLoopError.

        With `read_ahead`, the next page is requested while the caller works on the current one, so the
        network wait overlaps the processing. A caller that may stop early (and so would waste that one
        request) passes read_ahead=False.
        """
        pages = paging.cursor_walk(self.request, path, items_key, method, params, json_body, limit, empty_page_ends)
        return paging.read_ahead(pages, self.cancel_event) if read_ahead else pages

    # ------------------------------------------------------------------ signed downloads
    def download(self, url: str, destination: str) -> int:
        """Stream a signed URL to a file without the Authorization header; returns bytes written."""
        endpoint = f"GET {urlsplit(url).netloc}{urlsplit(url).path} (signed download)"

        def fetch():
            written = 0
            with _network_errors(), self._downloads.get(url, stream=True, timeout=self.timeout) as response:
                if response.status_code >= 500 or response.status_code == 429:
                    raise _Transient(str(response.status_code))
                if response.status_code >= 400:
                    raise ApiError(endpoint, response.status_code, error_detail(response))
                with open(destination, "wb") as out:
                    for chunk in response.iter_content(chunk_size=1 << 20):
                        out.write(chunk)
                        written += len(chunk)
            return written

        return self._retrying(endpoint, fetch)

    def close(self) -> None:
        self.session.close()
        self._downloads.close()
