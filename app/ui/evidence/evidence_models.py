"""Table models of the 证据材料 page: a teacher's items, an item's files, the school's missing list."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.evidence import EvidenceRow
from app.services.missing_evidence import ItemStatus, MissingRow

STATE_COLOURS = {"缺": QColor("#c0392b"), "已提交": QColor("#2a6fdb"), "已评": QColor("#1b7f3b")}
WARN = QColor("#a15c00")


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    if n < 1024 ** 3:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024 ** 3:.2f} GB"


class _RowsModel(QAbstractTableModel):
    SORT_ROLE = Qt.ItemDataRole.UserRole
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1
    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list = []

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list:
        return list(self._rows)


class ItemCol(IntEnum):
    POINT = 0
    ITEM = 1
    KINDS = 2
    STATE = 3
    FILES = 4
    GRADE = 5


class ItemStatusModel(_RowsModel):
    HEADERS = ("能力点", "证据项目", "要求类型", "状态", "文件", "等级")

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r: ItemStatus = self._rows[index.row()]
        col = ItemCol(index.column())
        if role == self.ROW_ROLE:
            return r
        if role in (Qt.ItemDataRole.DisplayRole, self.SORT_ROLE):
            return {ItemCol.POINT: r.point_code or "个人", ItemCol.ITEM: f"{r.item.seq}. {r.item.title}",
                    ItemCol.KINDS: "/".join(r.item.kinds) or "不限", ItemCol.STATE: r.state,
                    ItemCol.FILES: r.files if role == self.SORT_ROLE else (str(r.files) if r.files else ""),
                    ItemCol.GRADE: r.grade or ""}[col]
        if role == Qt.ItemDataRole.ForegroundRole and col is ItemCol.STATE:
            return QBrush(STATE_COLOURS.get(r.state, QColor("black")))
        if role == Qt.ItemDataRole.ToolTipRole:
            limits = []
            if r.item.max_mb:
                limits.append(f"建议不超过 {r.item.max_mb} MB")
            if r.item.max_minutes:
                limits.append(f"视频不超过 {r.item.max_minutes} 分钟")
            return f"{r.point_code or '个人'} {r.point_name}：{r.item.title}" + (f"（{'，'.join(limits)}）" if limits else "")
        return None


class FileCol(IntEnum):
    NAME = 0
    KIND = 1
    SIZE = 2
    DATE = 3
    NOTE = 4


class EvidenceFileModel(_RowsModel):
    HEADERS = ("文件名", "类型", "大小", "添加日期", "提醒")

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r: EvidenceRow = self._rows[index.row()]
        col = FileCol(index.column())
        if role == self.ROW_ROLE:
            return r
        if role == self.SORT_ROLE:
            return {FileCol.NAME: r.original_name.casefold(), FileCol.KIND: r.kind, FileCol.SIZE: r.size,
                    FileCol.DATE: r.added_at.isoformat(), FileCol.NOTE: len(r.warnings)}[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return {FileCol.NAME: r.original_name, FileCol.KIND: r.kind, FileCol.SIZE: human_size(r.size),
                    FileCol.DATE: r.added_at.strftime("%Y-%m-%d %H:%M"),
                    FileCol.NOTE: ("⚠ " + "；".join(r.warnings)) if r.warnings else ""}[col]
        if role == Qt.ItemDataRole.ForegroundRole and col is FileCol.NOTE and r.warnings:
            return QBrush(WARN)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(r.warnings) if r.warnings else r.original_name
        if role == Qt.ItemDataRole.TextAlignmentRole and col is FileCol.SIZE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


class MissingCol(IntEnum):
    TEACHER = 0
    STAFF_NO = 1
    SUBJECT = 2
    GROUP = 3
    POINT = 4
    ITEM = 5
    KINDS = 6
    NOTE = 7


class MissingModel(_RowsModel):
    HEADERS = ("教师", "工号", "学科", "研修组", "能力点", "证据项目", "要求类型", "说明")

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r: MissingRow = self._rows[index.row()]
        col = MissingCol(index.column())
        if role == self.ROW_ROLE:
            return r
        if role == self.SORT_ROLE:
            # sorting by teacher / group / point keeps each teacher's items in point order
            key = {MissingCol.TEACHER: (r.teacher, r.teacher_id), MissingCol.STAFF_NO: (r.staff_no,),
                   MissingCol.SUBJECT: (r.subject, r.teacher), MissingCol.GROUP: (r.group or "￿", r.teacher),
                   MissingCol.POINT: (f"{r.point_order:04d}", r.teacher), MissingCol.ITEM: (r.item_title, r.teacher),
                   MissingCol.KINDS: (r.kinds,), MissingCol.NOTE: (r.note,)}[col]
            return "\x1f".join(str(k) for k in key) + f"\x1f{r.point_order:04d}\x1f{r.item_seq:02d}"
        if role == Qt.ItemDataRole.DisplayRole:
            return {MissingCol.TEACHER: r.teacher, MissingCol.STAFF_NO: r.staff_no, MissingCol.SUBJECT: r.subject,
                    MissingCol.GROUP: r.group, MissingCol.POINT: f"{r.point_code} {r.point_name}".strip(),
                    MissingCol.ITEM: f"{r.item_seq}. {r.item_title}" if r.item_seq else r.item_title,
                    MissingCol.KINDS: r.kinds, MissingCol.NOTE: r.note}[col]
        return None
