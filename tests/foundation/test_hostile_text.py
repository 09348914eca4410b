"""Control and invisible characters: refused in every name-like field, escaped in everything the
command line prints and in log lines (issue 19 item 3); invisible characters in ID numbers
(item 16); hours that are empty or round to 0 (item 14, issue 14 item 12)."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

from app.cli.main import main
from app.errors import ValidationError
from app.services import activities, courses, hours, plans, school, teachers
from app.services.validation import normalize_text, validate_hours, validate_id_number
from app.services.workspace import Workspace
from tests.foundation.school_builder import TEACHER_ID

# C0, DEL, C1 (CSI), bidi override and isolate, zero-width space and joiner, BOM, line separator,
# soft hyphen, a tag character beyond the BMP
HOSTILE = ["\x1b[H\x1b[J", "\x07", "\x7f", "\x9b2J", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff",
           "\u2028", "\u00ad", "\U000e0041"]
ESC_NAME = "\x1b[H\x1b[J钱七"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ws(tmp_path):
    with Workspace.open(tmp_path / "data") as w:
        school.init_school(w, name="测试学校", code="T1", environment="混合", programme_id="national-2.0")
        yield w


@pytest.mark.parametrize("bad", HOSTILE, ids=[f"U+{ord(c[0]):04X}" for c in HOSTILE])
def test_every_name_like_field_refuses_control_characters(ws, bad):
    def refused(fn, *words):
        with pytest.raises(ValidationError) as exc:
            fn()
        assert "控制字符" in exc.value.user_message and f"U+{ord(bad[0]):04X}" in exc.value.user_message
        for w in words:
            assert w in exc.value.user_message
        return exc.value

    err = refused(lambda: teachers.add_teacher(ws, name=f"钱{bad}七", id_number=TEACHER_ID), "姓名")
    assert err.field == "name"
    refused(lambda: teachers.add_teacher(ws, name="钱七", id_number=TEACHER_ID, subject=f"语{bad}文"), "任教学科")
    refused(lambda: school.update_school(ws, name=f"学{bad}校"), "学校名称")
    refused(lambda: school.update_school(ws, address=f"路{bad}1号"), "地址")
    refused(lambda: school.add_teaching_point(ws, f"东{bad}山"), "教学点名称")
    row = teachers.add_teacher(ws, name="钱七", id_number=TEACHER_ID)
    refused(lambda: hours.add_hours(ws, row.id, category="网络研修", hours=2, topic=f"专{bad}题"), "专题")
    refused(lambda: activities.save_activity(ws, None, [row.id], title=f"讲{bad}座", kind="专题讲座",
                                             on_date=date(2026, 10, 9), hours=2, category="实践应用"), "活动名称")
    refused(lambda: courses.save_course(ws, None, title=f"课{bad}程", hours=2), "课程名称")
    refused(lambda: plans.save_plan(ws, kind="校本研修方案", title=f"方{bad}案"), "标题")
    assert teachers.list_teachers(ws) == [row]


def test_notes_keep_line_breaks_but_not_escapes(ws):
    row = teachers.add_teacher(ws, name="钱七", id_number=TEACHER_ID, note="第一行\r\n第二行\t完")
    assert teachers.resolve(ws, row.id if False else "钱七").note == "第一行\n第二行\t完"
    with pytest.raises(ValidationError, match="备注.*U\\+001B"):
        teachers.update_teacher(ws, row.id, note="第一行\x1b[2J")
    assert normalize_text("  王 芳\u3000 ") == "王 芳"


def test_the_command_line_refuses_them_and_names_the_field(capsys, tmp_path):
    data = tmp_path / "data"
    assert run(capsys, "--data-dir", data, "init", "--name", "一校", "--code", "T1", "--environment", "混合")[0] == 0
    code, out, err = run(capsys, "--data-dir", data, "teacher", "add", "--name", ESC_NAME, "--id-number", TEACHER_ID)
    assert code == 2 and "姓名" in err and "U+001B" in err and "\x1b" not in err + out
    code, _, err = run(capsys, "--data-dir", data, "school", "set", "--name", "学校\u202e名")
    assert code == 2 and "学校名称" in err and "U+202E" in err


def _store_raw_name(data, name: str) -> None:
    """A name written before names were checked (or by another program) is still in the file."""
    import sqlite3
    con = sqlite3.connect(data / "tisheng.sqlite3")
    try:
        con.execute("UPDATE teacher SET name = ?", (name,))
        con.commit()
    finally:
        con.close()


def test_stored_control_characters_are_escaped_in_every_output(capsys, tmp_path):
    data = tmp_path / "data"
    run(capsys, "--data-dir", data, "init", "--name", "一校", "--code", "T1", "--environment", "混合")
    run(capsys, "--data-dir", data, "teacher", "add", "--name", "钱七", "--id-number", TEACHER_ID)
    _store_raw_name(data, ESC_NAME + "\u202e\u009b")
    for argv in (["teacher", "list"], ["teacher", "show", TEACHER_ID], ["teacher", "list", "--json"],
                 ["teacher", "show", "没有这个人"], ["check"]):
        code, out, err = run(capsys, "--data-dir", data, *argv)
        text = out + err
        assert not any(c in text for c in "\x1b\u202e\u009b"), (argv, text)
        if argv[0] == "teacher" and "没有这个人" not in argv:
            assert "\\u001b[H\\u001b[J钱七" in text, (argv, text)
    code, out, _ = run(capsys, "--data-dir", data, "teacher", "list", "--json")
    assert json.loads(out)[0]["name"] == ESC_NAME + "\u202e\u009b"      # JSON stays exact


def test_log_lines_escape_control_characters(tmp_path):
    from app.services import logfile
    path = logfile.use_log(tmp_path / "logs" / "t.log")
    try:
        logging.getLogger("app.test").warning("导入 %s 失败\n2026-01-01 INFO 伪造的一行", ESC_NAME)
        try:
            raise ValueError("x")
        except ValueError:
            logging.getLogger("app.test").exception("出错了")
    finally:
        logfile.close_log()
    text = path.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\\u001b[H" in text
    assert "\\u000a2026-01-01 INFO 伪造的一行" in text            # no forged line
    assert "Traceback (most recent call last):\n" in text          # tracebacks keep their lines


def test_an_id_number_with_invisible_characters(ws):
    """18 visible digits with a zero-width space or a BOM copied along are accepted; a control
    character is named, never counted as a 19th digit."""
    assert validate_id_number(TEACHER_ID[:6] + "\u200b" + TEACHER_ID[6:] + "\ufeff") == TEACHER_ID
    assert validate_id_number("\u2060" + TEACHER_ID[:-1] + "\u200d" + TEACHER_ID[-1]) == TEACHER_ID
    with pytest.raises(ValidationError) as exc:
        validate_id_number(TEACHER_ID[:9] + "\x1b" + TEACHER_ID[9:])
    assert "U+001B" in exc.value.user_message and "19" not in exc.value.user_message
    row = teachers.add_teacher(ws, name="钱七", id_number=TEACHER_ID[:3] + "\u200b" + TEACHER_ID[3:])
    assert row.id_number == TEACHER_ID


@pytest.mark.parametrize("raw,words", [("", "学时不能为空"), ("   ", "学时不能为空"), (None, "学时不能为空"),
                                       ("0.001", "太小"), (0.004, "太小"), ("０.００３", "太小"),
                                       ("abc", "不是数字"), ("-1", "正数"), ("300", "超过单条记录上限")])
def test_hours_that_are_empty_or_round_to_zero_are_refused(raw, words):
    with pytest.raises(ValidationError, match=words):
        validate_hours(raw)


def test_hours_keep_two_decimals():
    assert validate_hours("0.01") == 0.01 and validate_hours(1.255) in (1.25, 1.26) and validate_hours("２") == 2


def test_hours_add_refuses_0_001_on_the_command_line(capsys, tmp_path):
    data = tmp_path / "data"
    run(capsys, "--data-dir", data, "demo")
    code, out, err = run(capsys, "--data-dir", data, "hours", "add", "T001", "--category", "网络研修", "--hours",
                         "0.001", "--json")
    assert code == 2 and "太小" in err and json.loads(out)["exit"] == 2
    code, _, err = run(capsys, "--data-dir", data, "hours", "add", "T001", "--category", "网络研修", "--hours", "")
    assert code == 2 and "学时不能为空" in err


def test_the_fast_path_for_plain_text_misses_no_invisible_character():
    """invisible_in answers plain text from str.isprintable() (per cell of a 5,000-row roster); every
    code point it lets through that way must be one the character-by-character check allows too."""
    import sys

    from app.services.validation.controls import invisible_in, is_invisible
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        assert (invisible_in("王" + ch) is not None) == is_invisible(ch), f"U+{cp:04X}"


def test_id_numbers_typed_in_ascii_and_full_width_normalise_alike():
    from app.services.validation.id_number import normalize_id_number
    want = "11010519491231002X"
    for typed in ("11010519491231002x", " 110105 1949-1231 002X ", "１１０１０５１９４９１２３１００２ｘ",
                  "110105\u200b19491231002X", "\ufeff11010519491231002X"):
        assert normalize_id_number(typed) == want, typed
