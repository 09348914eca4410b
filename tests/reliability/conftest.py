"""Fixtures for the reliability tests: a small school, built once and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.services import faults


@pytest.fixture(autouse=True)
def _no_faults_left():
    faults.clear()
    yield
    faults.clear()


@pytest.fixture(scope="session")
def school_template(tmp_path_factory) -> Path:
    """A data folder with a small school (3 teachers, evidence, a plan, an activity); closed."""
    from app.services.workspace import Workspace
    from tests.reliability.helpers import build_small_school

    root = tmp_path_factory.mktemp("template")
    ws = Workspace.open(root / "data")
    try:
        build_small_school(ws, root / "src")
    finally:
        ws.close()
    return root / "data"


@pytest.fixture
def school_dir(school_template, tmp_path) -> Path:
    """A fresh copy of the template data folder."""
    dst = tmp_path / "data"
    shutil.copytree(school_template, dst)
    return dst


@pytest.fixture
def school_ws(school_dir):
    from app.services.workspace import Workspace
    ws = Workspace.open(school_dir)
    yield ws
    ws.close()
