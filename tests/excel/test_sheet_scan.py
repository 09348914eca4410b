"""The one pass over a sheet part before python-calamine parses it (sheet_scan.prescan): the
grid bound it clears cheaply must never let a sheet through that sheet_extent would stop, and
it must find what scan_sheet_part finds and any DOCTYPE."""

from __future__ import annotations

import zipfile

import pytest

from app.services.excel.sheet_scan import prescan, scan_sheet_part, sheet_extent
from app.services.safezip import SafeZip


def _part(tmp_path, body: bytes, name="s.xml"):
    f = tmp_path / "z.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr(name, b"<worksheet><sheetData>" + body + b"</sheetData></worksheet>")
    return SafeZip(f)


ROWS = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c><c r="L%d"><v>2</v></c></row>' % (n, n, n) for n in range(1, 300))

CASES = {
    "ordinary": ROWS,
    "a far cell": ROWS + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    "a far row in a near row tag": ROWS + b'<row r="300"><c r="B99999"><v>1</v></c></row>',
    "leading zeros": ROWS + b'<row r="300"><c r="A000000009"><v>1</v></c><c r="A5003"><v>1</v></c></row>',
    "cells placed by order": ROWS + b'<row r="300">' + b"<c/>" * 500 + b"</row>",
    "cells without positions": ROWS + b"<row>" + b'<c t="s"><v>0</v></c>' * 500 + b"</row>",
    "position not first": ROWS + b'<row r="300"><c s="1" r="ZZ300"><v>1</v></c></row>',
    "namespace prefixes": ROWS.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>"),
    # three letters reach ZZZ (18,278 columns), past Excel's last column XFD (16,384)
    "three letters past XFD": b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 9))
    + b'<row r="9"><c r="ZZZ9"><v>1</v></c></row>',
    "a second position, a space before =": ROWS + b'<row r="300"><c r="A300" r ="XFD300"><v>1</v></c></row>',
    "a second position, a space after =": ROWS + b'<row r="300"><c r="A300" r= "XFD300"><v>1</v></c></row>',
    "a second position right after a quote": ROWS + b'<row r="300"><c r="A300" t="n""r="XFD300"><v>1</v></c></row>',
    "a comment": ROWS + b'<!-- <row r="300"><c r="B300"><v>1</v></c></row> -->',
    "a cell inside a cell": ROWS + b'<row r="300"><c r="A300" t="inlineStr"><is><c r="XFD300"/><t>x</t></is></c></row>',
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("cells", [300, 3_600, 5_000, 150_000, 200_000, 2_000_000])
def test_the_bound_never_passes_a_grid_the_exact_walk_stops(tmp_path, case, cells):
    with _part(tmp_path, CASES[case]) as z:
        fits, _scan, doctype = prescan(z, "s.xml", cells, chunk=4096, overlap=512)
        rows, cols = sheet_extent(z, "s.xml", chunk=4096)
    assert not doctype
    if rows * cols > cells:
        assert not fits, (case, rows, cols)


def test_an_ordinary_sheet_is_cleared_by_the_bound(tmp_path):
    with _part(tmp_path, ROWS) as z:
        assert prescan(z, "s.xml", 2_000_000)[0]
        assert sheet_extent(z, "s.xml") == (299, 12)


def test_prescan_finds_what_scan_sheet_part_finds(tmp_path):
    body = (b'<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f>1+1</f><v></v></c>'
            b'<c r="C1" t="e"><v>#N/A</v></c></row>' + ROWS.replace(b'<row r="1">', b'<row r="1000">', 1))
    with _part(tmp_path, body + b'</sheetData><mergeCells><mergeCell ref="A3:B5"/></mergeCells><sheetData>') as z:
        _fits, scan, _doctype = prescan(z, "s.xml", 2_000_000, chunk=512, overlap=256)
        assert scan == scan_sheet_part(z, "s.xml")
    assert scan.uncached == [(1, 2)] and scan.merged == [(3, 1, 5, 2)] and scan.errors == {(1, 3): "#N/A"}


@pytest.mark.parametrize("mark", [b"<!DOCTYPE x>", b'<!ENTITY a "b">'])
def test_prescan_finds_a_doctype_anywhere(tmp_path, mark):
    with _part(tmp_path, ROWS + mark + ROWS) as z:
        assert prescan(z, "s.xml", 2_000_000, chunk=1024, overlap=256)[2]


@pytest.mark.parametrize("hidden", [b"<!-- x -->", b"<![CDATA[ x ]]>", b"<?pi x?>"])
def test_comments_cdata_and_instructions_are_never_laid_out_in_a_grid(tmp_path, hidden):
    """python-calamine skips what they hold and a byte scan cannot: such a sheet (no spreadsheet
    program writes one) goes to the streaming reader."""
    with _part(tmp_path, ROWS[:200] + hidden) as z:
        assert not prescan(z, "s.xml", 2_000_000)[0]
        assert sheet_extent(z, "s.xml")[0] >= 1 << 40


def test_a_tag_cut_by_a_less_than_sign_in_a_value_is_measured_whole(tmp_path):
    # the pieces are cut at their last "<": here one inside the value, 3,000 bytes before the tag ends
    body = ROWS + b'<row r="300"><c x="<' + b"a" * 3000 + b'" r="XFD300"><v>1</v></c></row>'
    with _part(tmp_path, body) as z:
        assert sheet_extent(z, "s.xml", chunk=1024) == (300, 16384)


# A far cell spelt every way the quick checks must not miss: separators before `r`, around `=`,
# quotes, letters of either case and any count of letters and digits, among ordinary rows.
_SEPARATORS = [b" ", b"\t", b"\n", b"\r\n", b"\x0c", b"\x0b", b'"']


def _far_cell(rnd) -> bytes:
    sep = rnd.choice(_SEPARATORS) if rnd.random() < 0.5 else b" "
    eq = rnd.choice([b"=", b" =", b"= ", b"\t=\t", b"=\n"]) if rnd.random() < 0.3 else b"="
    quote = b"'" if rnd.random() < 0.2 else b'"'
    letters = "".join(rnd.choice("ABCXYZ") for _ in range(rnd.randint(0, 3)))
    letters = letters.lower() if rnd.random() < 0.2 else letters
    digits = str(rnd.randint(1, 10 ** rnd.randint(1, 7) - 1)).encode()
    # (a plain position first and the far one after it: where several are given the largest counts)
    attrs = rnd.choice([b' s="1"', b' r="B5"', b' r="B5" t="n"']) if rnd.random() < 0.4 else b""
    return (b"<c" + attrs + sep + b"r" + eq + quote + letters.encode() + digits + quote + b"><v>1</v></c>")


@pytest.mark.parametrize("seed", range(300))
def test_a_far_cell_spelt_any_way_is_never_passed_by_the_quick_checks(tmp_path, seed):
    import random

    from app.services.excel.sheet_scan import _sheet_extent_by_order
    rnd = random.Random(seed)
    near = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c><c r="F%d"><v>2</v></c></row>' % (n, n, n)
                    for n in range(1, rnd.randint(2, 400)))
    body = near + b'<row r="500">' + _far_cell(rnd) + b"</row>"
    cells = rnd.choice([3_000, 100_000, 2_000_000])
    with _part(tmp_path, body) as z:
        fits, _scan, _doctype = prescan(z, "s.xml", cells, chunk=rnd.choice([1024, 1 << 20]), overlap=256)
        rows, cols = _sheet_extent_by_order(z, "s.xml", 1 << 20)
    if rows * cols > cells:
        assert not fits, (body[-80:], rows, cols, cells)
