"""Every part of a workbook openpyxl parses whole is bounded before it is parsed (issue 19 item 5).

The outside run's case: a 2.2 MB .xlsx whose styles.xml unpacks to 60 MB made a dry run take
1.4 GB and 25 s and was then called "已损坏或不完整". Each part now has its own limit (styles,
shared strings wherever [Content_Types].xml puts them, the workbook, relationships, properties),
checked on the zip's directory; the message names the part and the reason.
"""

from __future__ import annotations

import io
import time

import pytest

from app.services.excel import FileRejected, Limits, import_roster
from app.services.excel.safety import DEFAULT_LIMITS
from tests.corpus.make_corpus import part_bomb, roster_rows, write_xlsx_to
from tests.excel.helpers import teachers

MB = 1024 * 1024
SMALL = Limits(part_caps=((r"xl/styles\.xml", 1 * MB), (r"xl/sharedStrings\.xml", 1 * MB),
                          (r"xl/workbook\.xml|\[Content_Types\]\.xml|.*\.rels", MB // 2)))


def _valid() -> bytes:
    buf = io.BytesIO()
    write_xlsx_to(buf, roster_rows(3))
    return buf.getvalue()


@pytest.fixture
def no_openpyxl(monkeypatch):
    """The refusal must come before openpyxl parses anything."""
    import openpyxl
    calls = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: calls.append(a))
    return calls


@pytest.mark.parametrize("part,rename,words", [
    ("xl/styles.xml", None, "样式表异常庞大"),
    ("xl/sharedStrings.xml", None, "共享文字表异常庞大"),
    ("xl/sharedStrings.xml", "xl/strings/bulk.xml", "异常庞大"),     # found through its content type
    ("xl/workbook.xml", None, "工作簿目录异常庞大"),
])
def test_a_bloated_part_is_refused_by_name_and_reason(ws, tmp_path, no_openpyxl, part, rename, words):
    f = tmp_path / "名单.xlsx"
    f.write_bytes(part_bomb(_valid(), part, 3, rename=rename))
    with pytest.raises(FileRejected) as exc:
        import_roster(ws, f, dry_run=True, limits=SMALL)
    msg = exc.value.user_message
    assert "名单.xlsx" in msg and words in msg and "已损坏" not in msg, msg
    assert no_openpyxl == [] and teachers(ws) == {}


def test_the_reported_styles_bomb_is_refused_at_once(ws, tmp_path, no_openpyxl):
    """60 MB of styles in a few MB of file, with the real limits: refused in well under a second
    of work on the zip directory, naming the style sheet."""
    f = tmp_path / "样式炸弹.xlsx"
    f.write_bytes(part_bomb(_valid(), "xl/styles.xml", 60))
    assert f.stat().st_size < 8 * MB
    started = time.monotonic()
    with pytest.raises(FileRejected, match="样式表异常庞大") as exc:
        import_roster(ws, f, dry_run=True)
    assert time.monotonic() - started < 2
    assert "60 MB" in exc.value.user_message or "63 MB" in exc.value.user_message
    assert no_openpyxl == []


def test_honest_parts_below_their_caps_still_import(ws, tmp_path):
    """A workbook with a 1 MB style sheet and 1 MB of shared strings is read normally."""
    data = part_bomb(_valid(), "xl/styles.xml", 1)
    f = tmp_path / "正常.xlsx"
    f.write_bytes(part_bomb(data, "xl/sharedStrings.xml", 1))
    result = import_roster(ws, f, dry_run=True)
    assert result.ok and result.added == 3, result.errors
    assert DEFAULT_LIMITS.part_caps[0][1] == 8 * MB
