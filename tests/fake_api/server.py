"""A fake Customer.io App API: a real threaded HTTP server on loopback, faithful to customerio-api.md.

Endpoint families live in their own modules and register their routes with `route`. The server adds what
every endpoint shares: bearer auth with the documented 401 body, latency, injected faults (429 with
Retry-After, 5xx, connection resets, truncated bodies, slow responses, the legacy error shape), per-path
forced statuses, canned bodies, and a request log for asserting request counts, page sizes and peak requests
per second.

Shapes real answers take that every endpoint can be switched to (`fake.extras`):
- "numeric_ids": True sends every identifier that is all digits as a JSON number (`"cio_id": 3000001`,
  `"ids": [1, 2]`), as the spec's own examples do in places. Keys named `id`, `*_id` and `*_ids`/`ids` count;
  a leading zero keeps the string (the number would not spell the same id).
- "float_ids": True goes one step further and sends those identifiers, and the ones already numbers, as JSON
  floats (`"id": 2.0`), as a serializer that passed them through a float would.
- "null_empty_lists": True sends an empty top-level list as `null` (`{"exports": null}` is a recorded answer).
`fake.serve(method, path, *bodies)` answers that exact path with the given bodies in turn (the last repeats):
how tests replay response examples that nobody on the team wrote (the real-world corpus). A body that is a `Raw`
is sent as it is, with its own status and content type (a recorded 404 is Go's plain `404 page not found`).
"""
import base64
import json
import random
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

import orjson

API_PREFIX = "/v1"
_ROUTES: List[Tuple[str, "re.Pattern", Callable]] = []


def route(method: str, pattern: str):
    """Register a handler for `METHOD /v1<pattern>`; `{name}` parts become keyword arguments."""
    regex = re.compile("^" + API_PREFIX + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

    def decorator(handler):
        _ROUTES.append((method, regex, handler))
        return handler
    return decorator


class HttpError(Exception):
    """Raised by handlers: becomes a JSON error response in the current documented shape."""

    def __init__(self, status: int, detail: str, legacy: bool = False):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.legacy = legacy          # answer in the legacy shape {"meta":{"error":...}} (transactional contents)


@dataclass(frozen=True)
class Raw:
    """A canned answer sent byte for byte: any status, any text, any content type."""
    status: int
    text: str
    content_type: str = "application/json"


@dataclass
class Faults:
    """Switches for misbehaviour; rates are fractions of API requests (0..1), drawn from a seeded RNG."""
    rate_429: float = 0.0
    retry_after: Optional[str] = "1"          # header value sent with 429 (None: no header, like a daily quota)
    rate_5xx: float = 0.0
    rate_reset: float = 0.0                   # close the connection without an answer
    rate_truncated: float = 0.0               # promise more bytes than sent, then close
    rate_invalid_json: float = 0.0            # a complete 200 whose body is not JSON
    rate_slow: float = 0.0                    # sleep `slow_seconds` before answering (beyond a read timeout)
    slow_seconds: float = 2.0
    rate_empty_page: float = 0.0              # a page with no items that still carries the same position's `next`
    legacy_error_shape: bool = False          # errors as {"meta":{"error":...}}
    latency: float = 0.0                      # seconds added to every API response
    seed: int = 7


@dataclass
class LoggedRequest:
    at: float
    method: str
    path: str
    query: Dict[str, str]
    status: int
    authorization: Optional[str] = None
    body: Optional[dict] = None


class FakeCustomerIo:
    """Owns the data, the faults and the request log; `start()` serves it on 127.0.0.1."""

    def __init__(self, workspace=None, api_key: str = "test-app-key", faults: Optional[Faults] = None):
        from fake_api.workspace import Workspace
        self.workspace = workspace or Workspace()
        self.api_key = api_key
        self.faults = faults or Faults()
        self.forced: Dict[str, List[Tuple[int, int]]] = {}   # path regex -> [(status, remaining count)]
        self.log: List[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._rng = random.Random(self.faults.seed)
        self._rng_lock = threading.Lock()
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self.extras: Dict[str, object] = {}                  # state owned by endpoint modules (exports, ...)
        self.canned: Dict[Tuple[str, str], List[dict]] = {}
        self.clock_offset: float = 0.0                       # seconds added to the fake's clock (see now())

    def now(self) -> float:
        """The fake's clock: time-dependent routes (metrics windows, open buckets) read it; tests shift it."""
        return time.time() + self.clock_offset

    # ------------------------------------------------------------------ lifecycle
    def start(self, port: int = 0) -> "FakeCustomerIo":
        import fake_api.endpoints  # noqa: F401 - registers every route
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-cio", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """What CUSTOMERIO_API_URL should be set to."""
        return self.root + API_PREFIX

    # ------------------------------------------------------------------ test helpers
    def force(self, path_regex: str, status: int, times: int = 10 ** 9) -> None:
        """Answer requests whose path matches with `status` (the next `times` of them)."""
        self.forced.setdefault(path_regex, []).append([status, times])

    def serve(self, method: str, path: str, *bodies: dict) -> None:
        """Answer `METHOD /v1<path>` with these bodies, one per request; the last one keeps answering."""
        self.canned[(method, API_PREFIX + path)] = list(bodies)

    def requests(self, path_regex: str = ".*", method: Optional[str] = None) -> List[LoggedRequest]:
        pattern = re.compile(path_regex)
        with self._log_lock:
            return [r for r in self.log if pattern.search(r.path) and (method is None or r.method == method)]

    def peak_per_second(self, path_regex: str = "^/v1/") -> int:
        """The most requests that arrived in any 1-second window (sliding)."""
        times = sorted(r.at for r in self.requests(path_regex))
        best, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    def stats(self) -> dict:
        """Request figures for benchmarks that run the fake in another process (GET /_admin/stats)."""
        api = self.requests("^/v1/")
        per_second = {}
        for entry in api:
            per_second[int(entry.at)] = per_second.get(int(entry.at), 0) + 1
        span = (api[-1].at - api[0].at) if len(api) > 1 else 0.0
        statuses = {}
        for entry in api:
            statuses[str(entry.status)] = statuses.get(str(entry.status), 0) + 1
        return {"requests": len(api), "statuses": statuses, "span_seconds": span,
                "average_per_second": (len(api) - 1) / span if span else float(len(api)),
                "peak_per_second": self.peak_per_second(), "peak_calendar_second": max(per_second.values(), default=0),
                "limits": sorted({int(e.query["limit"]) for e in api if e.query.get("limit", "").isdigit()})}

    def count(self, event: str) -> None:
        """Tally an injected fault that leaves no trace in the status codes (e.g. an empty page)."""
        with self._log_lock:
            self.extras[event] = self.extras.get(event, 0) + 1

    def chance(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < rate

    def record(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self.log.append(entry)


def reshaped(fake, payload):
    """The answer in the shapes the switches ask for (see the module docstring)."""
    if fake.extras.get("numeric_ids") or fake.extras.get("float_ids"):
        payload = _numeric_ids(payload, number=float if fake.extras.get("float_ids") else int)
    if fake.extras.get("null_empty_lists") and isinstance(payload, dict):
        payload = {key: (None if value == [] else value) for key, value in payload.items()}
    return payload


_DIGITS = re.compile(r"^(0|[1-9][0-9]{0,17})$")


def _as_number(value, number=int):
    if isinstance(value, str) and _DIGITS.match(value):
        return number(int(value))
    if number is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _numeric_ids(node, key: str = "", number=int):
    if isinstance(node, dict):
        return {k: _numeric_ids(v, k, number) for k, v in node.items()}
    if isinstance(node, list):
        if key == "ids" or key.endswith("_ids"):
            return [_as_number(item, number) if not isinstance(item, (dict, list)) else _numeric_ids(item, "", number)
                    for item in node]
        return [_numeric_ids(item, "", number) for item in node]
    if key == "id" or key.endswith("_id"):
        return _as_number(node, number)
    return node


def encode_cursor(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_cursor(token: str) -> dict:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise HttpError(400, "invalid start cursor")


def int_param(query: Dict[str, str], name: str, default: int, maximum: int) -> int:
    """`limit`-style parameters: default when absent, capped at the documented maximum."""
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HttpError(400, f"{name} must be an integer")
    if value < 1:
        raise HttpError(400, f"{name} must be positive")
    return min(value, maximum)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeCustomerIo = None
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body go out in two writes: without this each answer waits ~40 ms

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr logging
        return

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        fake = self.fake
        received = time.monotonic()
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        body = None
        authorization = self.headers.get("Authorization")
        entry = LoggedRequest(received, method, path, query, 0, authorization)
        fake.record(entry)

        if path.startswith("/files/"):
            return self._serve_file(entry, path)
        if path == "/_admin/stats":
            entry.status = 200
            return self._send(200, json.dumps(fake.stats()).encode(), {"Content-Type": "application/json"})

        faults = fake.faults
        if faults.latency:
            time.sleep(faults.latency)
        if authorization != f"Bearer {fake.api_key}":
            return self._error(entry, 401, "Unauthorized request. Make sure that you provided the right credentials.")
        for pattern, plans in fake.forced.items():
            if re.search(pattern, path):
                for plan in plans:
                    if plan[1] > 0:
                        plan[1] -= 1
                        if plan[0] in (301, 302, 307):
                            entry.status = plan[0]
                            return self._send(plan[0], b"", {"Location": "https://beta-api-eu.customer.io" + path})
                        return self._error(entry, plan[0], f"forced {plan[0]}")
        if fake.chance(faults.rate_429):
            headers = {"Retry-After": faults.retry_after} if faults.retry_after is not None else {}
            return self._error(entry, 429, "rate limited to 10 requests per 1s (reference fake)", headers)
        if fake.chance(faults.rate_5xx):
            status = (500, 502, 503)[int(received * 1000) % 3]
            return self._error(entry, status, "internal error (reference fake)")
        if fake.chance(faults.rate_reset):
            entry.status = -1
            return self._reset()
        if fake.chance(faults.rate_slow):
            time.sleep(faults.slow_seconds)

        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                return self._error(entry, 400, "request body is not valid JSON")
        entry.body = body
        canned = fake.canned.get((method, path))
        if canned:
            answer = canned.pop(0) if len(canned) > 1 else canned[0]
            if isinstance(answer, Raw):
                entry.status = answer.status
                return self._send(answer.status, answer.text.encode(), {"Content-Type": answer.content_type})
            return self._json(entry, answer)
        for route_method, regex, handler in _ROUTES:
            match = regex.match(path)
            if match and route_method == method:
                try:
                    result = handler(fake, query=query, body=body, **match.groupdict())
                except HttpError as error:
                    return self._error(entry, error.status, error.detail, legacy=error.legacy)
                return self._json(entry, result)
        if any(regex.match(path) for _, regex, _ in _ROUTES):
            return self._error(entry, 405, f"{method} is not allowed here")
        return self._error(entry, 404, "not found")

    # ------------------------------------------------------------------ responses
    def _json(self, entry: LoggedRequest, payload: dict) -> None:
        fake = self.fake
        payload = reshaped(fake, payload)
        data = orjson.dumps(payload)   # the benchmark's pages are large: encode them fast
        entry.status = 200
        if fake.chance(fake.faults.rate_truncated):
            entry.status = -2
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if fake.chance(fake.faults.rate_invalid_json):
            entry.status = -3
            data = data[: max(1, len(data) // 3)]
        self._send(200, data, {"Content-Type": "application/json"})

    def _error(self, entry: LoggedRequest, status: int, detail: str, headers: Optional[dict] = None,
               legacy: bool = False) -> None:
        entry.status = status
        if legacy or self.fake.faults.legacy_error_shape:
            payload = {"meta": {"error": detail}}
        else:
            payload = {"errors": [{"detail": detail, "status": str(status)}]}
        merged = {"Content-Type": "application/json"}
        merged.update(headers or {})
        self._send(status, json.dumps(payload).encode(), merged)

    def _send(self, status: int, data: bytes, headers: dict) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        # SO_LINGER with zero timeout: close() sends RST, the client sees a connection reset.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _serve_file(self, entry: LoggedRequest, path: str) -> None:
        """Signed export downloads: like a storage bucket, they refuse requests that carry Authorization."""
        files = self.fake.extras.setdefault("files", {})
        if entry.authorization:
            entry.status = 400
            return self._send(400, b"<Error>Only one auth mechanism allowed</Error>",
                              {"Content-Type": "application/xml"})
        content = files.get(path)
        if content is None:
            entry.status = 404
            return self._send(404, b"<Error>NoSuchKey</Error>", {"Content-Type": "application/xml"})
        entry.status = 200
        self._send(200, content, {"Content-Type": "application/octet-stream"})
