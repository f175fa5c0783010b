"""Where the App API lives: the two regions, and the one override the tests, the demo and the benchmark use."""
import logging
import os
from urllib.parse import urlsplit

REGION_URLS = {
    "us": "https://api.customer.io/v1",
    "eu": "https://api-eu.customer.io/v1",
}
BASE_URL_ENV = "CUSTOMERIO_API_URL"

log = logging.getLogger(__name__)


def resolve_base_url(region: str, environ=os.environ) -> str:
    """The region's https URL, unless CUSTOMERIO_API_URL overrides it (tests, demo, benchmark)."""
    override = environ.get(BASE_URL_ENV, "").strip()
    if override:
        log.info("Using the Customer.io API at %s (set by %s).", urlsplit(override).netloc, BASE_URL_ENV)
        return override.rstrip("/")
    return REGION_URLS[region]


def is_customerio_host(base_url: str) -> bool:
    """Whether `base_url` is one of Customer.io's real regions (test knobs never apply there)."""
    return base_url.rstrip("/") in REGION_URLS.values()
