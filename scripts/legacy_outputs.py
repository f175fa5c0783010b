"""Regenerates the golden outputs of the original component's configurations (tests/fixtures/legacy-outputs) after
a deliberate change of what those configurations produce: `.venv/bin/python scripts/legacy_outputs.py`. Say why in
the commit message and in the README there; never edit or merge the files by hand."""
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests"), os.path.join(ROOT, "src")]

from config_cases import ORIGINAL_CONFIGS  # noqa: E402
from legacy import UNORDERED, golden, run_original, written  # noqa: E402


def _sort_rows(path: str) -> None:
    """The header, then the rows in sorted order: a regeneration changes the file only where its content does."""
    with open(path, encoding="utf-8", newline="") as handle:
        header, *rows = handle.read().splitlines(keepends=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header + "".join(sorted(rows)))


def main() -> int:
    for number in range(1, len(ORIGINAL_CONFIGS) + 1):
        with tempfile.TemporaryDirectory(prefix="legacy-outputs-") as work:
            result = run_original(number, work)
            if result.exit_code != 0:
                print(result.output, file=sys.stderr)
                return 1
            target = golden(number)
            shutil.rmtree(target, ignore_errors=True)
            os.makedirs(target)
            for name, path in written(result).items():
                shutil.copyfile(path, os.path.join(target, name))
                if name in UNORDERED:
                    _sort_rows(os.path.join(target, name))
            print(f"original-{number}: {', '.join(sorted(os.listdir(target)))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
