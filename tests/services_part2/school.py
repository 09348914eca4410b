"""Small schools for the part-2 tests (choices, evidence, assessment), built through the services."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.services import choices, evidence, school, teams
from app.services.demo import make_id
from app.services.teachers import add_teacher


@dataclass
class Small:
    ids: dict[str, int]          # teacher name -> id
    groups: dict[str, int]       # group name -> id


def build_small_school(ws, *, environment: str = "混合", programme: str = "national-2.0") -> Small:
    """Five teachers: two 语文 and two 数学 (one at a 多媒体 teaching point) in groups, one 免修."""
    rng = random.Random(5)
    school.init_school(ws, name="测试小学", code="T2001", environment=environment, programme_id=programme)
    school.add_teaching_point(ws, "东山教学点", environment="多媒体")
    people = [("王芳", "语文", {}), ("李明", "语文", {}), ("张伟", "数学", {}),
              ("赵敏", "数学", {"teaching_point": "东山教学点"}),
              ("刘洋", "英语", {"status": "免修", "status_reason": "病休"})]
    ids = {}
    for n, (name, subject, extra) in enumerate(people, 1):
        born = date(1980 + n, n, 10 + n)
        row = add_teacher(ws, name=name, subject=subject, staff_no=f"T{n}",
                          id_number=make_id(rng, born, False), **extra)
        ids[name] = row.id
    guide = teams.save_team(ws, None, kind="信息化教学创新研修团队")
    teams.add_member(ws, guide.id, teacher_id=ids["张伟"], role="指导教师")
    teams.add_member(ws, guide.id, name="刘教研员", role="区教研员")
    mgmt = teams.save_team(ws, None, kind="校级管理团队")
    teams.add_member(ws, mgmt.id, teacher_id=ids["王芳"], role="校长", first_responsible=True)
    g1 = teams.save_group(ws, None, name="语文研修组", subject="语文", leader_id=ids["王芳"],
                          common_point="B2", member_ids=[ids["王芳"], ids["李明"]])
    g2 = teams.save_group(ws, None, name="数学研修组", subject="数学", leader_id=ids["张伟"],
                          common_point="B1", member_ids=[ids["张伟"], ids["赵敏"]])
    return Small(ids, {"语文研修组": g1.id, "数学研修组": g2.id})


def sample_file(folder: Path, name: str, size: int = 2048) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes((name.encode("utf-8") + b"\n") * (size // max(1, len(name.encode("utf-8")) + 1) + 1))
    return p


def submit_all(ws, teacher_id: int, code: str, folder: Path) -> int:
    """Attach one file to every item of a chosen point; returns the number of items."""
    n = 0
    for it in items_of(ws, code):
        evidence.add_evidence(ws, teacher_id, code, str(it.seq), sample_file(folder, f"{teacher_id}_{code}_{it.seq}.docx"))
        n += 1
    return n


def items_of(ws, code: str):
    from app.services.snapshot import load_ws
    snap = load_ws(ws)
    for v in snap.teachers:
        if code in v.point_items:
            return [st.item for st in v.point_items[code]]
    raise AssertionError(f"nobody chose {code}")


def choose(ws, teacher_id: int, codes: list[str]) -> None:
    choices.set_choices(ws, teacher_id, codes)


def copy_data(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest
