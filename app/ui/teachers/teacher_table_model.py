"""The roster table: one TeacherItem per teacher (the service row plus its progress, once known)."""

from __future__ import annotations

from dataclasses import dataclass

from app.services.dashboard import TeacherProgress
from app.services.teachers import TeacherRow
from app.ui.style import BAD, MUTED, OK
from app.ui.widgets.table_model import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel


@dataclass(frozen=True)
class TeacherItem:
    row: TeacherRow
    progress: TeacherProgress | None = None

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def status_text(self) -> str:
        r = self.row
        return f"{r.status}（{r.status_reason}）" if r.status_reason and r.status != "在岗" else r.status

    @property
    def assessed(self) -> bool:
        """Progress known and the programme counts this teacher (not 调离, not 免修)."""
        return self.progress is not None and not self.row.left and not self.progress.exempt_reason

    @property
    def failing(self) -> bool:
        return self.assessed and not self.progress.passes

    @property
    def pass_text(self) -> str:
        p = self.progress
        if p is None:
            return "…"
        if self.row.left:
            return "—"
        if p.exempt_reason:
            return "免修"
        return "达标" if p.passes else f"未达标（{p.blocking}项）"


def _pass_colour(item: TeacherItem) -> str | None:
    return BAD if item.failing else OK if item.assessed else MUTED


class TeacherTableModel(RowTableModel):
    COLUMNS = (
        Column("工号", lambda t: t.row.staff_no, width=70),
        Column("姓名", lambda t: t.row.name, width=80),
        Column("性别", lambda t: t.row.gender, width=46, align=ALIGN_CENTER),
        Column("任教学科", lambda t: t.row.subject, width=90),
        Column("学科研修组", lambda t: t.row.group, width=100),
        Column("编制", lambda t: t.row.staff_type, width=50, align=ALIGN_CENTER),
        Column("职称", lambda t: t.row.title, width=86),
        Column("身份证号", lambda t: t.row.id_masked, width=150, searchable=False),
        Column("联系电话", lambda t: t.row.phone_masked, width=110, searchable=False),
        Column("状态", lambda t: t.status_text, width=100,
               colour=lambda t: None if t.row.status == "在岗" else MUTED),
        Column("学时", lambda t: "" if t.progress is None else f"{t.progress.total_hours:g}",
               sort=lambda t: t.progress.total_hours if t.progress else -1, width=60, align=ALIGN_RIGHT,
               searchable=False),
        Column("达标情况", lambda t: t.pass_text, width=110, colour=_pass_colour, searchable=False),
    )
    PROGRESS_COLUMNS = (10, 11)     # filled in later by a background job

    @staticmethod
    def key(item: TeacherItem) -> int:
        return item.row.id
