"""The window's start on a school's PC pays nothing for features it does not show: no pack or drive
code (the search for a collection pack on the sticks runs only when the folder has no school), no
district window, and no workbook, PDF or array library before the first paint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_AT_START = ("app.ui.pack", "app.services.packs.folder", "app.services.drives", "app.ui.district",
                "openpyxl", "reportlab", "numpy", "pikepdf", "python_calamine")


def _start(data_dir: Path, tmp_path: Path) -> dict:
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(ROOT)!r})
        from app.cli.main import main
        code = main(["--data-dir", {str(data_dir)!r}])
        loaded = sorted({{m for m in sys.modules if m.startswith({NOT_AT_START!r})}})
        print(json.dumps({{"code": code, "loaded": loaded}}))
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TISHENG_FIRST_PAINT_EXIT="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_school_start_loads_no_pack_district_workbook_or_pdf_code(school_dir, tmp_path):
    got = _start(school_dir, tmp_path)
    assert got["code"] == 0
    assert got["loaded"] == []      # the sticks were not searched: the pack code is not even loaded


class _NoController:
    """Stands for the AppController: the test only asks whether the sticks were searched first."""

    def __init__(self, *args) -> None:
        from PySide6.QtCore import QObject, Signal

        class Sig(QObject):
            gave_up = Signal()
        self._sig = Sig()
        self.gave_up = self._sig.gave_up

    def start(self, *args, **kw) -> bool:
        return False

    def close(self) -> None:
        pass


def test_the_sticks_are_searched_only_when_the_folder_has_no_school(qapp, school_dir, tmp_path, monkeypatch):
    from app.ui import app as ui_app
    from app.ui import controller as controller_module
    from app.ui.pack import launch
    asked = []
    monkeypatch.setattr(launch, "pack_at_start", lambda db: asked.append(db))
    monkeypatch.setattr(controller_module, "AppController", _NoController)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    empty = tmp_path / "空的数据文件夹"
    assert ui_app.run(empty) == 1
    assert asked == [empty / "tisheng.sqlite3"]
    assert ui_app.run(school_dir) == 1
    assert asked == [empty / "tisheng.sqlite3"]
