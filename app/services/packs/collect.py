"""What a teaching point does with its pack: attach files, record hours and activities, change points.

Each operation checks its input against the pack (the teacher is in it, the item is required of
them, the category belongs to the programme, the new points keep the programme's rule – the same
`rule_problems` the school runs), copies any file in (verified), and then saves one change file:
that last write is the commit point, so an interrupted operation either happened or did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.errors import NotFoundError, RuleViolation, ValidationError
from app.services.choices import normalise_codes, rule_problems
from app.services.naming import clean_text
from app.services.packs.changes import (ACTIVITY_ADD, CHOICES_SET, EVIDENCE_ADD, HOURS_ADD, SEALED, UNDO, Change,
                                        FileRef, make_change)
from app.services.packs.document import PackTeacher
from app.services.packs.folder import PackFolder
from app.services.packs.state import PackState
from app.services.progress import NO_PROGRESS, Progress
from app.services.store import display_name
from app.services.validation import normalize_text, parse_date, validate_hours


class DuplicateFileError(RuleViolation):
    pass


def find_teacher(pack: PackFolder, ref: str | int) -> PackTeacher:
    """A teacher of this pack by number, 工号 or (unique) name."""
    doc = pack.document
    if isinstance(ref, int):
        t = doc.teacher(ref)
        if t is None:
            raise NotFoundError("该教师不在这个采集包中。")
        return t
    text = normalize_text(ref)
    by_no = [t for t in doc.teachers if t.staff_no and t.staff_no == text]
    by_name = [t for t in doc.teachers if t.name == text]
    found = by_no or by_name
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise NotFoundError(f"采集包中有 {len(found)} 位教师叫“{text}”，请改用工号指定。")
    names = "、".join(t.name for t in doc.teachers[:20])
    raise NotFoundError(f"教师“{text}”不在这个采集包中。包中的教师：{names}。")


def _state(pack: PackFolder) -> PackState:
    return pack.state()


def _item_for(state: PackState, teacher: PackTeacher, item_ref: str | int, point: str | None = None):
    ts = state.teacher(teacher.id)
    entries = list(ts.items)
    if isinstance(item_ref, int):
        found = [e for e in entries if e.item.id == item_ref]
    else:
        text = normalize_text(item_ref)
        code = (point or "").strip().upper() or None
        if code == "个人":
            code = None
        found = [e for e in entries if (point is None or e.item.point == code)
                 and (text == str(e.item.seq) or text == e.item.title or text == e.item.label)]
    if len(found) != 1:
        options = "；".join(e.item.label for e in entries) or "（该教师还没有选择能力点）"
        raise NotFoundError(f"{teacher.name} 没有证据项目“{item_ref}”（只能为所选能力点的项目和个人项目提交）。"
                            f"可选：{options}")
    return found[0]


@dataclass(frozen=True)
class AttachResult:
    changes: tuple[Change, ...]
    skipped: tuple[str, ...]          # duplicate files, with why


def attach_files(pack: PackFolder, teacher_ref: str | int, item_ref: str | int, files: list[Path], *,
                 point: str | None = None, replaces: int | None = None, by: str = "",
                 progress: Progress = NO_PROGRESS) -> AttachResult:
    """Copy files into the pack for one required item of a teacher; each file is one saved change.

    A file whose content is already there for the item is skipped (and said so). `replaces`
    names a file the school already has for this item: it is replaced when the school merges.
    """
    teacher = find_teacher(pack, teacher_ref)
    entry = _item_for(_state(pack), teacher, item_ref, point)
    if replaces is not None and not any(f.key == f"school:{replaces}" for f in entry.files):
        raise NotFoundError(f"要替换的文件不是 {teacher.name} 在“{entry.item.title}”下已有的学校文件。")
    if replaces is not None and len(files) != 1:
        raise ValidationError("替换一个已有文件时，只能选择一个新文件。")
    sizes = []
    for f in files:
        try:
            sizes.append(Path(f).stat().st_size)
        except OSError:
            sizes.append(0)
    total, done = sum(sizes) or 1, 0
    have = {f.sha256 for f in entry.files if f.sha256 and not f.replaced}
    made, skipped = [], []
    for f, size in zip(files, sizes):
        progress.check()
        sha, n = pack.copy_in(Path(f), progress, done=done, total=total)
        done += size
        name = display_name(str(f))
        if sha in have:
            skipped.append(f"“{name}”已经提交到“{entry.item.title}”，没有重复添加。")
            continue
        change = make_change(EVIDENCE_ADD, pack.next_seq(), by, teacher=teacher.id, item=entry.item.id,
                             point=entry.item.point, file=FileRef(sha, n, name), replaces=replaces)
        made.append(pack.save_change(change))
        have.add(sha)
    return AttachResult(tuple(made), tuple(skipped))


def add_hours(pack: PackFolder, teacher_ref: str | int, *, category: str, hours, on_date=None, topic: str = "",
              note: str = "", by: str = "") -> Change:
    teacher = find_teacher(pack, teacher_ref)
    rules = pack.document.rules
    change = make_change(HOURS_ADD, pack.next_seq(), by, teacher=teacher.id,
                         category=rules.check_category(normalize_text(category)),
                         hours=validate_hours(hours, cap=min(rules.record_max, 200.0)),
                         date=parse_date(on_date), topic=clean_text(topic, "专题", 100, field="topic"),
                         note=clean_text(note, "备注", 200, field="note"))
    return pack.save_change(change)


def add_activity(pack: PackFolder, *, title: str, kind: str, on_date, hours, category: str,
                 teachers: list[str | int], files: list[Path] = (), topic: str = "", location: str = "",
                 organiser: str = "", note: str = "", by: str = "", progress: Progress = NO_PROGRESS) -> Change:
    """A training activity (送教下乡, 研讨交流 …): its hours go to every participant, its files with it."""
    doc = pack.document
    rules = doc.rules
    kind = normalize_text(kind) or "其他"
    if doc.activity_kinds and kind not in doc.activity_kinds:
        raise ValidationError(f"活动类型“{kind}”无效，可选：{'、'.join(doc.activity_kinds)}。", field="kind")
    ids = [find_teacher(pack, t).id for t in teachers]
    if not ids:
        raise ValidationError("请至少选择一位参加活动的教师。", field="teachers")
    values = dict(title=clean_text(title, "活动名称", 100, field="title", required=True), activity_kind=kind,
                  date=parse_date(on_date, field="活动日期", required=True),
                  hours=validate_hours(hours, cap=min(rules.record_max, 200.0)),
                  category=rules.check_category(normalize_text(category)),
                  topic=clean_text(topic, "专题", 100, field="topic"),
                  location=clean_text(location, "地点", 100, field="location"),
                  organiser=clean_text(organiser, "组织者", 100, field="organiser"),
                  note=clean_text(note, "备注", 200, field="note"), teachers=list(dict.fromkeys(ids)))
    make_change(ACTIVITY_ADD, 1, by, files=[], **values)          # every value checked before any copy
    refs = []
    sizes = [Path(f).stat().st_size if Path(f).is_file() else 0 for f in files]
    total, done = sum(sizes) or 1, 0
    for f, size in zip(files, sizes):
        sha, n = pack.copy_in(Path(f), progress, done=done, total=total)
        done += size
        refs.append(FileRef(sha, n, display_name(str(f))))
    return pack.save_change(make_change(ACTIVITY_ADD, pack.next_seq(), by, files=refs, **values))


@dataclass(frozen=True)
class ChoiceCheck:
    ok: bool
    problems: tuple[str, ...]
    codes: tuple[str, ...]
    dropped_with_files: tuple[str, ...]


def check_choices(pack: PackFolder, teacher_ref: str | int, codes: list[str]) -> ChoiceCheck:
    """The live check the window shows before saving (the programme's rule, as the school applies it)."""
    teacher = find_teacher(pack, teacher_ref)
    doc = pack.document
    order = list(doc.points)
    wanted = sorted(normalise_codes(codes, doc.points), key=order.index)      # the catalogue's order, as shown
    problems = rule_problems(doc.rules.micro, teacher.environment, [doc.points[c] for c in wanted])
    ts = _state(pack).teacher(teacher.id)
    with_files = sorted({e.item.point for e in ts.items if e.item.point and e.files and e.item.point not in wanted})
    return ChoiceCheck(not problems, tuple(problems), tuple(wanted), tuple(with_files))


def set_choices(pack: PackFolder, teacher_ref: str | int, codes: list[str], *, confirm_drop: bool = False,
                by: str = "") -> Change | None:
    """Save a teacher's new points (refused, naming the rule, when they break it); None if unchanged."""
    teacher = find_teacher(pack, teacher_ref)
    check = check_choices(pack, teacher.id, codes)
    if check.problems:
        raise RuleViolation(f"{teacher.name} 的能力点选择不符合项目方案的规则，未保存：", details=list(check.problems))
    if check.dropped_with_files and not confirm_drop:
        raise RuleViolation(f"{teacher.name} 已为能力点 {'、'.join(check.dropped_with_files)} 提交了证据文件。"
                            "取消这些能力点需要确认（文件会保留，但不再计入）。命令行请加 --confirm。")
    if tuple(_state(pack).teacher(teacher.id).choices) == check.codes:
        return None
    return pack.save_change(make_change(CHOICES_SET, pack.next_seq(), by, teacher=teacher.id, codes=list(check.codes)))


def undo(pack: PackFolder, change_id: str, *, by: str = "") -> Change:
    """Withdraw a file, hours or an activity added at the teaching point (the school never sees it)."""
    state = _state(pack)
    target = next((c for c in state.effective_changes if c.id == change_id), None)
    if target is None or target.kind not in (EVIDENCE_ADD, HOURS_ADD, ACTIVITY_ADD):
        raise NotFoundError("找不到这条在教学点添加的记录（学校已有的记录不能在教学点删除）。")
    return pack.save_change(make_change(UNDO, pack.next_seq(), by, target=change_id))


def sealed_marker(pack: PackFolder, return_seq: int, by: str = "") -> Change:
    return pack.save_change(make_change(SEALED, pack.next_seq(), by, return_seq=return_seq))
