"""How Customer.io counts requests, and HTTPS, for the fake.

Customer.io counts an App API request when it arrives, about 10 per second per workspace, refused ones included,
and answers 429 with `Retry-After: 1` beyond that (customerio-api.md section 2). `ArrivalClock` does the same:
an arrival is kept in a sliding 1-second window and refused when the window already holds `cap` arrivals; without
a cap it only stamps. The stamp is when the request's bytes reached the server, as the kernel saw them
(`received_at`: TCP_INFO's last data received, to a few ms), not when a handler thread of this Python process got
round to reading them: under load that lag reaches tens of ms and would bunch arrivals the client never bunched.

`Certificates` makes a throwaway CA and a certificate for 127.0.0.1 when asked (trustme), so nothing that
expires is ever committed; clients trust the CA through REQUESTS_CA_BUNDLE (`ca_file`).
"""
import bisect
import os
import socket
import ssl
import struct
import tempfile
import threading
import time
from typing import NamedTuple, Optional

WINDOW_SECONDS = 1.0
#: struct tcp_info (linux/tcp.h): __u32 tcpi_last_data_recv, milliseconds since data last arrived, at byte 52.
_TCP_INFO_SIZE, _LAST_DATA_RECV = 104, 52


class Arrival(NamedTuple):
    at: float            # time.monotonic() when the request line had been read
    refused: bool        # beyond the cap: answer 429


def received_at(connection) -> float:
    """When the last bytes on `connection` arrived, on the time.monotonic() clock (now, where TCP_INFO is missing)."""
    now = time.monotonic()
    try:
        info = connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
        return now - struct.unpack_from("I", info, _LAST_DATA_RECV)[0] / 1000.0
    except (AttributeError, OSError, struct.error):
        return now


class ArrivalClock:
    def __init__(self, cap: Optional[int] = None):
        self.cap = cap
        self._lock = threading.Lock()
        self._recent = []                # arrival times of the last seconds, sorted (threads stamp out of order)

    def arrive(self, at: float) -> Arrival:
        """Count an API arrival at `at`; with a cap, refuse it if the second up to it already holds `cap`."""
        with self._lock:
            bisect.insort(self._recent, at)
            del self._recent[:bisect.bisect_left(self._recent, self._recent[-1] - 2 * WINDOW_SECONDS)]
            in_window = bisect.bisect_right(self._recent, at) - bisect.bisect_right(self._recent, at - WINDOW_SECONDS)
            return Arrival(at, self.cap is not None and in_window > self.cap)


def peak(times, window: float = WINDOW_SECONDS) -> int:
    """The most of `times` (seconds) in any half-open window [t, t + window)."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


class Certificates:
    """A CA made now and a server certificate for 127.0.0.1 and localhost signed by it."""

    def __init__(self, directory: Optional[str] = None, ca_file: Optional[str] = None):
        """The CA certificate is written to `ca_file`, else into `directory` (else a new temporary one)."""
        import trustme   # test dependency only (requirements-dev.txt)
        self._ca = trustme.CA()
        self._server = self._ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = ca_file or os.path.join(directory or tempfile.mkdtemp(prefix="fake-cio-tls-"),
                                               "fake-customerio-ca.pem")
        self._ca.cert_pem.write_to_path(self.ca_file)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._server.configure_cert(context)
        return context
