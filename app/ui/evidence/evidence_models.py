"""Table models of the 证据材料 page: a teacher's items, an item's files, the school's missing list."""

from __future__ import annotations

from enum import IntEnum

from app.services.evidence import EvidenceRow
from app.services.missing_evidence import ItemStatus, MissingRow
from app.ui.widgets.table_model import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel

STATE_COLOURS = {"缺": "#c0392b", "已提交": "#2a6fdb", "已评": "#1b7f3b"}
WARN = "#a15c00"


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    if n < 1024 ** 3:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024 ** 3:.2f} GB"


def _item_tip(r: ItemStatus) -> str:
    limits = []
    if r.item.max_mb:
        limits.append(f"建议不超过 {r.item.max_mb} MB")
    if r.item.max_minutes:
        limits.append(f"视频不超过 {r.item.max_minutes} 分钟")
    return f"{r.point_code or '个人'} {r.point_name}：{r.item.title}" + (f"（{'，'.join(limits)}）" if limits else "")


class ItemCol(IntEnum):
    POINT = 0
    ITEM = 1
    KINDS = 2
    STATE = 3
    FILES = 4
    GRADE = 5


class ItemStatusModel(RowTableModel):
    COLUMNS = (
        Column("能力点", lambda r: r.point_code or "个人", width=60, tooltip=lambda r: r.point_name),
        Column("证据项目", lambda r: f"{r.item.seq}. {r.item.title}", width=220, tooltip=_item_tip),
        Column("要求类型", lambda r: "/".join(r.item.kinds) or "不限", width=110),
        Column("状态", lambda r: r.state, width=60, align=ALIGN_CENTER, colour=lambda r: STATE_COLOURS.get(r.state)),
        Column("文件", lambda r: str(r.files) if r.files else "", sort=lambda r: r.files, width=45, align=ALIGN_CENTER),
        Column("等级", lambda r: r.grade or "", width=60, align=ALIGN_CENTER),
    )

    @staticmethod
    def key(row: ItemStatus):
        return row.item.id


class FileCol(IntEnum):
    NAME = 0
    KIND = 1
    SIZE = 2
    DATE = 3
    NOTE = 4


class EvidenceFileModel(RowTableModel):
    COLUMNS = (
        Column("文件名", lambda r: r.original_name, width=260),
        Column("类型", lambda r: r.kind, width=70),
        Column("大小", lambda r: human_size(r.size), sort=lambda r: r.size, width=80, align=ALIGN_RIGHT),
        Column("添加日期", lambda r: r.added_at.strftime("%Y-%m-%d %H:%M"), width=130),
        Column("提醒", lambda r: ("⚠ " + "；".join(r.warnings)) if r.warnings else "", width=260,
               colour=lambda r: WARN if r.warnings else None),
    )

    @staticmethod
    def key(row: EvidenceRow):
        return row.id


class MissingCol(IntEnum):
    TEACHER = 0
    STAFF_NO = 1
    SUBJECT = 2
    GROUP = 3
    POINT = 4
    ITEM = 5
    KINDS = 6
    NOTE = 7


def _order(r: MissingRow) -> tuple:
    return (r.point_order, r.item_seq)


class MissingModel(RowTableModel):
    """Sorting by teacher, group or point keeps each teacher's items in point order."""
    COLUMNS = (
        Column("教师", lambda r: r.teacher, sort=lambda r: (r.teacher, r.teacher_id) + _order(r), width=80),
        Column("工号", lambda r: r.staff_no, width=70),
        Column("学科", lambda r: r.subject, sort=lambda r: (r.subject, r.teacher, r.teacher_id) + _order(r), width=70),
        Column("研修组", lambda r: r.group,
               sort=lambda r: (r.group == "", r.group, r.teacher, r.teacher_id) + _order(r), width=100),
        Column("能力点", lambda r: f"{r.point_code} {r.point_name}".strip(),
               sort=lambda r: _order(r)[:1] + (r.teacher, r.teacher_id, r.item_seq), width=170),
        Column("证据项目", lambda r: f"{r.item_seq}. {r.item_title}" if r.item_seq else r.item_title, width=170),
        Column("要求类型", lambda r: r.kinds, width=90),
        Column("说明", lambda r: r.note, width=150),
    )

    @staticmethod
    def key(row: MissingRow):
        return (row.teacher_id, row.point_code, row.item_seq)
