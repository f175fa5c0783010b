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
from clock import pinned_instants  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "any_hour: depends on the time of day; also run with the clock pinned at "
                                       "every instant of tests/clock.py")


def pytest_generate_tests(metafunc):
    """Tests marked `any_hour` run on the real clock and pinned at hours across the day and across DST changes."""
    if metafunc.definition.get_closest_marker("any_hour") and "pinned_now" in metafunc.fixturenames:
        instants = pinned_instants()
        metafunc.parametrize("pinned_now", [None] + list(instants.values()), indirect=True,
                             ids=["real-clock"] + list(instants))


@pytest.fixture
def pinned_now(request):
    """The instant (unix seconds) the fake's and the component's clocks are pinned at, or None: the real clock."""
    return getattr(request, "param", None)


@pytest.fixture
def fake(pinned_now):
    """A fake Customer.io with a small default workspace; tests adjust `fake.workspace` / `fake.faults`."""
    server = FakeCustomerIo(Workspace(), faults=Faults())
    if pinned_now is not None:
        server.pin_clock(pinned_now)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def manifest_format():
    """The environment the component runs in, which decides the manifest format (helpers.MANIFEST_ENVIRONMENTS):
    `TEST_MANIFESTS=legacy make test` runs every test as a project without native data types would. A test
    that must hold in every format parametrizes it: `@pytest.mark.parametrize("manifest_format", FORMATS)`."""
    return os.environ.get("TEST_MANIFESTS", "local")


@pytest.fixture
def component(tmp_path, fake, manifest_format):
    """Runs src/component.py as a separate process against `fake`, in a fresh data folder per run."""
    return ComponentRun(tmp_path, fake, manifests=manifest_format)


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
