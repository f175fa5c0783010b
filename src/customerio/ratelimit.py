"""One request budget shared by every thread of the run.

Customer.io allows about 10 App API requests per second per workspace. The limiter keeps the start times of
the last N requests and makes a caller wait until the oldest of them is more than a window old, so no window
of that length ever holds more than N requests. The window is a little longer than one second so that the
jitter between our clock and the server's arrival times cannot push an 11th request into a server-side
second. A 429 pauses everybody, not just the thread that received it.
"""
import threading
import time
from collections import deque

WINDOW_SLACK_SECONDS = 0.05


class RateLimiter:
    def __init__(self, max_per_second: int, window: float = 1.0 + WINDOW_SLACK_SECONDS,
                 clock=time.monotonic, sleep=time.sleep):
        if int(max_per_second) < 1:
            raise ValueError("max_per_second must be at least 1")
        self.capacity = int(max_per_second)
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._starts = deque()
        self._paused_until = 0.0

    def acquire(self) -> None:
        """Block until one more request fits in the budget, then count it."""
        while True:
            with self._lock:
                now = self._clock()
                wait = self._paused_until - now
                if wait <= 0:
                    while self._starts and now - self._starts[0] >= self.window:
                        self._starts.popleft()
                    if len(self._starts) < self.capacity:
                        self._starts.append(now)
                        return
                    wait = self.window - (now - self._starts[0])
            self._sleep(max(wait, 0.001))

    def pause(self, seconds: float) -> None:
        """Hold every request for `seconds` (the server said Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


class NoLimit:
    """Stand-in used by benchmarks that measure the pipeline without the budget."""

    def acquire(self) -> None:
        return None

    def pause(self, seconds: float) -> None:
        return None
