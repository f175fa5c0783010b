"""Run the fake Customer.io API as its own process: `python tests/fake_api --people 1000 --messages 50000`.

Every size of Workspace has a flag (see SIZES), e.g. `--newsletters 1000 --objects 5000`.

Prints `READY <CUSTOMERIO_API_URL>` once listening; GET <root>/_admin/stats returns request figures.
`--https CA_FILE` serves HTTPS with a certificate made at start and writes its CA there (give it to the
component as REQUESTS_CA_BUNDLE); `--rate-cap 10` refuses, as Customer.io does, arrivals beyond 10 in any
sliding second (429 with Retry-After: 1); `--latency` and `--jitter` delay every answer.
"""
import argparse
import os
import signal
import sys
import threading

_TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [_TESTS, os.path.join(os.path.dirname(_TESTS), "src")]

from fake_api import FakeCustomerIo, Faults, Workspace  # noqa: E402
from fake_api.arrivals import Certificates  # noqa: E402

#: Every Workspace size that has a flag (--long-campaign-steps, --newsletters, ...).
SIZES = ("people", "campaigns", "segments", "messages", "message_span_days", "message_types", "activities",
         "activity_types", "activity_span_days", "activity_unique_keys", "long_campaign_steps", "newsletters",
         "newsletter_span_days", "broadcasts", "long_broadcast_steps", "transactional", "sender_identities",
         "snippets", "collections", "subscription_topics", "subscription_channels", "reporting_webhooks",
         "workspaces", "suppressions", "optouts", "object_types", "objects")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default="demo-app-key")
    for name in SIZES:
        parser.add_argument("--" + name.replace("_", "-"), type=int, default=getattr(Workspace, name))
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API response")
    parser.add_argument("--jitter", type=float, default=0.0, help="up to this many seconds more per response")
    parser.add_argument("--rate-cap", type=int, default=None,
                        help="refuse arrivals beyond this many in any sliding second (429, Retry-After: 1)")
    parser.add_argument("--https", metavar="CA_FILE", default=None,
                        help="serve HTTPS; the CA certificate to trust is written to CA_FILE")
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--rate-5xx", type=float, default=0.0)
    parser.add_argument("--rate-reset", type=float, default=0.0)
    parser.add_argument("--retry-after", default="1")
    args = parser.parse_args(argv)
    workspace = Workspace(**{name: getattr(args, name) for name in SIZES})
    faults = Faults(latency=args.latency, jitter=args.jitter, rate_cap=args.rate_cap, rate_429=args.rate_429,
                    rate_5xx=args.rate_5xx, rate_reset=args.rate_reset, retry_after=args.retry_after)
    certificates = Certificates(ca_file=args.https) if args.https else None
    fake = FakeCustomerIo(workspace, api_key=args.api_key, faults=faults, certificates=certificates).start(args.port)
    print(f"READY {fake.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
