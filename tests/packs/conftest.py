"""A central school with a teaching point of three teachers (and one teacher at the school itself),
built once and copied for each test; a stick to write packs onto."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.packs.helpers import build_point_school


@pytest.fixture(scope="session")
def point_school(tmp_path_factory) -> Path:
    return build_point_school(tmp_path_factory.mktemp("pack-school"))


@pytest.fixture
def central_dir(point_school, tmp_path) -> Path:
    dst = tmp_path / "central"
    shutil.copytree(point_school, dst)
    return dst


@pytest.fixture
def central(central_dir):
    from app.services.workspace import Workspace
    ws = Workspace.open(central_dir)
    yield ws
    ws.close()


@pytest.fixture
def usb(tmp_path) -> Path:
    stick = tmp_path / "U盘"
    stick.mkdir()
    return stick
