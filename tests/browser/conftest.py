"""The browser test draws every form once per session (one Chromium, both renderers) and shares what it saw."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from form_plan import missing_tools, run_all  # noqa: E402


@pytest.fixture(scope="session")
def runs():
    """{(renderer, configuration name): what form_driver.mjs saw}; fails with one sentence when a tool is missing."""
    problem = missing_tools()
    if problem:
        pytest.fail(problem, pytrace=False)
    try:
        return run_all()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
