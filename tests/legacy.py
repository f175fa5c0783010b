"""Running a configuration written for the original component the way its golden outputs were made
(tests/fixtures/legacy-outputs/README.md): shared by tests/functional/test_legacy_outputs.py, which compares, and
scripts/legacy_outputs.py, which regenerates the goldens after a deliberate change."""
import copy
import os

from config_cases import ORIGINAL_CONFIGS
from fake_api import FakeCustomerIo, Workspace
from helpers import API_KEY, ComponentRun, RunResult

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "fixtures", "legacy-outputs")
#: Files whose rows arrive in no fixed order (membership lanes run concurrently): kept sorted, compared sorted.
UNORDERED = {"segment_members.csv"}


def run_original(number: int, work_dir: str) -> RunResult:
    """ORIGINAL_CONFIGS[number - 1] (messages emptied: their windows depend on the wall clock), run once against a
    fixed fake workspace."""
    config = dict(copy.deepcopy(ORIGINAL_CONFIGS[number - 1]), messages=[], **{"#api_secret": API_KEY})
    fake = FakeCustomerIo(Workspace(now=1_790_000_000, people=120, segments=8, activities=400)).start()
    try:
        return ComponentRun(work_dir, fake)(config, env={"CUSTOMERIO_RATE_LIMIT": "off",
                                                         "CUSTOMERIO_EXPORT_POLL_SECONDS": "0.05"})
    finally:
        fake.stop()


def golden(number: int) -> str:
    return os.path.join(GOLDEN, f"original-{number}")


def written(result: RunResult) -> dict:
    """The files of a run that a golden holds: {name: path} for out/tables/* and state.json."""
    tables = os.path.join(result.data_dir, "out", "tables")
    files = {name: os.path.join(tables, name) for name in sorted(os.listdir(tables))}
    files["state.json"] = os.path.join(result.data_dir, "out", "state.json")
    return files
