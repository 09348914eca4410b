"""Part-2 GUI tests: offscreen Qt, a fresh data folder per test, and no dialog ever blocks."""

import pytest

from tests.services_part2.school import build_small_school
from tests.ui.conftest import dialogs  # noqa: F401  (the same dialogs double; the screen is tests/conftest.py's)


@pytest.fixture(scope="session", autouse=True)
def _font(qapp):
    from PySide6.QtGui import QFontDatabase
    from app.resources import resource_path
    QFontDatabase.addApplicationFont(str(resource_path("fonts", "TishengSansSC-Regular.ttf")))


@pytest.fixture
def small(ws):
    return ws, build_small_school(ws)


@pytest.fixture
def events(qapp):
    from tests.ui_part2.helpers import make_events
    return make_events()
