"""Shared fixtures: src/ and tests/ on the path, the fake API, and running the component as a process."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (os.path.join(ROOT, "src"), os.path.join(ROOT, "tests")):
    if path not in sys.path:
        sys.path.insert(0, path)

from fake_api import FakeCustomerIo, Faults, Workspace  # noqa: E402
from helpers import ComponentRun  # noqa: E402


@pytest.fixture
def fake():
    """A fake Customer.io with a small default workspace; tests adjust `fake.workspace` / `fake.faults`."""
    server = FakeCustomerIo(Workspace(), faults=Faults())
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
