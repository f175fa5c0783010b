"""Without Chromium, Node.js or the npm packages the browser test fails with one sentence saying what to install."""
import os

import pytest

import form_plan

pytestmark = pytest.mark.xdist_group("browser")


def test_the_tools_are_there():
    assert form_plan.missing_tools() is None


def test_a_missing_chromium_is_named_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(form_plan, "CHROMIUM", str(tmp_path / "chromium"))
    assert "Chromium is missing" in form_plan.missing_tools() and "apt-get install -y chromium" in \
        form_plan.missing_tools()


def test_missing_npm_packages_are_named_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(form_plan, "NPM_PACKAGES", form_plan.NPM_PACKAGES + [os.path.join(tmp_path, "@rjsf/core")])
    assert "make install" in form_plan.missing_tools()


def test_missing_node_is_named_with_the_fix(monkeypatch):
    monkeypatch.setattr(form_plan.shutil, "which", lambda name: None)
    assert "Node.js is missing" in form_plan.missing_tools()
