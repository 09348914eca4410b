"""Table models of the 校本考核 page."""

from __future__ import annotations

from datetime import date

from app.services.review_queue import AGAIN, DONE, FIRST, FileRef, QueueItem, SheetRow
from app.ui.evidence.evidence_models import human_size
from app.ui.widgets.table_model import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel, fmt_date

STAGE_COLOURS = {FIRST: "#2a6fdb", AGAIN: "#a15c00", DONE: "#1b7f3b"}
RESULT_COLOURS = {"优秀": "#1b7f3b", "合格": "#2a6fdb", "良好": "#2a6fdb", "不合格": "#c0392b", "未提交": "#a15c00",
                  "待评": "#a15c00", "未选点": "#a15c00", "免修": "#808080"}


class QueueModel(RowTableModel):
    COLUMNS = (
        Column("阶段", lambda q: q.stage, width=50, align=ALIGN_CENTER, colour=lambda q: STAGE_COLOURS.get(q.stage)),
        Column("教师", lambda q: q.teacher, width=70),
        Column("研修组", lambda q: q.group, width=90),
        Column("能力点", lambda q: q.point_code or "个人", width=55, tooltip=lambda q: q.point_label),
        Column("证据项目", lambda q: q.item_label, width=170),
        Column("文件", lambda q: str(len(q.files)), sort=lambda q: len(q.files), width=40, align=ALIGN_CENTER),
        Column("等级", lambda q: q.grade or "", width=55, align=ALIGN_CENTER,
               colour=lambda q: RESULT_COLOURS.get(q.grade or "")),
    )

    @staticmethod
    def key(row: QueueItem):
        return row.key


class FileRefModel(RowTableModel):
    COLUMNS = (
        Column("文件名", lambda f: f.name, width=220),
        Column("类型", lambda f: f.kind, width=60),
        Column("大小", lambda f: human_size(f.size), sort=lambda f: f.size, width=70, align=ALIGN_RIGHT),
        Column("提醒", lambda f: ("⚠ " + "；".join(f.warnings)) if f.warnings else "", width=200,
               colour=lambda f: "#a15c00" if f.warnings else None),
    )

    @staticmethod
    def key(row: FileRef):
        return row.evidence_id


def _latest(r: SheetRow, attr: str, fmt=str) -> str:
    g = r.latest
    return fmt(getattr(g, attr)) if g is not None and getattr(g, attr) else ""


class SheetModel(RowTableModel):
    COLUMNS = (
        Column("能力点", lambda r: r.point_code or "个人", width=55, tooltip=lambda r: r.point_name),
        Column("证据项目", lambda r: f"{r.item_seq}. {r.item_title}", width=170),
        Column("状态", lambda r: "待复评" if r.needs_regrade else r.state, width=55, align=ALIGN_CENTER,
               colour=lambda r: "#a15c00" if r.needs_regrade else
               {"缺": "#c0392b", "已提交": "#2a6fdb", "已评": "#1b7f3b"}.get(r.state)),
        Column("文件", lambda r: str(len(r.files)) if r.files else "", sort=lambda r: len(r.files), width=40,
               align=ALIGN_CENTER),
        Column("等级", lambda r: _latest(r, "grade"), width=55, align=ALIGN_CENTER,
               colour=lambda r: RESULT_COLOURS.get(r.latest.grade) if r.latest else None),
        Column("轮次", lambda r: ("复评" if r.latest.round > 1 else "初评") if r.latest else "", width=45,
               align=ALIGN_CENTER),
        Column("评定人", lambda r: _latest(r, "reviewer"), width=70),
        Column("日期", lambda r: _latest(r, "on_date", fmt_date), width=90),
        Column("评语", lambda r: _latest(r, "comment"), width=200,
               tooltip=lambda r: "\n".join(f"第{g.round}轮 {g.grade} {g.reviewer} {fmt_date(g.on_date)} {g.comment}"
                                           for g in r.history) or None),
    )

    @staticmethod
    def key(row: SheetRow):
        return row.item_id


def fmt_day(d: date | None) -> str:
    return d.isoformat() if d else ""
