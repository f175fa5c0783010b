"""One request budget shared by every thread of the run, counted where Customer.io counts it: at arrival.

Customer.io allows about 10 App API requests per second per workspace and counts a request when it arrives. A
request can arrive any time between the moment its thread is granted a slot and the moment its bytes have been
written (plus the network's variation), so a slot occupies the budget from the grant until one window after the
write: it is *pending* until the request has gone out, then recorded with the time the write finished. A slot is
granted only while the sends recorded in the last window plus the pending ones are fewer than N. So for any
1-second window of the server's clock, every request that arrived in it was occupying the budget at one common
moment, and there are at most N of them, as long as the network varies by less than the window's slack. The
transport (transport.py) takes the slot once the connection is open, so a TCP or TLS handshake never spends it.

A 429 with Retry-After pauses everybody; afterwards the budget reopens one request every window/N, as if the
last window had been spent evenly, so the waiting threads resume at the configured rate instead of as a herd.
"""
import bisect
import threading
import time

#: The window is a little longer than one second: the gap the network and the server may add between our write
#: and the server's arrival clock, beyond their constant delay. It costs 5 % of the rate (about 9.5 of 10/s).
WINDOW_SLACK_SECONDS = 0.05
#: Shortest sleep of a waiting thread (a busy loop otherwise when a slot is about to free).
MIN_SLEEP_SECONDS = 0.001


class Slot:
    """One granted request: `sent()` once its bytes are written (or the attempt failed)."""

    __slots__ = ("_limiter", "_open")

    def __init__(self, limiter: "RateLimiter"):
        self._limiter = limiter
        self._open = True

    def sent(self) -> None:
        if self._open:
            self._open = False
            self._limiter._record()


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
        self._sent = []              # sorted times when the requests of the last window finished going out
        self._pending = 0            # granted slots whose request has not been written yet
        self._paused_until = float("-inf")

    def acquire(self) -> Slot:
        """Block until one more request fits in the budget; the caller sends it and then calls `slot.sent()`."""
        while True:
            with self._lock:
                wait = self._wait(self._clock())
                if wait <= 0:
                    self._pending += 1
                    return Slot(self)
            self._sleep(max(wait, MIN_SLEEP_SECONDS))

    def _wait(self, now: float) -> float:
        """Seconds until a slot may be free (0: free now). Called with the lock held."""
        if self._paused_until > now:
            return self._paused_until - now
        expired = bisect.bisect_right(self._sent, now - self.window)
        del self._sent[:expired]
        busy = len(self._sent) + self._pending
        if busy < self.capacity:
            return 0.0
        first_to_free = busy - self.capacity       # index of the recorded send whose expiry frees the next slot
        if first_to_free < len(self._sent):
            return self._sent[first_to_free] + self.window - now
        return self.window                          # only pending slots: none frees sooner than a window from now

    def _record(self) -> None:
        with self._lock:
            self._pending -= 1
            bisect.insort(self._sent, self._clock())

    def pause(self, seconds: float) -> None:
        """Hold every request for `seconds` (the server said Retry-After), then reopen one slot every window/N."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))
            # The last N sends, moved later where needed so that they expire one per step from the pause's end.
            step = self.window / self.capacity
            recent = self._sent[-self.capacity:]
            recent = [float("-inf")] * (self.capacity - len(recent)) + recent
            spread, previous = [], self._paused_until - self.window - step
            for sent in recent:
                previous = max(sent, previous + step)
                spread.append(previous)
            self._sent = self._sent[:-self.capacity] + spread if len(self._sent) > self.capacity else spread


class _NoSlot:
    def sent(self) -> None:
        return None


class NoLimit:
    """Stand-in used by benchmarks that measure the pipeline without the budget."""

    def acquire(self) -> _NoSlot:
        return _NoSlot()

    def pause(self, seconds: float) -> None:
        return None
