"""The four tabs of 学时与活动: per-teacher summary, hours records, training activities, courses.

Each tab has the same small API as a page (refresh, add/edit/delete_record,
focus_search) and shows what the shared `HoursContext` holds (teachers,
categories, records, activities, courses): the page loads it all in one
background job per refresh. Writes run as jobs; the runner publishes "hours".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.ui import jobs
from app.ui.hours.hours_dialogs import ActivityDialog, CourseDialog, HoursDialog
from app.ui.style import BAD, OK
from app.ui.widgets.record_table import RecordTable, standard_action
from app.ui.widgets.table_model import ALIGN_RIGHT, Column, RowTableModel, fmt_date, fmt_hours
from app.ui.widgets.teacher_picker import combo_teacher_id, teacher_combo


@dataclass
class HoursContext:
    api: object                          # app.ui.facades.Facades (called in work functions only)
    teachers: list = field(default_factory=list)        # TeacherRow, not left (调离)
    categories: list = field(default_factory=list)      # programme category keys
    requirements: tuple = ()             # (category, min) … ("总学时", min)
    records: list = field(default_factory=list)         # HoursRow
    activities: list = field(default_factory=list)      # ActivityRow
    courses: list = field(default_factory=list)         # CourseRow


class _Tab(QWidget):
    def __init__(self, ctx: HoursContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None

    def refresh(self) -> None: ...
    def add_record(self) -> None: ...
    def edit_record(self) -> None: ...
    def delete_record(self) -> None: ...

    def focus_search(self) -> None:
        self.table.focus_search()

    def _need(self, what: str):
        row = self.table.current_row()
        if row is None:
            QMessageBox.information(self, "学时与活动", f"请先在列表中选择一{what}。")
        return row

    def _confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                    QMessageBox.StandardButton.No) == QMessageBox.StandardButton.Yes

    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.open()

    def _write(self, title: str, work) -> jobs.Job:
        """A change in the background; the runner publishes "hours" and the page reloads."""
        return jobs.run_with_progress(self, work, title=title, cancellable=False)


@dataclass(frozen=True)
class SummaryRow:
    id: int
    staff_no: str
    name: str
    subject: str
    by_category: dict
    total: float
    need: float
    exempt: str | None
    problems: tuple[str, ...] = ()       # the hours rules this teacher does not meet yet (from the services)

    @property
    def ok(self) -> bool:
        return not self.exempt and not self.problems

    @property
    def state(self) -> str:
        if self.exempt:
            return "免修"
        return "学时达标" if not self.problems else "；".join(self.problems)


class SummaryTab(_Tab):
    """Each teacher's hours by category against the programme's minimums."""

    def __init__(self, ctx: HoursContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.note = QLabel()
        self.note.setProperty("role", "hint")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 6, 0, 0)
        self.table: RecordTable | None = None
        self._columns_for: tuple = ()

    def _make_table(self) -> None:
        cats = [(k, m) for k, m in self.ctx.requirements if k != "总学时"]
        columns = [Column("工号", lambda r: r.staff_no, width=70), Column("姓名", lambda r: r.name, width=80),
                   Column("任教学科", lambda r: r.subject, width=90)]
        for key, minimum in cats:
            columns.append(Column(f"{key}" + (f"（≥{minimum:g}）" if minimum else ""),
                                  lambda r, k=key: fmt_hours(r.by_category.get(k, 0.0)),
                                  sort=lambda r, k=key: r.by_category.get(k, 0.0), width=120, align=ALIGN_RIGHT))
        total_min = dict(self.ctx.requirements).get("总学时", 0)
        columns.append(Column(f"合计（≥{total_min:g}）" if total_min else "合计", lambda r: fmt_hours(r.total),
                              sort=lambda r: r.total, width=100, align=ALIGN_RIGHT))
        columns.append(Column("状态", lambda r: r.state, width=220, tooltip=lambda r: r.state,
                              colour=lambda r: None if r.exempt else OK if r.ok else BAD))
        model = type("HoursSummaryModel", (RowTableModel,), {"COLUMNS": tuple(columns)})()
        if self.table is not None:
            self.layout_.removeWidget(self.table)
            self.table.deleteLater()
        self.table = RecordTable(model, placeholder="搜索姓名、工号或学科")
        self.layout_.insertWidget(0, self.table, 1)
        self.layout_.addWidget(self.note)
        self._columns_for = self.ctx.requirements

    def set_progress(self, progress: dict) -> None:
        if self.table is None or self._columns_for != self.ctx.requirements:
            self._make_table()
        need = dict(self.ctx.requirements).get("总学时", 0)
        rows = []
        for t in self.ctx.teachers:
            p = progress.get(t.id)
            rows.append(SummaryRow(t.id, t.staff_no, t.name, t.subject, dict(p.by_category) if p else {},
                                   p.total_hours if p else 0.0, need, p.exempt_reason if p else None,
                                   p.hours_problems if p else ()))
        self.table.set_rows(rows)
        short = sum(1 for r in rows if not r.exempt and r.problems)
        self.note.setText(f"学时未达到要求的教师 {short} 人。学时来自：手工录入、平台导入、培训活动和校本研修课程。")

    def row_for(self, teacher_id: int) -> SummaryRow | None:
        pos = self.table.model.position_of(teacher_id) if self.table else None
        return self.table.model.row_at(pos) if pos is not None else None

    def focus_search(self) -> None:
        if self.table is not None:
            self.table.focus_search()


class HoursRecordModel(RowTableModel):
    COLUMNS = (Column("日期", lambda h: fmt_date(h.on_date), sort=lambda h: fmt_date(h.on_date), width=95),
               Column("教师", lambda h: h.teacher, width=80),
               Column("类别", lambda h: h.category, width=100),
               Column("专题", lambda h: h.topic, width=120),
               Column("学时", lambda h: fmt_hours(h.hours), sort=lambda h: h.hours, width=55, align=ALIGN_RIGHT),
               Column("来源", lambda h: h.source, width=80),
               Column("备注", lambda h: h.note, width=220))


class RecordsTab(_Tab):
    def __init__(self, ctx: HoursContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.table = RecordTable(HoursRecordModel(), settings_name="hours_records",
                                 placeholder="搜索教师、类别、专题或备注")
        self.table.add_button(standard_action(self, "录入学时…", self.add_record))
        self.table.add_button(standard_action(self, "删除…", self.delete_record))
        self.teacher_filter = teacher_combo([], blank="全部教师")
        self.teacher_filter.setObjectName("teacherFilter")
        self.teacher_filter.setMinimumWidth(220)
        self.table.button_bar.addSpacing(12)
        self.table.button_bar.addWidget(QLabel("教师："))
        self.table.button_bar.addWidget(self.teacher_filter)
        self.totals = QLabel()
        self.totals.setObjectName("teacherTotals")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.totals)
        self.teacher_filter.currentIndexChanged.connect(lambda _i: self._apply_teacher_filter())

    def refresh(self) -> None:
        keep = combo_teacher_id(self.teacher_filter)
        self.teacher_filter.blockSignals(True)
        self.teacher_filter.clear()
        self.teacher_filter.addItem("全部教师", None)
        for t in self.ctx.teachers:
            self.teacher_filter.addItem(f"{t.name}（{t.subject or '未填学科'}{'，' + t.staff_no if t.staff_no else ''}）", t.id)
        self.teacher_filter.setCurrentIndex(max(0, self.teacher_filter.findData(keep)) if keep else 0)
        self.teacher_filter.blockSignals(False)
        self.table.set_rows(self.ctx.records)
        self._apply_teacher_filter()

    def show_teacher(self, teacher_id: int) -> None:
        i = self.teacher_filter.findData(teacher_id)
        if i >= 0:
            self.teacher_filter.setCurrentIndex(i)

    def _apply_teacher_filter(self) -> None:
        tid = combo_teacher_id(self.teacher_filter)
        self.table.proxy.set_predicate(None if tid is None else (lambda h, t=tid: h.teacher_id == t))
        self.table.update_count()
        if tid is None:
            self.totals.setText("")
            return
        api = self.ctx.api
        jobs.run_in_background(self, lambda ctx: api.hours.teacher_totals(tid),
                               on_done=lambda totals: self._show_totals(tid, totals))

    def _show_totals(self, teacher_id: int, totals) -> None:
        if combo_teacher_id(self.teacher_filter) != teacher_id:
            return                       # another teacher was chosen meanwhile
        need = dict(self.ctx.requirements)
        parts = [f"{k} {totals.by_category.get(k, 0.0):g}" + (f"/{need[k]:g}" if need.get(k) else "")
                 for k in self.ctx.categories]
        total_need = need.get("总学时", 0)
        parts.append(f"合计 {totals.total:g}" + (f"/{total_need:g}" if total_need else ""))
        self.totals.setText(f"{self.teacher_filter.currentText().split('（')[0]}：" + " · ".join(parts))

    def edit_record(self) -> None:
        QMessageBox.information(self, "学时记录", "学时记录不能直接修改：请删除后重新录入。"
                                "来自培训活动或校本课程的学时，请在相应标签页修改活动或课程。")

    def add_record(self) -> None:
        self._open(HoursDialog(self.ctx.api, self.ctx.teachers, self.ctx.categories, self,
                               teacher_id=combo_teacher_id(self.teacher_filter)))

    def delete_record(self) -> None:
        rec = self._need("条学时记录")
        if rec is not None and self._confirm("删除学时记录", f"删除 {rec.teacher} 的这条学时记录（{rec.category} {rec.hours:g} 学时）？"):
            self._write("删除学时记录", lambda ctx: self.ctx.api.hours.remove_hours(rec.id))


class ActivityModel(RowTableModel):
    COLUMNS = (Column("日期", lambda a: fmt_date(a.on_date), width=95),
               Column("活动名称", lambda a: a.title, width=230),
               Column("类型", lambda a: a.kind, width=90),
               Column("学时", lambda a: fmt_hours(a.hours), sort=lambda a: a.hours, width=50, align=ALIGN_RIGHT),
               Column("类别", lambda a: a.category, width=90),
               Column("参加人数", lambda a: str(len(a.participant_ids)), sort=lambda a: len(a.participant_ids),
                      width=70, align=ALIGN_RIGHT),
               Column("地点", lambda a: a.location, width=120),
               Column("附件", lambda a: f"{a.file_count} 个" if a.file_count else "", width=50),
               Column("组织者", lambda a: a.organiser, width=90))


class ActivitiesTab(_Tab):
    def __init__(self, ctx: HoursContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.table = RecordTable(ActivityModel(), settings_name="activities", placeholder="搜索活动名称、类型或地点")
        for text, slot in (("登记培训活动…", self.add_record), ("修改…", self.edit_record),
                           ("删除…", self.delete_record), ("附加文件…", self._attach)):
            self.table.add_button(standard_action(self, text, slot))
        self.table.row_activated.connect(lambda _a: self.edit_record())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addWidget(self.table)

    def refresh(self) -> None:
        self.table.set_rows(self.ctx.activities)

    def add_record(self) -> None:
        self._open(ActivityDialog(self.ctx.api, self.ctx.teachers, self.ctx.categories, self))

    def edit_record(self) -> None:
        act = self._need("项培训活动")
        if act is not None:
            self._open(ActivityDialog(self.ctx.api, self.ctx.teachers, self.ctx.categories, self, act))

    def delete_record(self) -> None:
        act = self._need("项培训活动")
        if act is not None and self._confirm(
                "删除培训活动", f"删除“{act.title}”？{len(act.participant_ids)} 位参加教师各自的 {act.hours:g} 学时"
                                f"也将一并撤销{'，附件 %d 个一并删除' % act.file_count if act.file_count else ''}。"):
            self._write("删除培训活动", lambda ctx: self.ctx.api.hours.remove_activity(act.id))

    def _attach(self) -> None:
        act = self._need("项培训活动")
        if act is None:
            return
        name, _ = QFileDialog.getOpenFileName(self, "为培训活动附加文件（签到表、照片、课件等）")
        if name:
            self._write("附加文件", lambda ctx: self.ctx.api.hours.attach_activity_file(act.id, Path(name)))


class CourseModel(RowTableModel):
    COLUMNS = (Column("学期", lambda c: c.semester, width=190),
               Column("课程名称", lambda c: c.title, width=230),
               Column("学时", lambda c: fmt_hours(c.hours), sort=lambda c: c.hours, width=50, align=ALIGN_RIGHT),
               Column("类别", lambda c: c.category, width=90),
               Column("负责人", lambda c: c.lead, width=80),
               Column("状态", lambda c: c.status, width=70),
               Column("参加人数", lambda c: str(len(c.participant_ids)), sort=lambda c: len(c.participant_ids),
                      width=70, align=ALIGN_RIGHT))


class CoursesTab(_Tab):
    def __init__(self, ctx: HoursContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.table = RecordTable(CourseModel(), settings_name="courses", placeholder="搜索课程名称、学期或负责人")
        for text, slot in (("新增课程…", self.add_record), ("修改…", self.edit_record), ("删除…", self.delete_record)):
            self.table.add_button(standard_action(self, text, slot))
        self.table.row_activated.connect(lambda _c: self.edit_record())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addWidget(self.table)

    def refresh(self) -> None:
        self.table.set_rows(self.ctx.courses)

    def add_record(self) -> None:
        self._open(CourseDialog(self.ctx.api, self.ctx.teachers, self.ctx.categories, self))

    def edit_record(self) -> None:
        course = self._need("门课程")
        if course is not None:
            self._open(CourseDialog(self.ctx.api, self.ctx.teachers, self.ctx.categories, self, course))

    def delete_record(self) -> None:
        course = self._need("门课程")
        if course is not None and self._confirm(
                "删除校本研修课程", f"删除“{course.title}”？{len(course.participant_ids)} 位参加教师的课程学时也将撤销。"):
            self._write("删除校本研修课程", lambda ctx: self.ctx.api.hours.remove_course(course.id))
