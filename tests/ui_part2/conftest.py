"""Part-2 GUI tests: offscreen Qt, a fresh data folder per test, and no dialog ever blocks."""

import pytest

from tests.services_part2.school import build_small_school
from tests.ui.conftest import dialogs  # noqa: F401  (the same dialogs double; the screen is tests/conftest.py's)


def _keep_bools_alive() -> None:
    """PySide6/shiboken6 6.12.0 on Python 3.11: every Python-side `Signal.emit()` hands back a True
    it never took a reference to (measured: 300 emits, True's count -300), so a long session ends in
    "Fatal Python error: bool_dealloc" at exit. The shell's app.ui.protect_none() guards None the
    same way; until it guards True/False too, these tests do it so their exit status stays honest
    about the tests. Not needed (and skipped) on Python 3.12+, where True/False are immortal."""
    import ctypes
    import sys
    if sys.version_info >= (3, 12):
        return
    for obj in (True, False):
        before = sys.getrefcount(obj)
        cell = ctypes.c_ssize_t.from_address(id(obj))
        if before - 4 <= cell.value <= before + 4:
            cell.value += 1 << 40


_keep_bools_alive()


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
