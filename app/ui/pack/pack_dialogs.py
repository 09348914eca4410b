"""The teaching point's forms: hours for one teacher, and a training activity (送教下乡 …) with its files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QStringListModel, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QListView, QPushButton, QVBoxLayout, QWidget

from app.errors import ValidationError
from app.services.packs import collect
from app.services.validation import validate_hours
from app.ui.pack.job_form import JobFormDialog
from app.ui.widgets.fields import DateField, combo, line
from app.ui.widgets.teacher_picker import TeacherPicker


def _hours_error(text: str, cap: float) -> str | None:
    try:
        validate_hours(text, cap=cap)
    except ValidationError as exc:
        return exc.user_message
    return None


class PackHoursDialog(JobFormDialog):
    job_title = "登记学时"

    def __init__(self, pack, teacher, by: str, parent: QWidget | None = None) -> None:
        self.pack, self.teacher, self.by = pack, teacher, by
        self.rules = pack.document.rules
        super().__init__(parent, f"登记学时：{teacher.name}",
                         intro="登记网络研修平台或其他来源的学时。培训活动（如送教下乡）请用“登记培训活动”，学时会记给每位参加教师。")

    def _build_fields(self) -> None:
        self.add_field("category", "学时类别 *", combo(self.rules.category_keys))
        self.add_field("hours", "学时 *", line("", "如 12", 8))
        self.add_field("on_date", "日期", DateField(date.today(), optional=True))
        self.add_field("topic", "专题", line("", "方案要求某专题学时时填写", 60))
        self.add_field("note", "备注", line("", "如：网络研修平台", 200))

    def check(self, values: dict) -> dict[str, str]:
        msg = _hours_error(values["hours"], self.rules.record_max)
        return {"hours": msg} if msg else {}

    def save_job(self, values: dict):
        pack, tid, by = self.pack, self.teacher.id, self.by
        return lambda ctx: collect.add_hours(pack, tid, category=values["category"], hours=values["hours"],
                                             on_date=values["on_date"], topic=values["topic"], note=values["note"],
                                             by=by)


class FileList(QWidget):
    """Attachments chosen for an activity (签到表, 照片): a list and 添加/移除."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = QStringListModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setMaximumHeight(80)
        self.add_button = QPushButton("添加附件…")
        self.remove_button = QPushButton("移除")
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.view, 1)
        lay.addLayout(buttons)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)

    def value(self) -> list[Path]:
        return [Path(p) for p in self.model.stringList()]

    def add_paths(self, paths: list[str]) -> None:
        current = self.model.stringList()
        self.model.setStringList(current + [p for p in paths if p not in current])
        self.changed.emit()

    def _on_add_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择活动的附件（签到表、照片等）")
        if paths:
            self.add_paths(paths)

    def _on_remove_clicked(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.model.removeRow(index.row())
            self.changed.emit()


class PackActivityDialog(JobFormDialog):
    job_title = "登记培训活动"

    def __init__(self, pack, teacher_ids: list[int], by: str, parent: QWidget | None = None) -> None:
        self.pack, self.checked, self.by = pack, teacher_ids, by
        self.rules = pack.document.rules
        super().__init__(parent, "登记培训活动", width=600,
                         intro="送教下乡、研讨交流、公开课等。保存后，活动的学时记给每位勾选的教师；附件（签到表、照片）一并存入U盘。")

    def _build_fields(self) -> None:
        kinds = list(self.pack.document.activity_kinds) or ["送教下乡"]
        self.add_field("title", "活动名称 *", line("", "如：送教下乡·数学示范课", 80))
        self.add_field("kind", "活动类型", combo(kinds, "送教下乡" if "送教下乡" in kinds else kinds[0]))
        self.add_field("on_date", "活动日期 *", DateField(date.today()))
        self.add_field("hours", "学时 *", line("", "每位参加教师计入的学时，如 3", 8))
        cats = self.rules.category_keys
        self.add_field("category", "学时类别 *", combo(cats, (self.rules.practice_keys or cats)[0]))
        self.add_field("location", "地点", line("", "如：东山教学点", 60))
        self.add_field("organiser", "组织者", line("", "如：中心校教研组", 60))
        people = [SimpleNamespace(id=t.id, name=t.name, subject=t.subject, staff_no=t.staff_no, status="在岗")
                  for t in self.pack.document.teachers]
        self.picker = TeacherPicker(people, self.checked)
        self.add_field("teachers", "参加教师 *", self.picker)
        self.files = FileList()
        self.add_field("files", "附件", self.files)
        self.add_field("note", "备注", line("", "", 200))

    def check(self, values: dict) -> dict[str, str]:
        errors = {}
        if not values["title"].strip():
            errors["title"] = "活动名称不能为空。"
        if (msg := _hours_error(values["hours"], self.rules.record_max)) is not None:
            errors["hours"] = msg
        if not values["teachers"]:
            errors["teachers"] = "请至少勾选一位参加教师。"
        return errors

    def resolve_field(self, name):
        return "on_date" if name == "活动日期" else super().resolve_field(name)

    def save_job(self, values: dict):
        pack, by = self.pack, self.by
        return lambda ctx: collect.add_activity(
            pack, title=values["title"], kind=values["kind"], on_date=values["on_date"], hours=values["hours"],
            category=values["category"], teachers=list(values["teachers"]), files=values["files"],
            location=values["location"], organiser=values["organiser"], note=values["note"], by=by,
            progress=ctx.progress)
