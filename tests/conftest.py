"""Shared test set-up: offscreen Qt, and no test ever touches a real data folder."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Point the default data folder at a fresh temporary one for every test."""
    monkeypatch.setenv("TISHENG_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))


@pytest.fixture
def ws(tmp_path):
    """An opened, empty workspace (no school yet)."""
    from app.services.workspace import Workspace
    w = Workspace.open(tmp_path / "data")
    yield w
    w.close()
