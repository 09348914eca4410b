"""Creating a pack: what it holds, who is in it, packs out, the audit log and the instruction sheet."""

from __future__ import annotations

import json
import subprocess

import pytest

from app.errors import RuleViolation, StorageError
from app.services import faults, teachers
from app.services.dashboard import load_dashboard
from app.services.packs import layout as L
from app.services.packs import registry
from app.services.packs.create import create_pack, preview_pack
from app.services.packs.folder import PackFolder
from app.services.packs.sheet import write_sheet
from app.services.programmes import current_rules, programme_hash
from tests.packs.helpers import POINT, school_state


def test_the_pack_carries_the_programme_as_applied_and_what_is_missing(central, usb):
    made = create_pack(central, usb, point=POINT, by="中心校教务")
    pack = PackFolder.open(made.path)
    with central.sessions() as s:
        assert programme_hash(pack.document.programme) == programme_hash(current_rules(s).data)
    assert pack.document.school_code == "T001" and pack.document.scope_name == POINT
    t = pack.state().teacher(1)
    assert t.choices == ("A1", "A3", "A6") and len(t.teacher.files) == 2 and t.todo > 0
    assert (made.path / L.README).read_bytes().startswith(b"\xef\xbb\xbf")      # Notepad reads it as UTF-8
    assert made.pack.status == "已发出" and made.pack.created_by == "中心校教务"


def test_teachers_who_left_are_not_in_the_pack(central, usb):
    t = teachers.resolve(central, "T002")
    teachers.update_teacher(central, t.id, status="调离")
    pack = PackFolder.open(create_pack(central, usb, point=POINT).path)
    assert [x.name for x in pack.document.teachers] == ["教师一", "教师丁"]


def test_a_second_pack_for_the_same_teachers_needs_replace(central, usb):
    first = create_pack(central, usb, point=POINT)
    with pytest.raises(RuleViolation) as exc:
        create_pack(central, usb, teachers=["T001"])
    assert first.pack.short_id in exc.value.full_message() and "--replace" in exc.value.full_message()
    second = create_pack(central, usb, teachers=["T001"], replace=True)
    assert second.withdrawn and [r.status for r in registry.list_packs(central)] == ["已发出", "已作废"]
    assert [r.pack_id for r in registry.packs_out(central)] == [second.pack.pack_id]


def test_packs_out_are_on_the_dashboard_and_in_the_audit_log(central, usb):
    assert load_dashboard(central).packs_out == ()
    made = create_pack(central, usb, point=POINT, by="张主任")
    out = load_dashboard(central).packs_out
    assert [p.scope_name for p in out] == [POINT] and out[0].days_out() == 0
    [entry] = registry.pack_audit(central, made.pack.pack_id)
    assert entry["action"] == "pack-create" and entry["by"] == "张主任" and entry["teachers"] == 3


def test_a_failed_write_leaves_neither_a_folder_nor_a_record(central, central_dir, usb):
    import errno
    state = school_state(central_dir)

    def stick_pulled():
        raise OSError(errno.EIO, "I/O error")

    faults.inject("pack.create.readback", stick_pulled)
    try:
        with pytest.raises(StorageError, match="U盘可能已拔出"):
            create_pack(central, usb, point=POINT)
    finally:
        faults.inject("pack.create.readback", None)
    assert list(usb.iterdir()) == [] and school_state(central_dir) == state
    assert create_pack(central, usb, point=POINT).pack.status == "已发出"


def test_a_missing_stick_is_refused_before_anything_is_written(central, central_dir, tmp_path):
    state = school_state(central_dir)
    with pytest.raises(StorageError, match="不存在"):
        create_pack(central, tmp_path / "没有插入的U盘", point=POINT)
    assert school_state(central_dir) == state


def test_the_preview_shows_what_a_pack_would_hold(central):
    preview = preview_pack(central, group="数学组")
    assert [t.teacher.name for t in preview.state.teachers] == ["教师丁", "本部老师"]
    assert all("*" in t.teacher.id_masked for t in preview.state.teachers)


def test_the_instruction_sheet_is_one_page_of_chinese(central, usb, tmp_path):
    made = create_pack(central, usb, point=POINT)
    pdf = write_sheet(PackFolder.open(made.path).state(), tmp_path / "说明.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for words in ("教学点证据采集说明", POINT, "教师一", "教师丁", "教师丂", "送教下乡", "完成采集", made.pack.short_id):
        assert words in text, words
    assert "330102" not in text                                          # no ID numbers on paper


def test_many_teachers_still_fit_one_page(central, usb, tmp_path):
    from tests.reliability.helpers import valid_id
    ids = [teachers.add_teacher(central, name="组员" + chr(0x4e00 + 100 + n), id_number=valid_id(200 + n), staff_no=f"G{n:02d}").id
           for n in range(30)]
    from app.services import teams
    g = teams.find_group(central, "数学组")
    teams.join_group(central, g.id, ids)
    made = create_pack(central, usb, group="数学组")
    pdf = write_sheet(PackFolder.open(made.path).state(), tmp_path / "说明.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    assert json.loads((made.path / L.PACK_FILE).read_text(encoding="utf-8"))["teachers"].__len__() == 32
