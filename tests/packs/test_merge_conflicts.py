"""Conflicts are shown side by side and decided by the user, never overwritten; later returns apply once."""

from __future__ import annotations

import json
import shutil

import pytest

from app.services import assessment, choices, evidence
from app.services.packs import collect, seal
from app.services.packs import layout as L
from app.services.packs.create import create_pack
from app.services.packs.folder import PackFolder
from app.services.packs.merge import DecisionNeeded, merge_return, preview_merge
from app.services.packs.merge_plan import CONFLICT, NEW, SAME
from tests.packs.helpers import POINT, fill, school_state
from tests.reliability.helpers import write_file


def _codes(ws, ref):
    from app.services.teachers import resolve
    return [p.code for p in choices.current_choices(ws, resolve(ws, ref).id)]


def test_a_choice_changed_on_both_sides_is_shown_and_not_overwritten(central, central_dir, usb, tmp_path):
    made = create_pack(central, usb, point=POINT)
    choices.set_choices(central, "T002", ["A1", "A3", "A7"])          # the school changes it meanwhile
    pack = PackFolder.open(made.path)
    collect.set_choices(pack, "T002", ["A1", "A3", "A5"])             # and so does the teaching point
    collect.add_hours(pack, "T002", category="网络研修", hours=4)
    seal.seal(pack)

    plan = preview_merge(central, made.path)
    [conflict] = plan.conflicts
    assert (conflict.teacher, conflict.school_side, conflict.point_side, conflict.base) == \
        ("教师丂", "A1、A3、A7", "A1、A3、A5", "A1、A3、A6")
    assert "都改了" in conflict.reason
    state = school_state(central_dir)
    with pytest.raises(DecisionNeeded) as exc:
        merge_return(central, made.path)
    assert exc.value.exit_code == 1 and "A1、A3、A7" in exc.value.full_message()
    assert school_state(central_dir) == state and _codes(central, "T002") == ["A1", "A3", "A7"]

    result = merge_return(central, made.path, decisions={conflict.n: "学校"})
    assert result.counts == {"kept_school": 1, "hours": 1}
    assert _codes(central, "T002") == ["A1", "A3", "A7"]              # the school's choice stands
    assert merge_return(central, made.path).merged is False          # decided once: not asked again


def test_the_teaching_points_choice_wins_only_when_chosen(central, usb, tmp_path):
    made = create_pack(central, usb, point=POINT)
    choices.set_choices(central, "T002", ["A1", "A3", "A7"])
    pack = PackFolder.open(made.path)
    collect.set_choices(pack, "T002", ["A1", "A3", "A5"])
    seal.seal(pack)
    result = merge_return(central, made.path, prefer="教学点")
    assert result.counts == {"choices": 1}
    assert _codes(central, "T002") == ["A1", "A3", "A5"]


def test_a_graded_item_the_teaching_point_replaced_is_a_conflict(central, usb, tmp_path):
    assessment.assess(central, "T000", "A1", "1", "合格", reviewer="教研组")
    old = next(e for e in evidence.list_evidence(central) if e.point_code == "A1" and e.item_id and
               e.teacher_id == 1 and e.item_title == "学情分析方案")
    made = create_pack(central, usb, point=POINT)
    pack = PackFolder.open(made.path)
    new_file = write_file(tmp_path / "src", "学情分析方案（修改稿）.docx", b"revised plan" * 300)
    collect.attach_files(pack, "T000", "1", [new_file], point="A1", replaces=old.id)
    seal.seal(pack)
    spare = tmp_path / "copy" / made.path.name
    shutil.copytree(made.path, spare)
    other_dir = tmp_path / "other-central"
    shutil.copytree(central.paths.root, other_dir)

    [conflict] = preview_merge(central, made.path).conflicts
    assert "合格" in conflict.school_side and "修改稿" in conflict.point_side
    merge_return(central, made.path, decisions={conflict.n: "学校"})
    names = {e.original_name for e in evidence.list_evidence(central, 1) if e.item_id == old.item_id}
    assert names == {old.original_name, "学情分析方案（修改稿）.docx"}     # nothing lost: both kept

    from app.services.workspace import Workspace
    with Workspace.open(other_dir) as ws:
        merge_return(ws, spare, decisions={conflict.n: "教学点"})
        names = {e.original_name for e in evidence.list_evidence(ws, 1) if e.item_id == old.item_id}
        assert names == {"学情分析方案（修改稿）.docx"}
        assert ws.store.verify(next(e.sha256 for e in evidence.list_evidence(ws, 1)
                                    if e.original_name.endswith("（修改稿）.docx")))


def test_an_ungraded_file_is_simply_replaced(central, usb, tmp_path):
    old = next(e for e in evidence.list_evidence(central, 1) if e.point_code == "A1")
    made = create_pack(central, usb, point=POINT)
    pack = PackFolder.open(made.path)
    collect.attach_files(pack, "T000", old.item_id, [write_file(tmp_path, "新.docx", b"new" * 99)], replaces=old.id)
    seal.seal(pack)
    [line] = preview_merge(central, made.path).lines
    assert line.status == NEW and line.kind == "替换证据"
    assert merge_return(central, made.path).counts == {"replaced": 1}
    assert [e.original_name for e in evidence.list_evidence(central, 1) if e.item_id == old.item_id] == ["新.docx"]
    assert not central.store.has(old.sha256) or any(e.sha256 == old.sha256 for e in evidence.list_evidence(central))


def test_a_later_return_merges_only_what_is_new_and_an_undo_removes_what_was_merged(central, usb, tmp_path):
    made = create_pack(central, usb, point=POINT)
    pack = PackFolder.open(made.path)
    first = collect.add_hours(pack, "T000", category="网络研修", hours=6)
    seal.seal(pack)
    assert merge_return(central, made.path).counts == {"hours": 1}
    from app.services.hours import list_hours
    assert [h.hours for h in list_hours(central, 1) if h.source == "教学点采集包"] == [6]

    collect.undo(pack, first.id)                                      # withdrawn after it was merged
    collect.add_hours(pack, "T000", category="网络研修", hours=2)
    second = seal.seal(pack)
    assert second.return_seq == 2
    assert [seq for seq, _ in L.return_bags(made.path)] == [2]          # the older return is superseded
    plan = preview_merge(central, made.path)
    assert plan.already == 1 and sorted(line.kind for line in plan.lines) == ["学时", "撤销"]
    merge_return(central, made.path)
    assert [h.hours for h in list_hours(central, 1) if h.source == "教学点采集包"] == [2]
    assert merge_return(central, made.path).merged is False


def test_an_older_return_is_refused_after_a_newer_one_was_merged(central, central_dir, usb, tmp_path):
    from app.services.packs.returns import ReturnRefused
    made = create_pack(central, usb, point=POINT)
    pack = PackFolder.open(made.path)
    collect.add_hours(pack, "T000", category="网络研修", hours=1)
    seal.seal(pack)
    old_copy = tmp_path / "旧U盘" / made.path.name
    shutil.copytree(made.path, old_copy)
    collect.add_hours(pack, "T000", category="网络研修", hours=2)
    seal.seal(pack)
    merge_return(central, made.path)
    state = school_state(central_dir)
    with pytest.raises(ReturnRefused, match="第 1 次回收，比已经合并的第 2 次旧"):
        merge_return(central, old_copy)
    assert school_state(central_dir) == state


def test_files_already_at_the_school_are_not_added_twice(central, usb, tmp_path):
    made = create_pack(central, usb, point=POINT)
    pack = PackFolder.open(made.path)
    same = write_file(tmp_path, "重复.docx", b"same content" * 100)
    evidence.add_evidence(central, "T000", "A1", "2", same)           # the school got it by hand meanwhile
    collect.attach_files(pack, "T000", "2", [same], point="A1")
    seal.seal(pack)
    [line] = preview_merge(central, made.path).lines
    assert line.status == SAME
    assert merge_return(central, made.path).counts == {"skipped": 1}
    assert len([e for e in evidence.list_evidence(central, 1) if e.original_name == "重复.docx"]) == 1


def test_the_whole_fill_merges_and_is_recorded_per_change(central, usb, tmp_path):
    made = create_pack(central, usb, point=POINT)
    fill(made.path, tmp_path / "src")
    result = merge_return(central, made.path, by="李主任")
    assert result.merged and result.plan.count(NEW) == 5 and not result.plan.count(CONFLICT)
    import sqlite3
    con = sqlite3.connect(central.paths.database)
    outcomes = [r[0] for r in con.execute("SELECT outcome FROM packevent")]
    merges = con.execute("SELECT return_seq, merged_by, summary_json FROM packmerge").fetchall()
    con.close()
    assert outcomes == ["已合并"] * 5
    assert merges[0][:2] == (1, "李主任") and json.loads(merges[0][2])["evidence"] == 2
