"""生成采集包… (学校信息 › 教学点): what the pack will hold, written onto the stick, and its one-page sheet.

The teachers of a 教学点 (or a 研修组, or some teachers) are listed as the pack will carry them –
ID numbers masked, their points, what is still missing – before anything is written. After
生成采集包, 打印说明页… saves the instruction sheet as a PDF (beside the pack on the stick by
default) and opens it for printing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from app.services import school, teachers, teams
from app.services.packs.create import create_pack, preview_pack
from app.services.packs.issue import SCOPE_GROUP, SCOPE_POINT, SCOPE_TEACHERS
from app.services.packs.sheet import write_sheet
from app.ui import jobs
from app.ui.errors import show_error
from app.ui.style import OK, WARN
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.screen_fit import resize_to_screen
from app.ui.widgets.table_model import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel
from app.ui.widgets.teacher_picker import TeacherPicker


class PreviewModel(RowTableModel):
    COLUMNS = (Column("教师", lambda t: t.teacher.label, width=120),
               Column("身份证号（已打码）", lambda t: t.teacher.id_masked, width=150),
               Column("能力点", lambda t: "、".join(t.choices) or "未选", width=110),
               Column("学校已有证据", lambda t: str(len(t.teacher.files)), width=90, align=ALIGN_CENTER),
               Column("已计学时", lambda t: f"{t.counted.total:g}", width=70, align=ALIGN_RIGHT),
               Column("还缺", lambda t: "免修" if t.exempt else f"{t.todo} 项", width=60, align=ALIGN_CENTER,
                      stretch=True))

    @staticmethod
    def key(row):
        return row.teacher.id


class CreatePackDialog(QDialog):
    created = Signal(object)            # the CreateResult

    def __init__(self, ws, parent: QWidget | None = None, *, point: str | None = None,
                 dest: str | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.result_value = None
        self.preview = None
        self._wanted_point = point
        self.setWindowTitle("生成采集包")
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._build_ui(dest)
        self._connect_signals()
        resize_to_screen(self, 920, 640)
        self._load_choices()

    def _build_ui(self, dest: str | None) -> None:
        intro = QLabel("采集包写到U盘上，交给没有网络的教学点：教学点在自己的电脑上（只需安装本软件）为这些教师添加证据、"
                       "登记学时和送教下乡等活动、调整能力点，“完成采集”后交回，再在“合并采集包…”中预览并合并。")
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.kind = QComboBox()
        self.kind.setObjectName("scopeKind")
        self.kind.addItems([SCOPE_POINT, SCOPE_GROUP, SCOPE_TEACHERS])
        self.name = QComboBox()
        self.name.setObjectName("scopeName")
        self.picker: TeacherPicker | None = None            # built once the roster is loaded
        self.picker_holder = QVBoxLayout()       # the picker goes here once the roster is loaded
        self.dest = QLineEdit(dest or "")
        self.dest.setObjectName("packDest")
        self.dest.setPlaceholderText("U盘或其中的文件夹")
        self.browse = QPushButton("选择…")
        self.replace = QCheckBox("作废原采集包（原采集包交回时不再合并）")
        self.replace.setObjectName("replacePack")
        self.replace.hide()
        self.summary = QLabel("正在读取…")
        self.summary.setObjectName("packSummary")
        self.summary.setWordWrap(True)
        self.table = RecordTable(PreviewModel(), placeholder="搜索教师")
        self.table.setObjectName("packPreview")
        self.done_label = QLabel()
        self.done_label.setObjectName("packDone")
        self.done_label.setWordWrap(True)
        self.create_button = QPushButton("生成采集包")
        self.create_button.setObjectName("createPack")
        self.create_button.setDefault(True)
        self.sheet_button = QPushButton("打印说明页…")
        self.sheet_button.setObjectName("printSheet")
        self.sheet_button.setEnabled(False)
        self.close_button = QPushButton("关闭")
        scope = QHBoxLayout()
        scope.addWidget(QLabel("对象："))
        scope.addWidget(self.kind)
        scope.addWidget(self.name, 1)
        where = QHBoxLayout()
        where.addWidget(QLabel("写到："))
        where.addWidget(self.dest, 1)
        where.addWidget(self.browse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.done_label, 1)
        buttons.addWidget(self.sheet_button)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(scope)
        lay.addLayout(self.picker_holder)
        lay.addLayout(where)
        lay.addWidget(self.summary)
        lay.addWidget(self.replace)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)

    def _connect_signals(self) -> None:
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.name.currentIndexChanged.connect(lambda *_: self._timer.start())
        self._timer.timeout.connect(self._refresh_preview)
        self.browse.clicked.connect(self._on_browse_clicked)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.sheet_button.clicked.connect(self._on_sheet_clicked)
        self.close_button.clicked.connect(self.reject)

    # -- choices and preview --------------------------------------------------------------
    def _load_choices(self) -> None:
        ws = self.ws

        from app.services.packs.startup import removable
        from app.ui.pack.launch import mounted_roots
        roots = mounted_roots()

        def load(ctx):
            return (school.list_teaching_points(ws), teams.list_groups(ws), teachers.list_teachers(ws),
                    removable(roots))

        jobs.run_in_background(self, load, on_done=self._on_choices_loaded)

    def _on_choices_loaded(self, loaded) -> None:
        self._points, self._groups, people, sticks = loaded
        if sticks and not self.dest.text():
            self.dest.setText(sticks[0])
        self.picker = TeacherPicker([t for t in people if t.status != "调离"])
        self.picker.setObjectName("packTeacherPicker")
        self.picker.list.setMinimumHeight(90)
        self.picker.changed.connect(self._timer.start)
        self.picker.hide()
        self.picker_holder.addWidget(self.picker)
        self._on_kind_changed()

    def _on_kind_changed(self, *_args) -> None:
        kind = self.kind.currentText()
        self.name.setVisible(kind != SCOPE_TEACHERS)
        if self.picker is not None:
            self.picker.setVisible(kind == SCOPE_TEACHERS)
        if kind != SCOPE_TEACHERS:
            self.name.blockSignals(True)
            self.name.clear()
            rows = getattr(self, "_points" if kind == SCOPE_POINT else "_groups", [])
            for r in rows:
                self.name.addItem(r.name, r.name)
            if kind == SCOPE_POINT and self._wanted_point:
                self.name.setCurrentIndex(max(0, self.name.findData(self._wanted_point)))
            self.name.blockSignals(False)
        self._refresh_preview()

    def scope(self) -> dict:
        kind = self.kind.currentText()
        if kind == SCOPE_TEACHERS:
            return {"teachers": self.picker.value() if self.picker is not None else []}
        return {"point" if kind == SCOPE_POINT else "group": self.name.currentData()}

    def _refresh_preview(self) -> None:
        scope, ws = self.scope(), self.ws
        if not any(scope.values()):
            self.table.set_rows([])
            self.summary.setText("请选择要生成采集包的对象。")
            self.create_button.setEnabled(False)
            return
        jobs.run_in_background(self, lambda ctx: preview_pack(ws, **scope), on_done=self._on_preview,
                               on_failed=self._on_preview_failed)

    def _on_preview(self, preview) -> None:
        self.preview = preview
        st = preview.state
        self.table.set_rows(list(st.teachers))
        missing = len(st.missing())
        self.summary.setText(f"{preview.scope.kind}“{preview.scope.name}”：教师 {len(st.teachers)} 人，"
                             f"项目方案“{preview.document.rules.name}”，目前还缺 {missing} 项。"
                             "采集包中身份证号已打码，证据文件留在本校，只带文件名。")
        others = preview.overlapping
        self.replace.setVisible(bool(others))
        if others:
            self.summary.setText(self.summary.text() + "\n这些教师已有尚未收回的采集包："
                                 + "、".join(f"{o.scope_kind}“{o.scope_name}”（{o.created_at:%Y-%m-%d}）" for o in others))
            self.summary.setStyleSheet(f"color:{WARN}")
        else:
            self.summary.setStyleSheet("")
        self.create_button.setEnabled(True)

    def _on_preview_failed(self, exc) -> None:
        from app.errors import AppError
        self.preview = None
        self.table.set_rows([])
        self.create_button.setEnabled(False)
        if isinstance(exc, AppError):
            self.summary.setText(exc.user_message)
        else:
            show_error(self, exc)

    # -- actions --------------------------------------------------------------------------
    def _on_browse_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "选择U盘（或其中的文件夹）", self.dest.text())
        if path:
            self.dest.setText(path)

    def _on_create_clicked(self) -> None:
        if self.preview is None:
            return
        scope, ws, dest, replace = self.scope(), self.ws, self.dest.text().strip(), self.replace.isChecked()

        def done(result) -> None:
            self.result_value = result
            self.done_label.setText(f"已生成：{result.path}")
            self.done_label.setStyleSheet(f"color:{OK}")
            self.sheet_button.setEnabled(True)
            self.create_button.setEnabled(False)
            self.created.emit(result)

        jobs.run_with_progress(self, lambda ctx: create_pack(ws, dest, replace=replace, progress=ctx.progress, **scope),
                               title="生成采集包", text="正在把采集包写到U盘并回读校验…", on_done=done)

    def _on_sheet_clicked(self) -> None:
        result = self.result_value
        if result is None:
            return
        suggested = result.path.parent / f"采集包使用说明-{result.pack.scope_name}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "保存说明页（PDF）", str(suggested), "PDF 文件 (*.pdf)")
        if not path:
            return
        state = result.preview.state

        def done(saved: Path) -> None:
            self.done_label.setText(f"说明页已保存：{saved}")
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(saved)))

        jobs.run_with_progress(self, lambda ctx: write_sheet(state, path), title="保存说明页", touches_db=False,
                               on_done=done)

