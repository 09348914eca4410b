"""A sample scene for screenshots and the manual: a copy of the school with one pack out and returned.

`build_sample` copies the school's database (never touching the original), writes a pack for its
first teaching point onto a scratch "stick", fills it as a teaching point would – a file, hours, a
送教下乡 activity with its sign-in sheet, a changed choice – seals it, and changes the same teacher's
choice at the school meanwhile, so the merge preview shows every kind of line and one conflict.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import AppError
from app.services import choices as school_choices
from app.services.backups import snapshot_database
from app.services.packs import collect, seal
from app.services.packs.create import create_pack
from app.services.packs.folder import PackFolder
from app.services.school import list_teaching_points
from app.services.teachers import list_teachers


def _other_valid(pack: PackFolder, teacher, avoid: set[tuple[str, ...]]) -> list[str] | None:
    current = list(teacher.choices)
    if not current:
        return None
    for code in pack.document.points:
        for i in range(len(current) - 1, -1, -1):
            candidate = current[:i] + [code] + current[i + 1:]
            check = collect.check_choices(pack, teacher.id, candidate)
            if check.ok and check.codes != tuple(current) and check.codes not in avoid:
                return list(check.codes)
    return None


def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def build_sample(database: Path, scratch: Path) -> tuple[Path, Path]:
    """(the copied data folder, the returned pack folder)."""
    from app.services.workspace import Workspace
    data = scratch / "data"
    data.mkdir(parents=True, exist_ok=True)
    snapshot_database(database, data / "tisheng.sqlite3")
    stick = scratch / "U盘"
    stick.mkdir(exist_ok=True)
    src = scratch / "教学点的文件"
    with Workspace.open(data) as ws:
        points = [p for p in list_teaching_points(ws) if p.teacher_count]
        if points:
            made = create_pack(ws, stick, point=points[0].name, by="中心校教务处")
        else:
            staff = [t.staff_no or t.name for t in list_teachers(ws) if t.status == "在岗"][:3]
            if not staff:
                raise AppError("这所学校还没有在岗教师，无法生成示例采集包。")
            made = create_pack(ws, stick, teachers=staff, by="中心校教务处")
        pack = PackFolder.open(made.path)
        state = pack.state()
        first = state.teachers[0]
        wanted = first.missing_items or list(first.items)
        if wanted:
            item = wanted[0].item
            doc = _write(src, f"{item.title}.docx", os.urandom(40_000))
            collect.attach_files(pack, first.teacher.id, item.id, [doc], by="王老师")
        rules = pack.document.rules
        collect.add_hours(pack, first.teacher.id, category=rules.category_keys[0], hours=6, on_date=None,
                          note="国家中小学智慧教育平台", by="王老师")
        collect.add_activity(pack, title="送教下乡：数学示范课与研讨", kind="送教下乡",
                             on_date=pack.document.issued_at.date(), hours=3,
                             category=(rules.practice_keys or rules.category_keys)[0],
                             teachers=[t.teacher.id for t in state.teachers],
                             files=[_write(src, "送教下乡签到表.jpg", b"\xff\xd8" + os.urandom(20_000))], by="王老师")
        other = state.teachers[-1]
        wanted = _other_valid(pack, other.teacher, set())
        if wanted:
            collect.set_choices(pack, other.teacher.id, wanted, confirm_drop=True, by="王老师")
            theirs = _other_valid(pack, other.teacher, {tuple(wanted)})
            if theirs:                                   # the school changed it meanwhile: a conflict
                school_choices.set_choices(ws, other.teacher.id, theirs, confirm_drop=True)
        seal.seal(pack, by="王老师")
    return data, made.path
