"""Table models over the pack DTOs (teachers, items, files, hours, activities, what is missing, merge lines)."""

from __future__ import annotations

from app.services.packs.merge_plan import CANNOT, CONFLICT, NEW, SAME
from app.services.packs.state import ORIGIN_PACK
from app.ui.style import BAD, OK, WARN
from app.ui.widgets.table_model import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel, fmt_date, fmt_hours


def _size(n: int) -> str:
    return f"{n / 1024 ** 2:.1f} MB" if n >= 1024 ** 2 else f"{max(1, n // 1024)} KB"


class PackTeacherModel(RowTableModel):
    COLUMNS = (Column("教师", lambda t: t.teacher.label, width=130, stretch=True,
                      tooltip=lambda t: f"能力点：{'、'.join(t.choices) or '未选'}"),
               Column("还缺", lambda t: "免修" if t.exempt else (f"{t.todo} 项" if t.todo else "齐全"), width=60,
                      align=ALIGN_CENTER, sort=lambda t: -1 if t.exempt else t.todo,
                      colour=lambda t: None if t.exempt else (BAD if t.todo else OK)))

    @staticmethod
    def key(row):
        return row.teacher.id


class ItemModel(RowTableModel):
    COLUMNS = (Column("证据项目", lambda e: e.item.label, width=220, stretch=True),
               Column("要求类型", lambda e: "/".join(e.item.kinds) or "不限", width=90),
               Column("文件", lambda e: str(sum(1 for f in e.files if not f.replaced)), width=44, align=ALIGN_CENTER),
               Column("状态", lambda e: "缺" if e.missing else "已有", width=50, align=ALIGN_CENTER,
                      colour=lambda e: BAD if e.missing else OK))

    @staticmethod
    def key(row):
        return row.item.id


class FileModel(RowTableModel):
    COLUMNS = (Column("文件名", lambda f: f.name, width=220, stretch=True),
               Column("大小", lambda f: _size(f.size), width=70, align=ALIGN_RIGHT, sort=lambda f: f.size),
               Column("来源", lambda f: f.origin, width=80,
                      colour=lambda f: OK if f.origin == ORIGIN_PACK else None),
               Column("评分", lambda f: f.grade, width=50, align=ALIGN_CENTER),
               Column("说明", lambda f: "合并时替换" if f.replaced else "", width=80,
                      colour=lambda f: WARN if f.replaced else None))

    @staticmethod
    def key(row):
        return row.key


class HoursModel(RowTableModel):
    COLUMNS = (Column("日期", lambda h: fmt_date(h.on_date) or "未填", width=90, sort=lambda h: h.on_date or ""),
               Column("学时类别", lambda h: h.category, width=90),
               Column("学时", lambda h: fmt_hours(h.hours), width=50, align=ALIGN_RIGHT, sort=lambda h: h.hours),
               Column("来源", lambda h: h.origin, width=140,
                      colour=lambda h: OK if h.removable or h.origin.startswith("培训活动（") else None),
               Column("备注", lambda h: h.note or h.topic, width=160, stretch=True))

    @staticmethod
    def key(row):
        return (row.key, row.category, row.on_date)


class ActivityModel(RowTableModel):
    COLUMNS = (Column("日期", lambda a: fmt_date(a.on_date), width=90),
               Column("类型", lambda a: a.kind, width=80),
               Column("活动名称", lambda a: a.title, width=180, stretch=True),
               Column("学时", lambda a: fmt_hours(a.hours), width=50, align=ALIGN_RIGHT),
               Column("参加教师", lambda a: "、".join(a.teacher_names), width=160),
               Column("附件", lambda a: str(len(a.files)), width=44, align=ALIGN_CENTER))

    @staticmethod
    def key(row):
        return row.key


class MissingModel(RowTableModel):
    COLUMNS = (Column("教师", lambda m: m.teacher, width=90),
               Column("类别", lambda m: m.kind, width=60, align=ALIGN_CENTER),
               Column("还缺", lambda m: m.what, width=360, stretch=True))

    @staticmethod
    def key(row):
        return (row.teacher_id, row.kind, row.what)


STATUS_COLOURS = {NEW: OK, SAME: None, CANNOT: BAD, CONFLICT: WARN}


class MergeLineModel(RowTableModel):
    COLUMNS = (Column("编号", lambda l: str(l.n), width=44, align=ALIGN_CENTER, sort=lambda l: l.n),
               Column("类别", lambda l: l.kind, width=70),
               Column("教师", lambda l: l.teacher, width=90),
               Column("内容", lambda l: l.what, width=300, stretch=True, tooltip=lambda l: l.what),
               Column("结果", lambda l: l.status, width=70, align=ALIGN_CENTER,
                      colour=lambda l: STATUS_COLOURS.get(l.status)),
               Column("说明", lambda l: l.reason, width=220, tooltip=lambda l: l.reason))

    @staticmethod
    def key(row):
        return row.n


class ConflictModel(RowTableModel):
    """One row per conflict: both sides, and the decision so far."""

    COLUMNS = (Column("编号", lambda c: str(c[0].n), width=44, align=ALIGN_CENTER),
               Column("教师", lambda c: c[0].teacher, width=80),
               Column("学校现在", lambda c: c[0].school_side, width=220, stretch=True, tooltip=lambda c: c[0].school_side),
               Column("教学点", lambda c: c[0].point_side, width=220, stretch=True, tooltip=lambda c: c[0].point_side),
               Column("生成采集包时", lambda c: c[0].base, width=110),
               Column("决定", lambda c: c[1] or "待决定", width=70, align=ALIGN_CENTER,
                      colour=lambda c: WARN if not c[1] else OK))

    @staticmethod
    def key(row):
        return row[0].n
