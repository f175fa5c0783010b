"""Configurations written for the original component produce the golden tables, manifests and state
(tests/fixtures/legacy-outputs/README.md says how those were made and when they changed)."""
import os

import pytest

from config_cases import ORIGINAL_CONFIGS
from legacy import UNORDERED, golden, run_original, written


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


@pytest.mark.parametrize("number", range(1, len(ORIGINAL_CONFIGS) + 1))
def test_original_configurations_write_their_golden_outputs(tmp_path, number):
    result = run_original(number, str(tmp_path))
    assert result.exit_code == 0, result.output
    files = written(result)
    assert sorted(files) == sorted(os.listdir(golden(number)))
    for name, path in files.items():
        now, before = read(path), read(os.path.join(golden(number), name))
        if name in UNORDERED:
            now_lines, before_lines = now.splitlines(), before.splitlines()
            assert now_lines[0] == before_lines[0] and sorted(now_lines[1:]) == sorted(before_lines[1:]), name
        else:
            assert now == before, name
