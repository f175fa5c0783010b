"""The house as the README draws it: component and runner at the top, one package per concern, imports one way,
and modules a newcomer can read (about 300 lines at most)."""
import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src")
PACKAGES = {"configuration", "customerio", "extractors", "output"}
TOP_MODULES = {"component.py", "runner.py"}
#: Modules of customerio that hold API facts, which configuration may read (never the HTTP client).
API_FACTS = {"catalog", "resources", "datasets", "metrics", "shapes", "ids", "regions"}
#: package -> top-level names of src/ it must never import
FORBIDDEN = {
    "customerio": {"configuration", "extractors", "output", "runner", "component", "keboola"},
    "configuration": {"extractors", "output", "runner", "component"},
    "extractors": {"output", "runner", "component"},
    "output": {"customerio", "configuration", "extractors", "runner", "component"},
    "runner": {"output", "component"},
}
MAX_LINES = 300


def modules():
    for folder, _, files in os.walk(SRC):
        if "__pycache__" in folder:
            continue
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                yield os.path.relpath(path, SRC), path


def imported(path):
    """Every module name a file imports, absolute (this code base uses no relative imports)."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_src_holds_component_runner_and_one_package_per_concern():
    entries = {name for name in os.listdir(SRC) if name != "__pycache__"}
    assert entries == TOP_MODULES | PACKAGES
    for package in PACKAGES:
        assert os.path.exists(os.path.join(SRC, package, "__init__.py")), package


@pytest.mark.parametrize("relative,path", list(modules()))
def test_no_module_is_longer_than_a_newcomer_reads(relative, path):
    with open(path, encoding="utf-8") as handle:
        assert sum(1 for _ in handle) <= MAX_LINES, relative


@pytest.mark.parametrize("relative,path", list(modules()))
def test_imports_point_one_way(relative, path):
    owner = relative.split(os.sep)[0].removesuffix(".py")
    tops = {name.split(".")[0] for name in imported(path)}
    assert not tops & FORBIDDEN.get(owner, set()), (relative, tops & FORBIDDEN[owner])
    if owner == "configuration":
        reached = {name.split(".")[1] for name in imported(path) if name.startswith("customerio.")}
        assert reached <= API_FACTS, (relative, reached - API_FACTS)
