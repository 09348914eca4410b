"""Collecting at the teaching point: the programme's rules offline, files copied crash-safely, nothing
saved ever lost, a damaged stick named rather than guessed."""

from __future__ import annotations

import errno
import os

import pytest

from app.errors import NotFoundError, RuleViolation, StorageError, ValidationError
from app.services import dashboard, faults, school
from app.services.choices import rule_problems
from app.services.packs import collect, seal
from app.services.packs import layout as L
from app.services.packs.create import create_pack
from app.services.packs.folder import NotAPackError, PackFolder
from app.services.packs.jsonio import PackDataError
from tests.packs.helpers import POINT
from tests.reliability.helpers import write_file


@pytest.fixture
def pack(central, usb) -> PackFolder:
    return PackFolder.open(create_pack(central, usb, point=POINT).path)


def test_point_choices_follow_the_programme_as_the_school_applies_it(central, usb):
    school.update_teaching_point(central, school.find_teaching_point(central, POINT).id, environment="多媒体")
    pack = PackFolder.open(create_pack(central, usb, point=POINT).path)
    doc = pack.document
    with pytest.raises(RuleViolation) as exc:
        collect.set_choices(pack, "T000", ["A1", "A3", "B1"])
    expected = rule_problems(doc.rules.micro, "多媒体", [doc.points[c] for c in ("A1", "A3", "B1")])
    assert exc.value.details == expected and "适用于混合学习环境" in " ".join(expected)
    with pytest.raises(RuleViolation) as exc:
        collect.set_choices(pack, "T000", ["A1", "A3"])
    assert "至少选择 3 个能力点，已选 2 个" in exc.value.details
    with pytest.raises(RuleViolation, match="已为能力点 A1"):              # files there: ask first
        collect.set_choices(pack, "T000", ["A11", "A3", "A6"])
    assert collect.set_choices(pack, "T000", ["A3", "A6", "A11"], confirm_drop=True).data["codes"] == ["A3", "A6", "A11"]
    assert pack.state().teacher(1).choices == ("A3", "A6", "A11")
    assert collect.set_choices(pack, "T000", ["A11", "A3", "A6"]) is None   # unchanged: nothing saved


def test_missing_items_and_hours_shrink_as_things_are_added(pack, tmp_path):
    before = pack.state().teacher(1)
    assert "A1-2 学情分析报告" in [i.item.label for i in before.missing_items]
    collect.attach_files(pack, "T000", "学情分析报告", [write_file(tmp_path, "报告.docx", b"r" * 100)], point="A1")
    collect.add_hours(pack, "T000", category="网络研修", hours=8, on_date="2026-11-01")
    after = pack.state().teacher(1)
    assert len(after.missing_items) == len(before.missing_items) - 1
    assert after.counted.total == before.counted.total + 8


def test_hours_are_counted_as_the_school_counts_them(central, pack):
    progress = dashboard.teacher_progress(central)
    for t in pack.state().teachers:
        assert t.counted.total == progress[t.teacher.id].total_hours


def test_wrong_input_is_refused_with_a_message(pack, tmp_path):
    f = write_file(tmp_path, "a.docx", b"a")
    with pytest.raises(NotFoundError, match="只能为所选能力点"):
        collect.attach_files(pack, "T000", "1", [f], point="B1")
    with pytest.raises(NotFoundError, match="不在这个采集包中"):
        collect.add_hours(pack, "本部老师", category="网络研修", hours=1)
    with pytest.raises(ValidationError, match="不属于本校项目方案"):
        collect.add_hours(pack, "T000", category="自学", hours=1)
    with pytest.raises(ValidationError, match="活动类型"):
        collect.add_activity(pack, title="x", kind="旅游", on_date="2026-11-01", hours=1, category="网络研修",
                             teachers=["T000"])
    big = tmp_path / "大视频.mp4"
    with open(big, "wb") as fh:
        fh.truncate(4 * 1024 ** 3)                         # sparse: no 4 GB written
    with pytest.raises(ValidationError, match="超过 4 GB"):
        collect.attach_files(pack, "T000", "1", [big], point="A1")
    assert pack.read_changes() == []


def test_a_file_already_there_is_not_added_twice(pack, tmp_path):
    f = write_file(tmp_path, "教案.docx", b"same" * 50)
    first = collect.attach_files(pack, "T000", "2", [f], point="A1")
    again = collect.attach_files(pack, "T000", "2", [f], point="A1")
    assert len(first.changes) == 1 and again.changes == () and "没有重复添加" in again.skipped[0]


def test_a_stick_pulled_mid_copy_loses_nothing_already_saved(pack, tmp_path):
    kept = collect.add_hours(pack, "T000", category="网络研修", hours=3)
    saved = {p.name: p.read_bytes() for p in pack.changes_dir.iterdir()}
    video = write_file(tmp_path, "课堂实录.mp4", os.urandom(300_000))

    def pulled():
        raise OSError(errno.EIO, "Input/output error")

    faults.inject("pack.collect.file_copied", pulled)
    try:
        with pytest.raises(StorageError, match="U盘可能已拔出或损坏"):
            collect.attach_files(pack, "T000", "2", [video], point="A1")
    finally:
        faults.inject("pack.collect.file_copied", None)
    assert {p.name: p.read_bytes() for p in pack.changes_dir.iterdir()} == saved
    reopened = PackFolder.open(pack.root)                  # the next start sweeps what the copy left
    assert not any((pack.files_dir / "incoming").iterdir())
    assert [c.id for c in reopened.read_changes()] == [kept.id]
    collect.attach_files(reopened, "T000", "2", [video], point="A1")
    assert len(reopened.read_changes()) == 2


def test_a_kill_between_copy_and_record_leaves_an_unused_file_and_a_retry_works(pack, tmp_path):
    video = write_file(tmp_path, "v.mp4", os.urandom(50_000))
    faults.inject("pack.collect.change_written", lambda: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    try:
        with pytest.raises(StorageError, match="空间不足"):
            collect.attach_files(pack, "T000", "2", [video], point="A1")
    finally:
        faults.inject("pack.collect.change_written", None)
    assert pack.read_changes() == [] and not [p for p in pack.changes_dir.iterdir()]
    assert len(collect.attach_files(pack, "T000", "2", [video], point="A1").changes) == 1


def test_a_damaged_change_file_is_named_and_left_out(pack, tmp_path):
    good = collect.add_hours(pack, "T000", category="网络研修", hours=3)
    bad = collect.add_hours(pack, "T001", category="网络研修", hours=4)
    path = pack.changes_dir / L.change_name(bad.seq, bad.id)
    path.write_bytes(path.read_bytes()[:20])                 # what a pulled FAT32 stick can leave
    assert [c.id for c in pack.read_changes()] == [good.id]
    assert pack.problems and pack.problems[0].name == path.name
    result = seal.seal(pack)
    assert result.changes == 1 and "已损坏" in result.warnings[0]


def test_a_file_lost_from_the_stick_stops_the_seal_until_it_is_removed(pack, tmp_path):
    change = collect.attach_files(pack, "T000", "2", [write_file(tmp_path, "x.docx", b"x" * 10)], point="A1").changes[0]
    pack.file_path(change.data["file"].sha256).unlink()
    with pytest.raises(StorageError, match="缺失或已损坏") as exc:
        seal.seal(pack)
    assert "教师一" in exc.value.full_message() and "x.docx" in exc.value.full_message()
    collect.undo(pack, change.id)
    assert seal.seal(pack).return_seq == 1


def test_undo_only_takes_back_what_was_added_here(pack):
    c = collect.add_hours(pack, "T000", category="网络研修", hours=3)
    collect.undo(pack, c.id)
    assert all(h.key != c.id for h in pack.state().teacher(1).hours)
    with pytest.raises(NotFoundError, match="学校已有的记录不能"):
        collect.undo(pack, c.id)


def test_finding_the_pack_and_refusing_what_is_not_one(pack, tmp_path):
    assert PackFolder.open(pack.root.parent).root == pack.root            # the stick itself holds one pack
    with pytest.raises(NotAPackError, match="没有采集包"):
        PackFolder.open(tmp_path / "src" if (tmp_path / "src").exists() else tmp_path.parent)
    partial = pack.root.with_name(pack.root.name + ".partial")
    partial.mkdir()
    with pytest.raises(NotAPackError, match="没有生成完"):
        PackFolder.open(partial)
    (pack.root / L.PACK_FILE).write_text('{"format": "tisheng-collection-pack", "format_version": 1, "pro',
                                         encoding="utf-8")
    with pytest.raises(PackDataError, match="不是有效的 json 数据"):
        PackFolder.open(pack.root)
    (pack.root / L.PACK_FILE).write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    with pytest.raises(PackDataError):
        PackFolder.open(pack.root)


def test_single_teacher_and_group_packs(central, usb, tmp_path):
    from app.services.packs.merge import merge_return
    group = create_pack(central, usb, group="数学组")
    assert [t.name for t in PackFolder.open(group.path).document.teachers] == ["教师丁", "本部老师"]
    one = create_pack(central, usb, teachers=["T000"])
    pack = PackFolder.open(one.path)
    assert [t.name for t in pack.document.teachers] == ["教师一"]
    collect.attach_files(pack, "教师一", "2", [write_file(tmp_path, "学情.docx", b"s" * 40)], point="A1")
    seal.seal(pack)
    assert merge_return(central, one.path).counts == {"evidence": 1}
