"""Customer.io App API client: session, auth, rate limit, retries, pagination. No tables, no Keboola."""
from customerio.client import ATTRIBUTES_BATCH, PAGE_LIMITS, CustomerIoClient
from customerio.paging import Page
from customerio.regions import REGION_URLS, is_customerio_host, resolve_base_url
from customerio.errors import (ApiError, AuthenticationError, CursorLoopError, CustomerIoError, ForbiddenError,
                               NotFoundError, RedirectError, RetriesExhaustedError, RunCancelled)
from customerio.ratelimit import NoLimit, RateLimiter

__all__ = [
    "ATTRIBUTES_BATCH", "PAGE_LIMITS", "REGION_URLS", "CustomerIoClient", "Page", "is_customerio_host",
    "resolve_base_url",
    "ApiError", "AuthenticationError", "CursorLoopError", "CustomerIoError", "ForbiddenError", "NotFoundError",
    "RedirectError", "RetriesExhaustedError", "RunCancelled", "NoLimit", "RateLimiter",
]
