"""The import's rules live in the service, so the window and the command line behave the same.

* a write is backed up first ("导入前自动备份"), by the service, whoever imports;
* whether 导入 can go ahead, and why not, is the preview's answer (`blocker`);
* giving a field to another column takes it from the column that had it (`reassign`);
* notices about how the file was read are typed (ReadingNote), not told apart by their wording.
"""

from __future__ import annotations

import contextlib
import io
import json

from app.cli.main import main
from app.services.backup.retention import list_backups
from app.services.excel import import_roster, preview_roster
from app.services.excel.results import ReadingNote
from app.services.workspace import Workspace
from tests.excel.helpers import ROSTER_HEADER, make_id, roster_row, write_rows


def _cli(*args) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_the_command_line_backs_up_before_an_import_that_writes(tmp_path):
    data = str(tmp_path / "data")
    from app.services.school import init_school
    with Workspace.open(data) as w:
        init_school(w, name="测试小学", code="21028100", environment="多媒体", programme_id="wafangdian-2023")
    good = write_rows(tmp_path / "名单.xlsx", [ROSTER_HEADER, roster_row(1), roster_row(2)])
    code, _ = _cli("import", "roster", str(good), "--data-dir", data, "--dry-run")
    assert code == 0
    with Workspace.open(data) as w:
        assert list_backups(w) == []                            # a dry run writes nothing: no backup
    code, out = _cli("import", "roster", str(good), "--data-dir", data)
    assert code == 0 and "导入前已自动备份原有数据" in out
    with Workspace.open(data) as w:
        made = list_backups(w)
    assert [b.label for b in made] == ["导入前自动备份"]
    code, out = _cli("import", "roster", str(good), "--data-dir", data, "--json")
    assert code == 0 and json.loads(out)["backup"] is None      # nothing to write the second time
    with Workspace.open(data) as w:
        assert len(list_backups(w)) == 1


def test_the_preview_says_whether_and_why_not(school, tmp_path):
    bad_id = make_id(2)[:-1] + ("0" if make_id(2)[-1] != "0" else "1")
    file = write_rows(tmp_path / "名单.xlsx", [ROSTER_HEADER, roster_row(1), roster_row(2, 身份证号=bad_id)])
    preview = preview_roster(school, file)
    assert preview.blocker(skip_invalid=False).kind == "errors"
    assert preview.blocker(skip_invalid=False).message == "有 1 行有错误"
    assert preview.blocker(skip_invalid=True) is None
    done = write_rows(tmp_path / "一位.xlsx", [ROSTER_HEADER, roster_row(1)])
    import_roster(school, done)
    again = preview_roster(school, done)
    assert again.blocker(False).kind == "nothing" and "一致" in again.blocker(False).message


def test_a_field_moves_to_the_column_it_is_given(school, tmp_path):
    file = write_rows(tmp_path / "名单.xlsx", [ROSTER_HEADER + ["备用证件号"], roster_row(1) + [""]])
    preview = preview_roster(school, file)
    id_column = next(c.index for c in preview.columns if c.field == "id_number")
    spare = next(c.index for c in preview.columns if c.header == "备用证件号")
    assert preview.reassign(spare, "id_number") == {spare: "id_number", id_column: None}
    assert preview.reassign(spare, None) == {spare: None}


def test_reading_notes_are_typed(school, tmp_path):
    file = write_rows(tmp_path / "名单.xlsx", [ROSTER_HEADER + ["爱好"], roster_row(1) + ["书法"]])
    preview = preview_roster(school, file)
    unused = [n for n in preview.notices if n.startswith("未使用的列")]
    assert unused and all(isinstance(n, ReadingNote) for n in unused)
