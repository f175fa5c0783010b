"""Run the fake Customer.io API as its own process: `python tests/fake_api --people 1000 --messages 50000`.

Every size of Workspace has a flag (see SIZES), e.g. `--newsletters 1000 --objects 5000`.

Prints `READY <CUSTOMERIO_API_URL>` once listening; GET <root>/_admin/stats returns request figures.
"""
import argparse
import os
import signal
import sys
import threading

_TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [_TESTS, os.path.join(os.path.dirname(_TESTS), "src")]

from fake_api import FakeCustomerIo, Faults, Workspace  # noqa: E402

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
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--rate-5xx", type=float, default=0.0)
    parser.add_argument("--rate-reset", type=float, default=0.0)
    parser.add_argument("--retry-after", default="1")
    args = parser.parse_args(argv)
    workspace = Workspace(**{name: getattr(args, name) for name in SIZES})
    faults = Faults(latency=args.latency, rate_429=args.rate_429, rate_5xx=args.rate_5xx,
                    rate_reset=args.rate_reset, retry_after=args.retry_after)
    fake = FakeCustomerIo(workspace, api_key=args.api_key, faults=faults).start(args.port)
    print(f"READY {fake.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
