"""Workbooks whose far cell is written in every spelling python-calamine accepts (security review:
`<c\\nr="XFD1048576">` and `r="xfd1048576"` slipped past the byte prescan, so python-calamine laid
out a grid of 17 billion cells and the process aborted).

`variants(valid, far)` rewrites a valid workbook (make_corpus.rewrite_members) with one extra
row holding a cell at `far` ("Z3000", "XFD1048576", …) spelled one way per variant.
`calamine_grid(path)` is what python-calamine really lays the first sheet out as, read in a child
process under an address-space cap, so a huge allocation fails there instead of eating the machine.
`grid_cases(add, valid, rewrite_members)` registers the huge variants in the bad-input corpus.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROOT = Path(__file__).resolve().parents[2]


def _split(far: str) -> tuple[bytes, bytes]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", far)
    assert m, far
    return m.group(1).encode(), m.group(2).encode()


def spellings(far: str, near: bytes = b"14") -> dict[str, bytes]:
    """One row of sheet XML per spelling, each placing a cell at `far` (or, for the spellings
    that place cells by order, at least as far). A cell that carries its own position sits in a
    row tag numbered `near` (python-calamine places it by its own position, so the far row shows
    nowhere else)."""
    col, row = _split(far)
    ref = col + row
    v = b"<v>1</v></c></row>"
    ordered = b"<c><v>1</v></c>" * _columns(col)      # cells without positions, one per column
    before = str(int(row) - 1).encode()
    return {
        "newline-before-r": b'<row r="%s"><c\nr="%s">%s' % (near, ref, v),
        "tab-before-r": b'<row r="%s"><c\tr="%s">%s' % (near, ref, v),
        "cr-before-r": b'<row r="%s"><c\rr="%s">%s' % (near, ref, v),
        "two-spaces-before-r": b'<row r="%s"><c  r="%s">%s' % (near, ref, v),
        "single-quotes": b"<row r='%s'><c r='%s'>%s" % (near, ref, v),
        "spaces-around-equals": b'<row r = "%s"><c r = "%s">%s' % (near, ref, v),
        "lower-case": b'<row r="%s"><c r="%s">%s' % (near, ref.lower(), v),
        "mixed-case": b'<row r="%s"><c r="%s">%s' % (near, col[:1].lower() + col[1:] + row, v),
        "position-last": b'<row r="%s"><c t="n" r="%s">%s' % (near, ref, v),
        "no-space-after-quote": b'<row r="%s"><c t="n"r="%s">%s' % (near, ref, v),
        "second-position-wins": b'<row r="%s"><c r="A%s" r="%s">%s' % (near, near, ref, v),
        "second-position-odd": b'<row r="%s"><c r="A%s" r = \'%s\'>%s' % (near, near, ref, v),
        "namespace-prefix": b'<row r="%s"><x:c xmlns:x="%s" r="%s"><x:v>1</x:v></x:c></row>' % (near, MAIN_NS, ref),
        "dashed-prefix": b'<row r="%s"><a-b:c xmlns:a-b="%s" r="%s"><a-b:v>1</a-b:v></a-b:c></row>'
                         % (near, MAIN_NS, ref),
        "gt-in-other-value": b'<row r="%s"><c x="a>b" r="%s">%s' % (near, ref, v),
        "lt-in-other-value": b'<row r="%s"><c x="a<b" r="%s">%s' % (near, ref, v),
        "leading-zeros": b'<row r="%s"><c r="%s000%s">%s' % (near, col, row, v),
        "row-newline-cells-by-order": b'<row\nr="%s">%s</row>' % (row, ordered),
        "row-lower-letters-cells-by-order": b'<row r="%s">%s</row>' % (col.lower() + row, ordered),
        "cells-after-row-end": b'<row r="%s"></row><row>%s</row>' % (before, ordered),
        "empty-row-then-cells": b'<row r="%s"/>%s' % (before, ordered),
    }


def _columns(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def variants(valid: bytes, far: str, rewrite_members) -> dict[str, bytes]:
    """The valid workbook once per spelling, the far row added at the end of its first sheet."""
    out = {}
    for name, row in spellings(far).items():
        def change(member, data, row=row):
            if member == "xl/worksheets/sheet1.xml":
                assert b"</sheetData>" in data
                data = data.replace(b"</sheetData>", row + b"</sheetData>")
            return member, data
        out[name] = rewrite_members(valid, change)
    return out


_CHILD = r"""
import json, resource, sys
cap = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
sheet = wb.get_sheet_by_name(wb.sheet_names[0])
print(json.dumps({"end": sheet.end}))
"""


def calamine_grid(path: Path, memory: int = 1 << 30) -> tuple[int, int] | None:
    """(rows, columns) python-calamine lays the first sheet out in, counted from A1 (its
    allocation is no larger), or None when it refuses the sheet. Raises if the child died,
    which is what a huge grid does even under the cap."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(memory)], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if done.returncode != 0:
        if "CalamineError" in done.stderr:
            return None
        raise RuntimeError(f"python-calamine died on {path.name}: {done.stderr[-500:]}")
    end = json.loads(done.stdout)["end"]
    return (0, 0) if end is None else (end[0] + 1, end[1] + 1)


def grid_cases(add, valid: bytes, rewrite_members) -> None:
    """Every spelling of a cell at XFD1048576: never a crash, an abort or a memory blow-up; read by
    the streaming reader or refused with a message naming the file."""
    far = variants(valid, "XFD1048576", rewrite_members)
    for name, data in far.items():
        add(f"grid-{name}", data, "roster", "either")
    for name, data in part_spellings(far["two-spaces-before-r"], rewrite_members).items():
        add(f"grid-{name}", data, "roster", "either")


def part_spellings(data: bytes, rewrite_members) -> dict[str, bytes]:
    """The workbook `data` with its first sheet's part named in other ways python-calamine still
    finds (it compares part names ignoring case and reads tags by local name)."""
    rels = "xl/_rels/workbook.xml.rels"

    def edit(name: str, change):
        return rewrite_members(data, lambda n, d: (n, change(d)) if n == name else (n, d))
    return {
        "target-in-upper-case": edit(rels, lambda d: d.replace(b"worksheets/sheet1.xml", b"WORKSHEETS/SHEET1.XML")),
        "part-in-upper-case": rewrite_members(data, lambda n, d: ("xl/worksheets/SHEET1.xml", d)
                                              if n == "xl/worksheets/sheet1.xml" else (n, d)),
        "relationships-in-upper-case": rewrite_members(data, lambda n, d: ("xl/_rels/WORKBOOK.xml.rels", d)
                                                       if n == rels else (n, d)),
        "dashed-prefix-sheet-tag": edit("xl/workbook.xml", lambda d: d.replace(
            b"<sheet ", b'<a-b:sheet xmlns:a-b="%s" ' % MAIN_NS)),
    }
