"""xlsx files are read by python-calamine on the checked file handle, with the values openpyxl
gave (the importers were written for those), and never in a way that can abort the process."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest

from app.services.excel import FileRejected
from app.services.excel import readers
from app.services.excel.readers import open_source

ROOT = Path(__file__).resolve().parents[2]


def _rows(path: Path) -> list[tuple[str, bool, list]]:
    src = open_source(path)
    try:
        return [(s.name, s.hidden, list(s.rows())) for s in src.sheets]
    finally:
        src.close()


def _edit_sheet(src: Path, dest: Path, old: bytes, new: bytes, part: str = "xl/worksheets/sheet1.xml") -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                assert old in data, data[:500]
                data = data.replace(old, new)
            zout.writestr(info, data)
    return dest


@pytest.fixture
def varied(tmp_path) -> Path:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws["C3"] = "姓名"
    ws["D3"] = 42
    ws["E3"] = 1.5
    ws["F3"] = date(2024, 3, 1)
    ws["G3"] = datetime(2024, 3, 1, 8, 30)
    ws["H3"] = time(8, 30)
    ws["I3"] = True
    ws["J3"] = "  空格 "
    ws["K3"] = 210281196501010011
    ws["C6"] = "末行"
    ws.merge_cells("C4:C5")
    wb.create_sheet("隐藏").sheet_state = "hidden"
    wb["隐藏"]["A1"] = "x"
    path = tmp_path / "varied.xlsx"
    wb.save(path)
    return path


def test_values_are_the_ones_openpyxl_gave(varied, monkeypatch):
    fast = _rows(varied)
    monkeypatch.setattr(readers, "GRID_CELLS", 0)          # every sheet through openpyxl
    slow = _rows(varied)
    assert [(n, h, [(r, tuple(v)) for r, v in rows]) for n, h, rows in fast] == \
        [(n, h, [(r, tuple(v)) for r, v in rows]) for n, h, rows in slow]
    sheet = dict((n, rows) for n, _h, rows in fast)["名单"]
    assert sheet[2] == (3, (None, None, "姓名", 42, 1.5, datetime(2024, 3, 1), datetime(2024, 3, 1, 8, 30),
                            time(8, 30), True, "  空格 ", 2.1028119650101e+17))
    assert [h for _n, h, _r in fast] == [False, True]


def test_error_values_read_as_excel_shows_them(varied, tmp_path):
    bad = _edit_sheet(varied, tmp_path / "err.xlsx", b'<c r="D3" t="n"><v>42</v></c>',
                      b'<c r="D3" t="e"><f>NA()</f><v>#N/A</v></c>')
    sheet = _rows(bad)[0][2]
    assert sheet[2][1][3] == "#N/A"


def test_far_apart_cells_do_not_build_a_grid(varied, tmp_path):
    """One cell in C3, one in XFD1048576: a grid reader would ask for 500 GB and abort the
    process; the sheet is streamed instead (here in a child process, so a crash shows)."""
    far = _edit_sheet(varied, tmp_path / "far.xlsx", b'</row></sheetData>',
                      b'</row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    code = ("import sys; from pathlib import Path; from app.services.excel.readers import open_source\n"
            "src = open_source(Path(sys.argv[1])); it = src.sheets[0].rows()\n"
            "print(next(r for r in it if r[0] == 3)[1][2]); src.close()")
    done = subprocess.run([sys.executable, "-c", code, str(far)], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "姓名"


def test_extent_counts_cells_without_positions(varied, tmp_path):
    from app.services.excel.safety import open_workbook_zip
    plain = _edit_sheet(varied, tmp_path / "plain.xlsx", b'<row r="6"><c r="C6"',
                        b'<row><c r="C6"/><c/><c/></row><row r="6"><c r="C6"')
    zf = open_workbook_zip(plain)
    try:
        assert readers.sheet_extent(zf, "xl/worksheets/sheet1.xml") == (6, 11)
    finally:
        zf.close()


def test_a_doctype_is_refused_before_any_parser(varied, tmp_path):
    bomb = _edit_sheet(varied, tmp_path / "bomb.xlsx", b"<worksheet",
                       b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><worksheet')
    with pytest.raises(FileRejected) as exc:
        _rows(bomb)
    assert "不安全的 XML 内容" in exc.value.user_message and "bomb.xlsx" in exc.value.user_message


def test_reading_a_roster_loads_no_openpyxl(varied):
    code = ("import sys; from pathlib import Path; from app.services.excel.readers import open_source\n"
            "src = open_source(Path(sys.argv[1])); [list(s.rows()) for s in src.sheets]; src.close()\n"
            "print('openpyxl' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(varied)], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.stdout.strip() == "False", done.stderr[-2000:]
