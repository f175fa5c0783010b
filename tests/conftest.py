"""Shared fixtures: src/ and tests/ on the path, the fake API, and running the component as a process."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (os.path.join(ROOT, "src"), os.path.join(ROOT, "tests")):
    if path not in sys.path:
        sys.path.insert(0, path)

from fake_api import FakeCustomerIo, Faults, Workspace  # noqa: E402
from fake_api.arrivals import Certificates  # noqa: E402
from helpers import ComponentRun  # noqa: E402


@pytest.fixture
def fake():
    """A fake Customer.io with a small default workspace; tests adjust `fake.workspace` / `fake.faults`."""
    server = FakeCustomerIo(Workspace(), faults=Faults())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def component(tmp_path, fake):
    """Runs src/component.py as a separate process against `fake`, in a fresh data folder per run."""
    return ComponentRun(tmp_path, fake)


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    """A CA and a certificate for 127.0.0.1, made for this test session (nothing that expires is committed)."""
    return Certificates(str(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def https_fake(certificates):
    """The fake over HTTPS; ComponentRun makes the component trust its CA (REQUESTS_CA_BUNDLE)."""
    server = FakeCustomerIo(Workspace(), faults=Faults(), certificates=certificates)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cpu_hog():
    """A second process keeping one CPU core busy for the length of the test."""
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield hog
    hog.kill()
    hog.wait()
