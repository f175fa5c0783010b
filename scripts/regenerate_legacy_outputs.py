"""Rewrite tests/fixtures/legacy-outputs from today's component, for a deliberate change of what configurations of
the original component produce (its README says when). Runs each configuration exactly as
tests/functional/test_legacy_outputs.py does; `git diff` then shows what changed, to be explained in the commit.

    .venv/bin/python scripts/regenerate_legacy_outputs.py
"""
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "src"), os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "functional")]

from config_cases import ORIGINAL_CONFIGS  # noqa: E402
from test_legacy_outputs import GOLDEN, UNORDERED, read, run_original  # noqa: E402


def same_rows(new: str, old: str) -> bool:
    """Files whose rows arrive in no fixed order (UNORDERED) are kept when only their order changed."""
    new_lines, old_lines = read(new).splitlines(), read(old).splitlines()
    return new_lines[:1] == old_lines[:1] and sorted(new_lines[1:]) == sorted(old_lines[1:])


def main() -> None:
    for number in range(1, len(ORIGINAL_CONFIGS) + 1):
        scratch = tempfile.mkdtemp(prefix="legacy-outputs-")
        result = run_original(number, scratch)
        golden = os.path.join(GOLDEN, f"original-{number}")
        written = os.path.join(result.data_dir, "out", "tables")
        keep = {name for name in UNORDERED if os.path.exists(os.path.join(golden, name))
                and os.path.exists(os.path.join(written, name))
                and same_rows(os.path.join(written, name), os.path.join(golden, name))}
        for name in os.listdir(golden):
            if name not in keep:
                os.remove(os.path.join(golden, name))
        for name in os.listdir(written):
            if name not in keep:
                shutil.copy(os.path.join(written, name), golden)
        shutil.copy(os.path.join(result.data_dir, "out", "state.json"), golden)
        shutil.rmtree(scratch)
        print(f"{os.path.relpath(golden, ROOT)}: {len(os.listdir(golden))} files")


if __name__ == "__main__":
    main()
