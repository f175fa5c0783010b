"""Configurations written for the original component produce the same tables, manifests and state as before the
resource catalogue (tests/fixtures/legacy-outputs/README.md says how those were made)."""
import copy
import os

import pytest

from config_cases import ORIGINAL_CONFIGS
from fake_api import FakeCustomerIo, Workspace
from helpers import API_KEY, ComponentRun

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "tests", "fixtures", "legacy-outputs")
UNORDERED = {"segment_members.csv"}


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def run_original(number: int, tmp_path):
    """What today's component writes for ORIGINAL_CONFIGS[number - 1], as the goldens were made."""
    config = dict(copy.deepcopy(ORIGINAL_CONFIGS[number - 1]), messages=[], **{"#api_secret": API_KEY})
    fake = FakeCustomerIo(Workspace(now=1_790_000_000, people=120, segments=8, activities=400)).start()
    try:
        result = ComponentRun(tmp_path, fake)(config, env={"CUSTOMERIO_RATE_LIMIT": "off",
                                                           "CUSTOMERIO_EXPORT_POLL_SECONDS": "0.05"})
    finally:
        fake.stop()
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("number", range(1, len(ORIGINAL_CONFIGS) + 1))
def test_original_configurations_write_what_they_wrote_before(tmp_path, number):
    result = run_original(number, tmp_path)
    golden = os.path.join(GOLDEN, f"original-{number}")
    written = os.path.join(result.data_dir, "out", "tables")
    expected_files = sorted(name for name in os.listdir(golden) if name != "state.json")
    assert sorted(os.listdir(written)) == expected_files
    for name in expected_files:
        now, before = read(os.path.join(written, name)), read(os.path.join(golden, name))
        if name in UNORDERED:
            now_lines, before_lines = now.splitlines(), before.splitlines()
            assert now_lines[0] == before_lines[0] and sorted(now_lines[1:]) == sorted(before_lines[1:]), name
        else:
            assert now == before, name
    assert read(os.path.join(result.data_dir, "out", "state.json")) == read(os.path.join(golden, "state.json"))
