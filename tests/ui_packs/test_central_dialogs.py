"""The central school's side in the window: 生成采集包 (what it holds, the sheet) and the merge preview
(every line shown, conflicts decided side by side before 合并 is possible)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import choices
from app.services.packs import collect, registry, seal
from app.services.packs.create import create_pack
from app.services.packs.folder import PackFolder
from app.services.teachers import resolve
from app.ui.pack.create_dialog import CreatePackDialog
from app.ui.pack.merge_dialog import MergeDialog
from tests.packs.helpers import POINT, school_state
from tests.reliability.helpers import write_file
from tests.ui.conftest import settle


def test_create_dialog_shows_the_pack_then_writes_it_and_its_sheet(central, usb, qtbot, dialogs, tmp_path):
    dialog = CreatePackDialog(central, point=POINT, dest=str(usb))
    qtbot.addWidget(dialog)
    dialog.show()
    settle()
    assert dialog.name.currentText() == POINT
    rows = dialog.table.visible_rows()
    assert [r.teacher.name for r in rows] == ["教师一", "教师丁", "教师丂"]
    assert all("*" in dialog.table.model.index(i, 1).data() for i in range(3))      # ID numbers masked
    assert "教师 3 人" in dialog.summary.text()
    dialog.grab().save(str(tmp_path / "生成采集包.png"))
    dialog.create_button.click()
    settle()
    made = dialog.result_value
    assert made is not None and made.path.is_dir() and "已生成" in dialog.done_label.text()
    assert [p.scope_name for p in registry.packs_out(central)] == [POINT]
    dialogs.save_file = str(tmp_path / "说明.pdf")
    dialog.sheet_button.click()
    settle()
    assert Path(dialogs.save_file).read_bytes().startswith(b"%PDF") and dialogs.opened == [dialogs.save_file]


def test_create_dialog_for_a_group_and_a_second_pack_needs_the_replace_box(central, usb, qtbot, dialogs):
    create_pack(central, usb, point=POINT)
    dialog = CreatePackDialog(central, dest=str(usb))
    qtbot.addWidget(dialog)
    dialog.show()
    settle()
    dialog.kind.setCurrentText("研修组")
    settle()
    assert [r.teacher.name for r in dialog.table.visible_rows()] == ["教师丁", "本部老师"]
    assert dialog.replace.isVisibleTo(dialog) and "尚未收回" in dialog.summary.text()
    dialog.create_button.click()
    settle()
    assert dialog.result_value is None and any("--replace" in t or "作废" in t for t in dialogs.texts())
    dialog.replace.setChecked(True)
    dialog.create_button.click()
    settle()
    assert dialog.result_value is not None
    assert [r.status for r in registry.list_packs(central)] == ["已发出", "已作废"]


@pytest.fixture
def returned(central, usb, tmp_path) -> Path:
    made = create_pack(central, usb, point=POINT)
    choices.set_choices(central, "T002", ["A1", "A3", "A7"])
    pack = PackFolder.open(made.path)
    collect.set_choices(pack, "T002", ["A1", "A3", "A5"])
    collect.attach_files(pack, "T000", "2", [write_file(tmp_path, "报告.docx", b"r" * 300)], point="A1")
    collect.add_hours(pack, "T001", category="网络研修", hours=5)
    seal.seal(pack, by="王老师")
    return made.path


def test_merge_preview_shows_everything_and_waits_for_each_conflict(central, central_dir, returned, qtbot, dialogs,
                                                                    tmp_path):
    dialog = MergeDialog(central, path=str(returned))
    qtbot.addWidget(dialog)
    dialog.show()
    state = school_state(central_dir)
    dialog.run_preview()
    settle()
    lines = dialog.lines.visible_rows()
    assert sorted(line.kind for line in lines) == ["学时", "能力点", "证据文件"]
    assert "核验通过" in dialog.summary.text() and "冲突 1 项" in dialog.summary.text()
    [(conflict, decided)] = dialog.conflicts.visible_rows()
    assert (conflict.school_side, conflict.point_side, decided) == ("A1、A3、A7", "A1、A3、A5", None)
    assert not dialog.merge_button.isEnabled()                     # nothing merged unseen or undecided
    dialog.grab().save(str(tmp_path / "合并预览.png"))
    assert school_state(central_dir) == state
    dialog.act_point.trigger()
    assert dialog.merge_button.isEnabled()
    dialog.by.setText("李主任")
    dialog.merge_button.click()
    settle()
    assert "已合并回收包" in dialog.result.text()
    assert any("合并前的备份" in t for t in dialogs.texts("information"))
    from app.services.choices import current_choices
    assert [p.code for p in current_choices(central, resolve(central, "T002").id)] == ["A1", "A3", "A5"]
    assert registry.list_packs(central)[0].status == "已收回"


def test_a_tampered_return_is_refused_in_the_preview(central, central_dir, returned, qtbot, dialogs):
    from app.services.packs import layout as L
    bag = L.return_bags(returned)[-1][1]
    (bag / "data" / "changes.json").write_bytes((bag / "data" / "changes.json").read_bytes().replace(b'"hours": 5',
                                                                                                    b'"hours": 50'))
    dialog = MergeDialog(central, path=str(returned))
    qtbot.addWidget(dialog)
    dialog.show()
    state = school_state(central_dir)
    dialog.run_preview()
    settle()
    assert "未合并任何内容" in dialog.summary.text() and dialog.lines.model.rowCount() == 0
    assert not dialog.merge_button.isEnabled() and school_state(central_dir) == state


def test_the_school_page_offers_both_and_the_dashboard_lists_packs_out(window, tmp_path, dialogs):
    page = window.go_to("学校信息")
    settle()
    menu = [a.text() for a in page.pack_button.menu().actions()]
    assert menu == ["生成采集包…", "合并采集包…"]
    page.points.select_key(page.points.visible_rows()[0].id)
    page.act_create_pack.trigger()
    settle()
    assert isinstance(page.dialog, CreatePackDialog) and page.dialog.name.currentText() == "东山教学点"
    stick = tmp_path / "U盘"
    stick.mkdir()
    page.dialog.dest.setText(str(stick))
    page.dialog.create_button.click()
    settle()
    page.dialog.reject()
    window.go_to("首页")
    settle()
    assert "采集包 教学点“东山教学点”：" in window.page("首页").plans_text.text()
    page = window.go_to("学校信息")
    page.act_merge_pack.trigger()
    assert isinstance(page.dialog, MergeDialog)
    page.dialog.reject()
