"""Errors raised by the Customer.io client.

They carry what a user needs to fix the problem; the component turns them into exit codes.
None of them ever includes the API key.
"""


class CustomerIoError(Exception):
    """Base class of every error the client raises."""


class ApiError(CustomerIoError):
    """The API answered with an error the client does not retry (4xx other than 401/403/404/429)."""

    def __init__(self, endpoint: str, status: int, detail: str):
        self.endpoint = endpoint
        self.status = status
        self.detail = detail
        super().__init__(f"Customer.io API answered {status} for {endpoint}: {detail}")


class AuthenticationError(ApiError):
    """401: the key was rejected."""

    def __init__(self, endpoint: str, status: int, detail: str):
        super().__init__(endpoint, status, detail)
        self.args = (
            "Customer.io rejected the API key (401). Check that it is an App API key (not a Track API key), "
            "that the region (us/eu) matches the workspace, and that this machine's IP is on any IP allowlist.",)


class ForbiddenError(ApiError):
    """403: the key is valid but lacks the scope (or the IP is not allowlisted)."""


class NotFoundError(ApiError):
    """404: the object does not exist (e.g. a segment deleted while the run was going)."""


class RedirectError(ApiError):
    """3xx: we never follow redirects with credentials; a redirect usually means the wrong region."""


class RetriesExhaustedError(CustomerIoError):
    """Transient failures (429, 5xx, network, truncated bodies) outlasted the retry budget."""

    def __init__(self, endpoint: str, last_status: str, attempts: int, elapsed: float):
        self.endpoint = endpoint
        self.last_status = last_status
        super().__init__(
            f"Customer.io kept failing for {endpoint} (last status: {last_status}) after {attempts} attempts "
            f"over {elapsed:.0f} s; try again later or lower max_requests_per_second.")


class CursorLoopError(CustomerIoError):
    """The server handed back a cursor it had already given: following it would loop or duplicate rows."""

    def __init__(self, endpoint: str, cursor: str):
        super().__init__(
            f"Customer.io returned the same pagination cursor twice for {endpoint} (cursor {cursor[:40]!r}); "
            f"stopping instead of looping forever.")


class RunCancelled(CustomerIoError):
    """Another part of the run failed; this request was not sent."""
