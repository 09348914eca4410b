"""Shared test set-up: offscreen Qt, and no test ever touches a real data folder."""

import json
import os
import tempfile

# One virtual screen for every test, set before any PySide6 import: offscreen, 1920×1080 (the
# plugin's default 800×800 screen is smaller than the window, and Qt would shrink a restored
# geometry to fit it). Tests of small screens run the app in a subprocess with its own screen.
_SCREEN = os.path.join(tempfile.mkdtemp(prefix="tisheng-qpa-"), "screen.json")
with open(_SCREEN, "w", encoding="utf-8") as _fh:
    json.dump({"screens": [{"name": "screen0", "x": 0, "y": 0, "width": 1920, "height": 1080,
                            "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}, _fh)
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"
os.environ.pop("QT_SCALE_FACTOR", None)

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Point the default data folder at a fresh temporary one for every test."""
    monkeypatch.setenv("TISHENG_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))


@pytest.fixture(autouse=True)
def _collection_stays_on_the_ui_thread():
    """Once the app's QApplication exists, automatic garbage collection stays off (app/ui/main_thread_gc.py):
    a test that turns it back on would let later windows' jobs collect Qt objects on worker threads."""
    yield
    import gc
    import sys
    qt = sys.modules.get("PySide6.QtWidgets")
    app = qt.QApplication.instance() if qt is not None else None
    if app is not None and getattr(app, "_tisheng_gc", None) is not None:
        assert not gc.isenabled(), "automatic garbage collection was left on after this test"


@pytest.fixture
def ws(tmp_path):
    """An opened, empty workspace (no school yet)."""
    from app.services.workspace import Workspace
    w = Workspace.open(tmp_path / "data")
    yield w
    w.close()
