"""The request budget holds where Customer.io counts it: at the server's arrival clock, over HTTPS.

The fake counts like the API (every arrival in a sliding second, refused ones included) and refuses beyond the
cap with 429 and Retry-After: 1. Every dataset mix runs over HTTPS with new connections opening, latency and
jitter, and a second process keeping one core busy; each must end with no request refused and no second holding
more than `max_requests_per_second` arrivals. Counted, never timed.
"""
import pytest

from helpers import ComponentRun, base_parameters

LATENCY, JITTER = 0.25, 0.05
FAST_RETRIES = {"CUSTOMERIO_BACKOFF_BASE": "0.05"}


def messages(ws):
    ws.messages, ws.message_types, ws.message_span_days, ws.people = 20000, 2, 175, 300
    return {"messages": [{"types": ["email", "webhook"], "since": "180 days ago"}]}


def activities(ws):
    ws.activities, ws.activity_types, ws.people = 2400, 4, 300
    return {"activities": [{"types": ["page", "event", "attribute_change", "sent_email"], "mode": "PARSED_DATA"}]}


def fan_out(ws):
    ws.transactional, ws.campaigns = 12, 10
    return {"transactional": True, "campaign_actions": True}


def metrics(ws):
    ws.campaigns, ws.newsletters, ws.broadcasts = 2, 8, 4
    return {"metrics": [{"entities": [], "resolution": "days", "since": "10 days ago", "lookback_days": 3}]}


def customers(ws):
    ws.people = 2500
    return {"customers": [{"filters": "", "attributes": "", "method": "api"}]}


def segment_lanes(ws):
    ws.people, ws.segments = 400, 24
    return {"segments": True, "segment_members": True}


def everything(ws):
    """Every mix at once, each smaller."""
    parameters = {}
    for mix in (messages, activities, fan_out, metrics, customers, segment_lanes):
        parameters.update(mix(ws))
    ws.messages, ws.activities, ws.people, ws.segments = 6000, 1200, 600, 6
    ws.campaigns, ws.transactional, ws.newsletters, ws.broadcasts = 2, 4, 4, 2
    return parameters


def a_little_of_everything(ws):
    """Every kind of walk, about 20 requests."""
    parameters = everything(ws)
    ws.messages, ws.activities, ws.people, ws.segments = 2000, 200, 150, 2
    ws.campaigns, ws.transactional, ws.newsletters, ws.broadcasts = 1, 1, 1, 1
    parameters["metrics"][0]["entities"] = ["campaigns"]
    return parameters


MIXES = [messages, activities, fan_out, metrics, customers, segment_lanes]


def over_budget(fake, cap):
    """What the fake saw: (refused by the cap, peak arrivals in a sliding second, API requests)."""
    return len(fake.refused()), fake.peak_per_second(), len(fake.requests("^/v1/"))


def run_mix(tmp_path, fake, mix, cap=10, env=None):
    fake.faults.latency, fake.faults.jitter, fake.faults.rate_cap = LATENCY, JITTER, cap
    parameters = base_parameters(max_requests_per_second=cap, **mix(fake.workspace))
    fake.start()
    try:
        result = ComponentRun(tmp_path, fake)(parameters, env=env)
    finally:
        fake.stop()
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def capped_fake(certificates):
    """An HTTPS fake that has not started yet: the test sets its cap and latency first."""
    from fake_api import FakeCustomerIo, Faults, Workspace
    return FakeCustomerIo(Workspace(), faults=Faults(), certificates=certificates)


@pytest.mark.parametrize("mix", MIXES, ids=[mix.__name__ for mix in MIXES])
def test_every_dataset_mix_stays_within_the_budget_at_the_server(tmp_path, capped_fake, cpu_hog, mix):
    run_mix(tmp_path, capped_fake, mix)
    refused, peak, requests = over_budget(capped_fake, 10)
    assert requests >= 15, "the mix must spend the budget for a while"
    assert (refused, peak <= 10) == (0, True), (refused, peak, requests)
    assert capped_fake.connections >= 2                 # several TLS connections opened while the budget ran


@pytest.mark.parametrize("cap", [3, 10])
def test_all_datasets_at_once_stay_within_a_budget_of_3_and_of_10(tmp_path, capped_fake, cpu_hog, cap):
    run_mix(tmp_path, capped_fake, everything if cap == 10 else a_little_of_everything, cap=cap)
    refused, peak, requests = over_budget(capped_fake, cap)
    assert (refused, peak <= cap) == (0, True), (refused, peak, requests)
    assert requests >= 3 * cap


@pytest.mark.parametrize("storm", ["429", "5xx"])
def test_storms_of_429_and_5xx_never_push_the_retries_over_the_budget(tmp_path, capped_fake, storm):
    # Injected 429s (another integration spent the budget) pause everybody for Retry-After; 5xx are retried with
    # backoff. Either way the retries go through the one budget: no arrival beyond the cap, nothing refused by it.
    if storm == "429":
        capped_fake.faults.rate_429, capped_fake.faults.retry_after = 0.15, "1"
    else:
        capped_fake.faults.rate_5xx = 0.25
    result = run_mix(tmp_path, capped_fake, activities, env=FAST_RETRIES)
    refused, peak, requests = over_budget(capped_fake, 10)
    injected = [r for r in capped_fake.requests("^/v1/") if r.status >= 429 and not r.refused]
    assert injected and "retry" in result.output
    assert (refused, peak <= 10) == (0, True), (refused, peak, requests)


@pytest.mark.parametrize("action", ["testConnection", "list_segments", "list_object_types"])
def test_sync_actions_over_https_within_the_budget(tmp_path, capped_fake, action):
    capped_fake.faults.rate_cap = 10
    capped_fake.start()
    try:
        result = ComponentRun(tmp_path, capped_fake)(base_parameters(), action=action)
    finally:
        capped_fake.stop()
    assert result.exit_code == 0, result.output
    assert over_budget(capped_fake, 10) == (0, 1, 1)
