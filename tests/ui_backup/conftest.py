"""备份与恢复 and start-up GUI tests: offscreen Qt, a copy of the demo school per test, no dialog ever blocks.

The fixtures (`dialogs`, `school_dir`, `controller`, `window`) are those of tests/ui/conftest.py;
`dialogs.save_file` answers getSaveFileName too.
"""

from tests.ui.conftest import (Dialogs, _chinese_app, controller, demo_template, school_dir,  # noqa: F401
                               settle, window)
from tests.ui.conftest import dialogs as _base_dialogs  # noqa: F401

import pytest  # noqa: E402
from PySide6.QtWidgets import QFileDialog  # noqa: E402


@pytest.fixture(autouse=True)
def dialogs(_base_dialogs, monkeypatch):
    d = _base_dialogs
    d.save_file = ""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (d.save_file, "")))
    return d
