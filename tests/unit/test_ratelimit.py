"""The request budget: slots occupy it from the grant until a window after the request went out, a pause holds
everybody and reopens at the configured rate, and the client takes its slot only on an open connection."""
import inspect
import random
import threading
import time

import pytest

from customerio import CustomerIoClient, RateLimiter
from customerio.ratelimit import NoLimit


class FakeTime:
    """A clock that only moves when somebody sleeps: one thread, exact times."""

    def __init__(self, start: float = 100.0):
        self.now = start
        self.sleeps = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def limiter_on(fake_time: FakeTime, capacity: int = 10, window: float = 1.0) -> RateLimiter:
    return RateLimiter(capacity, window=window, clock=fake_time, sleep=fake_time.sleep)


def send_now(limiter: RateLimiter, fake_time: FakeTime, write_seconds: float = 0.0) -> float:
    """One request: granted (perhaps after waiting), written in `write_seconds`; returns the grant time."""
    slot = limiter.acquire()
    granted = fake_time.now
    fake_time.now += write_seconds
    slot.sent()
    return granted


def test_a_full_budget_waits_until_the_oldest_send_is_a_window_old():
    clock = FakeTime()
    limiter = limiter_on(clock, capacity=3)
    assert [send_now(limiter, clock) for _ in range(3)] == [100.0, 100.0, 100.0]
    assert send_now(limiter, clock) == pytest.approx(101.0)


def test_a_slot_counts_from_the_moment_the_request_went_out_not_from_the_grant():
    # The first request waits 0.4 s between its grant and its write (a handshake, a busy interpreter): the budget
    # it frees is a window after the write, so a request arriving late cannot share a second with 3 more.
    clock = FakeTime()
    limiter = limiter_on(clock, capacity=3)
    send_now(limiter, clock, write_seconds=0.4)
    send_now(limiter, clock)
    send_now(limiter, clock)
    assert send_now(limiter, clock) == pytest.approx(101.4)


def test_pending_slots_occupy_the_budget_until_they_are_sent():
    clock = FakeTime()
    limiter = limiter_on(clock, capacity=2)
    first, second = limiter.acquire(), limiter.acquire()

    def sleep(seconds):                  # while a third caller waits, the two granted requests go out
        clock.now += seconds
        first.sent()
        second.sent()

    limiter._sleep = sleep
    limiter.acquire()
    # nothing could free sooner than a window after the pending requests go out (they did at 101.0)
    assert clock.now == pytest.approx(102.0)


def test_a_pause_holds_everybody_then_reopens_one_slot_per_window_over_capacity():
    clock = FakeTime()
    limiter = limiter_on(clock, capacity=4, window=1.0)
    limiter.pause(2.0)
    grants = [send_now(limiter, clock) for _ in range(6)]
    assert grants == pytest.approx([102.0, 102.25, 102.5, 102.75, 103.0, 103.25])


def test_a_pause_never_frees_a_slot_earlier_than_the_sends_before_it():
    clock = FakeTime()
    limiter = limiter_on(clock, capacity=2, window=1.0)
    send_now(limiter, clock)
    send_now(limiter, clock)            # both at 100.0: free again at 101.0
    limiter.pause(0.0)                   # Retry-After: 0 reopens at the rate, and never before 101.0
    assert [send_now(limiter, clock) for _ in range(3)] == pytest.approx([101.0, 101.5, 102.0])


def test_threads_never_hold_more_slots_than_the_budget_whatever_their_send_delays():
    # Each request occupies the budget from its grant until a window after it went out; measured from inside the
    # workers (grant seen late, send seen early) the intervals only shrink, so this holds on any machine load.
    limiter = RateLimiter(4, window=0.2)
    intervals, lock = [], threading.Lock()
    delays = random.Random(3)

    def worker(seed):
        for _ in range(6):
            slot = limiter.acquire()
            granted = time.monotonic()
            time.sleep(delays.uniform(0, 0.08) if seed % 2 else 0)
            written = time.monotonic()
            slot.sent()
            with lock:
                intervals.append((granted, written + limiter.window))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(intervals) == 36
    for moment, _ in intervals:
        assert sum(1 for start, end in intervals if start <= moment < end) <= 4


def test_no_limit_hands_out_slots_that_need_no_bookkeeping():
    slot = NoLimit().acquire()
    slot.sent()
    NoLimit().pause(5)


class CountingLimiter:
    """Records, for each slot asked for, whether the asking connection was open and how many requests the fake had
    seen; counts the slots that went out."""

    def __init__(self, fake):
        self.fake = fake
        self.asked, self.sent = [], 0

    def acquire(self):
        connection = inspect.currentframe().f_back.f_locals.get("self")
        self.asked.append((getattr(connection, "sock", None) is not None, len(self.fake.requests("^/v1/"))))
        limiter = self

        class _Slot:
            def sent(self):
                limiter.sent += 1
        return _Slot()

    def pause(self, seconds):
        return None


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_the_slot_is_taken_on_an_open_connection_just_before_the_request_goes_out(request, monkeypatch, https):
    fake = request.getfixturevalue("https_fake" if https else "fake")
    if https:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.certificates.ca_file)
    limiter = CountingLimiter(fake)
    client = CustomerIoClient("test-app-key", fake.url, limiter=limiter, backoff_base=0.01)
    for _ in range(3):
        client.get("/segments")
    # every slot was asked for on an open connection (TCP and TLS handshakes done), just before its request
    assert limiter.asked == [(True, 0), (True, 1), (True, 2)] and limiter.sent == 3
    assert fake.connections == 1
    client.close()


def test_a_signed_download_takes_no_slot(fake, tmp_path):
    fake.extras["files"] = {"/files/export.csv": b"cio_id\na1\n"}
    limiter = CountingLimiter(fake)
    client = CustomerIoClient("test-app-key", fake.url, limiter=limiter)
    client.download(fake.root + "/files/export.csv", str(tmp_path / "export.csv"))
    assert limiter.asked == [] and limiter.sent == 0
