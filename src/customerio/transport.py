"""The API session's transport: connections that take their rate-limit slot as the request goes out.

A slot taken before a new connection's TCP and TLS handshakes is spent while nothing is sent, and the request then
arrives later than its slot allowed for, bunched with the others that waited for their handshakes. These
connections open first (or reuse an open one), then ask the limiter, write the request, and tell the limiter
when the bytes have gone out (ratelimit.py explains why that keeps every second of the server's clock within the
budget). Signed export downloads use a plain session: they are not API requests and take no slot.
"""
from requests.adapters import HTTPAdapter


class _TakesSlotWhenSending:
    """Mixed into urllib3's connection classes; `limiter` is set on the generated subclass."""

    limiter = None

    def request(self, *args, **kwargs):
        if self.sock is None:          # plain HTTP connects lazily; HTTPS pools have connected already
            self.connect()
        slot = self.limiter.acquire()
        try:
            super().request(*args, **kwargs)
        finally:
            slot.sent()


def _budgeted_pool(pool_class, limiter):
    """A subclass of a urllib3 pool class whose connections go through `limiter`."""
    connection_class = type("Budgeted" + pool_class.ConnectionCls.__name__,
                            (_TakesSlotWhenSending, pool_class.ConnectionCls), {"limiter": limiter})
    return type("Budgeted" + pool_class.__name__, (pool_class,), {"ConnectionCls": connection_class})


class BudgetedAdapter(HTTPAdapter):
    """An HTTPAdapter whose pools (direct or through a proxy) take a slot of `limiter` for every request."""

    def __init__(self, limiter, **kwargs):
        self._limiter = limiter
        self._pool_classes = {}          # urllib3's pool class -> its budgeted subclass
        super().__init__(**kwargs)

    def _budget(self, manager):
        """Point a urllib3 pool manager at budgeted pools (once; its class table is copied, never shared)."""
        if not getattr(manager, "budgeted", False):
            for pool_class in manager.pool_classes_by_scheme.values():
                if pool_class not in self._pool_classes:
                    self._pool_classes[pool_class] = _budgeted_pool(pool_class, self._limiter)
            manager.pool_classes_by_scheme = {scheme: self._pool_classes[pool_class]
                                              for scheme, pool_class in manager.pool_classes_by_scheme.items()}
            manager.budgeted = True
        return manager

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self._budget(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        return self._budget(super().proxy_manager_for(proxy, **proxy_kwargs))
