"""The fake Customer.io App API used by the tests, the demo and the benchmark."""
from fake_api.server import FakeCustomerIo, Faults, HttpError, Raw, route
from fake_api.workspace import Workspace

__all__ = ["FakeCustomerIo", "Faults", "HttpError", "Raw", "Workspace", "route"]
