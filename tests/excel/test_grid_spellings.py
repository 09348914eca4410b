"""Every spelling of a cell position python-calamine accepts is seen by the byte prescan
(security review: `<c\\nr="Z3000">`, `r="xfd1048576"`, single quotes, a second `r`, namespace
prefixes… were laid out by python-calamine as a grid the prescan never counted, and a far cell in
such a spelling aborted the process).

The oracle is python-calamine itself, read in a child process under an address-space cap: for
modest far cells the scan's bound must cover the grid it really builds; for a far cell at
XFD1048576 the workbook must never reach python-calamine at all."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.excel.safety import open_workbook_zip
from app.services.excel.sheet_scan import prescan, sheet_extent
from tests.corpus.hostile_grid import calamine_grid, part_spellings, spellings, variants
from tests.corpus.make_corpus import rewrite_members, roster_rows, write_xlsx_to

ROOT = Path(__file__).resolve().parents[2]
PART = "xl/worksheets/sheet1.xml"
SPELLINGS = list(spellings("Z3000"))


@pytest.fixture(scope="module")
def valid() -> bytes:
    buf = io.BytesIO()
    write_xlsx_to(buf, roster_rows(12))
    return buf.getvalue()


@pytest.fixture(scope="module")
def modest(valid, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Far cells whose grid python-calamine can build here: 3,000 rows × 26 columns, and 30 rows
    × 18,279 columns (four letters, past XFD)."""
    folder = tmp_path_factory.mktemp("grid")
    out = {}
    for far in ("Z3000", "AAAA30"):
        for name, data in variants(valid, far, rewrite_members).items():
            out[far, name] = folder / f"{far}-{name}.xlsx"
            out[far, name].write_bytes(data)
    return out


@pytest.mark.parametrize("far", ["Z3000", "AAAA30"])
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_scan_covers_the_grid_calamine_builds(modest, far, spelling):
    path = modest[far, spelling]
    grid = calamine_grid(path)
    assert grid is not None and grid[0] >= 3 and grid[1] >= 26, grid    # the spelling is one calamine reads
    zf = open_workbook_zip(path)
    try:
        for chunk in (1 << 20, 4096):
            rows, cols = sheet_extent(zf, PART, chunk)
            assert rows >= grid[0] and cols >= grid[1], (chunk, (rows, cols), grid)
        for cells in (10_000, 50_000, 2_000_000):
            for chunk in (1 << 20, 4096):
                fits = prescan(zf, PART, cells, chunk=chunk, overlap=512)[0]
                assert not (fits and grid[0] * grid[1] > cells), (cells, chunk, grid)
    finally:
        zf.close()


_READ = r"""
import json, resource, sys
from pathlib import Path
cap = 2 << 30
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from app.services.excel import FileRejected
from app.services.excel.readers import open_source
try:
    src = open_source(Path(sys.argv[1]))
    try:
        if src.sheets:
            rows = src.sheets[0].rows()
            said = {"read": str([next(rows) for _ in range(3)][0][1][0])}
        else:
            said = {"sheets": 0}             # the streaming reader does not find the part at all
    finally:
        src.close()
except FileRejected as exc:
    said = {"refused": exc.user_message}
said["calamine"] = "python_calamine" in sys.modules
print(json.dumps(said, ensure_ascii=False))
"""


def _read_in_child(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _READ, str(path)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, f"the reader died (exit {done.returncode}): {done.stderr[-1500:]}"
    return json.loads(done.stdout)


def test_an_ordinary_workbook_is_read_by_calamine(valid, tmp_path):
    """The check below can fail: a plain roster does go through python-calamine."""
    path = tmp_path / "plain.xlsx"
    path.write_bytes(valid)
    assert _read_in_child(path) == {"read": "姓名", "calamine": True}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_far_cell_in_any_spelling_never_reaches_calamine(valid, tmp_path, spelling):
    """A cell at XFD1048576 (a grid of 17 billion cells): streamed by openpyxl, or refused with a
    Chinese message naming the file; python-calamine is never loaded and the process lives."""
    path = tmp_path / f"远处-{spelling}.xlsx"
    path.write_bytes(variants(valid, "XFD1048576", rewrite_members)[spelling])
    said = _read_in_child(path)
    assert said["calamine"] is False, said
    if "refused" in said:
        assert path.name in said["refused"], said
    else:
        assert said["read"] == "姓名", said


PART_SPELLINGS = ["target-in-upper-case", "part-in-upper-case", "relationships-in-upper-case",
                  "dashed-prefix-sheet-tag"]


@pytest.mark.parametrize("spelling", PART_SPELLINGS)
def test_a_sheet_part_named_in_any_spelling_is_prescanned(valid, tmp_path, spelling):
    """python-calamine finds a part whatever the case of its name and a sheet tag under any prefix;
    the prescan looked the names up exactly, skipped what it did not find, and calamine read that
    sheet unscanned. Checked here with calamine's own reading of a modest far cell, then with a
    cell at XFD1048576, which must never reach it."""
    plain = variants(valid, "Z3000", rewrite_members)["two-spaces-before-r"]
    modest = tmp_path / "近处.xlsx"
    modest.write_bytes(part_spellings(plain, rewrite_members)[spelling])
    assert calamine_grid(modest) == (3000, 26)          # calamine does read that sheet
    far = variants(valid, "XFD1048576", rewrite_members)["two-spaces-before-r"]
    path = tmp_path / f"远处-{spelling}.xlsx"
    path.write_bytes(part_spellings(far, rewrite_members)[spelling])
    said = _read_in_child(path)
    assert said["calamine"] is False, said
    assert said.get("read") == "姓名" or said.get("sheets") == 0 or path.name in said.get("refused", ""), said
