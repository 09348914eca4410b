"""The 微能力 whole-school matrix of a 1,000-teacher school: build and one filter keystroke.

Reported by `python bench/run.py ui` (bench_ui.run calls run() here).

Ours: the service builds the matrix rows from one snapshot (`matrix.school_matrix`),
then SchoolMatrixWidget shows them (model reset, proxy, header counts) and one
keystroke in the search box filters the rows and recounts every point.
Baseline: a bare QTableView over a QStandardItemModel holding the same cells
(teacher × (5 + 30) columns, read with one plain SQL query per table), with a
QSortFilterProxyModel filtered by the same keystroke. Cells are filled with
`setData`: in PySide6 6.12 every `setItem`/`appendRow` of a QStandardItem
drops one reference to Python's None (measured), which crashes the process
after a few thousand cells.
Both views have the same size and column widths (all 35 columns visible, as the
page shows them), and both sides are timed until the view has painted
(`QApplication.processEvents`).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from make_school import make_school  # noqa: E402
from timing import best  # noqa: E402

KEYSTROKE = "B001"        # staff numbers are B00001…B01000: the 2nd…4th keystrokes narrow to B00100–B00199


_APP = []


def _app():
    """One QApplication for the whole run (kept referenced, or Qt tears it down)."""
    from PySide6.QtWidgets import QApplication
    if not _APP:
        _APP.append(QApplication.instance() or QApplication([]))
    return _APP[0]


def ours(ws) -> tuple[float, float, int, tuple]:
    from app.services import matrix
    from app.ui.micro.school_matrix_view import SchoolMatrixWidget
    app = _app()
    widget = SchoolMatrixWidget(ws)
    widget.resize(1366, 700)
    widget.show()

    def build():
        widget.search.clear()
        widget.set_matrix(matrix.school_matrix(ws))
        app.processEvents()

    t_build = best(build, 5)
    times = []
    for _ in range(7):
        widget.search.setText(KEYSTROKE[:-1])
        app.processEvents()
        t0 = time.perf_counter()
        widget.search.setText(KEYSTROKE)          # the measured keystroke: filter, recount, repaint
        app.processEvents()
        times.append(time.perf_counter() - t0)
    shown = widget.proxy.rowCount()
    geometry = (widget.view.size(), [widget.view.columnWidth(c) for c in range(widget.model.columnCount())])
    widget.close()
    return t_build, min(times), shown, geometry


def baseline(db: Path, geometry) -> tuple[float, float, int]:
    """Same cells, same view size and column widths as ours, so both paint the same area."""
    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QTableView
    app = _app()
    size, widths = geometry
    view = QTableView()
    view.resize(size)
    view.show()
    proxy = QSortFilterProxyModel()
    proxy.setFilterKeyColumn(1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    view.setModel(proxy)
    holder = {}

    def build():
        con = sqlite3.connect(db)
        codes = [c for (c,) in con.execute("SELECT code FROM abilitypoint ORDER BY sort_order")]
        groups = dict(con.execute("SELECT id, name FROM studygroup"))
        chosen: dict[int, set[str]] = {}
        for tid, code in con.execute("SELECT teacher_id, point_code FROM abilitychoice"):
            chosen.setdefault(tid, set()).add(code)
        rows = con.execute("SELECT id, name, staff_no, subject, group_id FROM teacher ORDER BY id").fetchall()
        con.close()
        model = QStandardItemModel(len(rows), 5 + len(codes))
        model.setHorizontalHeaderLabels(["姓名", "工号", "学科", "研修组", "选点", *codes])
        for r, (tid, name, staff_no, subject, gid) in enumerate(rows):
            mine = chosen.get(tid, set())
            for c, text in enumerate((name, staff_no or "", subject or "", groups.get(gid, ""), str(len(mine)))):
                model.setData(model.index(r, c), text)
            for c, code in enumerate(codes, 5):
                if code in mine:
                    model.setData(model.index(r, c), "✓")
        proxy.setFilterFixedString("")
        proxy.setSourceModel(model)
        for c, width in enumerate(widths):
            view.setColumnWidth(c, width)
        holder["model"] = model
        app.processEvents()

    t_build = best(build, 5)
    times = []
    for _ in range(7):
        proxy.setFilterFixedString(KEYSTROKE[:-1])
        app.processEvents()
        t0 = time.perf_counter()
        proxy.setFilterFixedString(KEYSTROKE)
        app.processEvents()
        times.append(time.perf_counter() - t0)
    shown = proxy.rowCount()
    view.close()
    return t_build, min(times), shown


def run(quick: bool):
    from app.services.workspace import Workspace
    n = 200 if quick else 1000
    with tempfile.TemporaryDirectory() as d:
        make_school(Path(d), teachers=n)
        with Workspace.open(d) as ws:
            o_build, o_key, o_shown, geometry = ours(ws)
            b_build, b_key, b_shown = baseline(ws.paths.database, geometry)
    if o_shown != b_shown:
        raise RuntimeError(f"the filters disagree: ours shows {o_shown} rows, the baseline {b_shown}")
    return [(f"matrix_build_{n}_teachers", o_build, b_build), (f"matrix_filter_keystroke_{n}_teachers", o_key, b_key)]
