"""The teaching point's window: only the pack's teachers, collecting straight onto the stick.

Left, the teachers with how much each still lacks; right, 证据材料 (drag files in; a big video shows
its copy progress and can be cancelled), 学时与活动 (hours, 送教下乡 and other activities), 能力点 (the
programme's rule checked live) and 还缺什么 for everyone. 完成采集 seals the return bag. Every read
and write is a job on the serial lane (app.ui.jobs), so the window never waits on the stick and two
writes never interleave; after each write the pack is read again and every view refreshed.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QMainWindow, QMessageBox, QPushButton, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from app.services.packs import collect, seal
from app.ui import jobs
from app.ui.errors import show_error
from app.ui.pack.choices_tab import ChoicesTab
from app.ui.pack.evidence_tab import EvidenceTab
from app.ui.pack.hours_tab import HoursTab
from app.ui.pack.pack_dialogs import PackActivityDialog, PackHoursDialog
from app.ui.pack.pack_models import MissingModel, PackTeacherModel
from app.ui.style import OK, WARN
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.screen_fit import resize_to_screen

log = logging.getLogger(__name__)


class PackWindow(QMainWindow):
    def __init__(self, pack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.state = None
        self.dialog = None
        self._check_job: jobs.Job | None = None
        self.last_job: jobs.Job | None = None          # the newest file copy (tests, and closing while it runs)
        doc = pack.document
        self.setWindowTitle(f"教学点采集 — {doc.scope_kind}“{doc.scope_name}”（{doc.school_name}）")
        self._build_ui()
        self._connect_signals()
        resize_to_screen(self, 1180, 760)
        self.reload()

    # -- layout ---------------------------------------------------------------------------
    def _build_ui(self) -> None:
        doc = self.pack.document
        title = QLabel(f"{doc.school_name} · {doc.scope_kind}“{doc.scope_name}”")
        title.setProperty("role", "pageTitle")
        self.info = QLabel(f"采集包 {doc.pack_id[:8].upper()}，{doc.issued_at:%Y-%m-%d} 生成 · 项目方案：{doc.rules.name}"
                           f" · U盘位置：{self.pack.root}")
        self.info.setProperty("role", "pageSubtitle")
        self.info.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("packStatus")
        self.status.setWordWrap(True)
        self.by_edit = QLineEdit()
        self.by_edit.setObjectName("collector")
        self.by_edit.setPlaceholderText("采集人姓名")
        self.by_edit.setMaximumWidth(140)
        self.finish_button = QPushButton("完成采集…")
        self.finish_button.setObjectName("finishButton")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(QLabel("采集人："))
        top.addWidget(self.by_edit)
        top.addWidget(self.finish_button)
        self.teachers = RecordTable(PackTeacherModel(), placeholder="搜索教师")
        self.teachers.setObjectName("packTeachers")
        self.tabs = QTabWidget()
        self.evidence = EvidenceTab()
        self.hours = HoursTab()
        self.choices = ChoicesTab()
        self.missing = RecordTable(MissingModel(), placeholder="搜索（教师姓名、证据、学时）")
        self.missing.setObjectName("packMissing")
        self.tabs.addTab(self.evidence, "证据材料")
        self.tabs.addTab(self.hours, "学时与活动")
        self.tabs.addTab(self.choices, "能力点")
        self.tabs.addTab(self.missing, "还缺什么")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.teachers)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([220, 940])
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(12, 8, 12, 6)
        lay.addLayout(top)
        lay.addWidget(self.info)
        lay.addWidget(self.status)
        lay.addWidget(split, 1)
        self.setCentralWidget(body)

    def _connect_signals(self) -> None:
        self.teachers.selection_changed.connect(self._on_teacher_selected)
        self.evidence.attach_requested.connect(self._on_attach_requested)
        self.evidence.undo_requested.connect(self._on_undo_requested)
        self.hours.undo_requested.connect(self._on_undo_requested)
        self.hours.add_hours_requested.connect(self._on_add_hours)
        self.hours.add_activity_requested.connect(self._on_add_activity)
        self.choices.check_requested.connect(self._on_check_requested)
        self.choices.save_requested.connect(self._on_save_choices)
        self.missing.row_activated.connect(self._on_missing_activated)
        self.finish_button.clicked.connect(self._on_finish_clicked)

    # -- loading --------------------------------------------------------------------------
    @property
    def by(self) -> str:
        return self.by_edit.text().strip()

    def reload(self) -> None:
        pack = self.pack
        jobs.run_in_background(self, lambda ctx: pack.state(), on_done=self._on_state_loaded,
                               on_failed=lambda exc: show_error(self, exc))

    def current_teacher(self):
        row = self.teachers.current_row()
        return self.state.teacher(row.teacher.id) if (row is not None and self.state) else None

    def _on_state_loaded(self, state) -> None:
        keep = self.teachers.current_key()
        self.state = state
        self.teachers.set_rows(list(state.teachers))
        if not (keep is not None and self.teachers.select_key(keep)) and state.teachers:
            self.teachers.select_key(state.teachers[0].teacher.id)
        self.missing.set_rows(state.missing())
        self._on_teacher_selected(self.teachers.current_row())
        self._show_status()

    def _show_status(self) -> None:
        st = self.state
        left = len(st.missing())
        if st.sealed_seq and not st.changes_since_seal:
            text, colour = f"已完成采集（第 {st.sealed_seq} 次），可以交回中心校。之后有新材料可继续添加，再完成一次。", OK
        elif st.sealed_seq:
            text, colour = (f"已完成采集 {st.sealed_seq} 次，之后又有 {st.changes_since_seal} 项更改，"
                            "交回前请再点一次“完成采集”。"), WARN
        else:
            text, colour = "每项内容添加后立即保存到U盘。全部做完后点“完成采集”，再交回中心校。", None
        text += f"　还缺 {left} 项。" if left else "　全部教师的材料已齐全。"
        if self.pack.problems:
            text += f"　注意：U盘上有 {len(self.pack.problems)} 条更改记录已损坏。"
        self.status.setText(text)
        self.status.setStyleSheet(f"color:{colour}" if colour else "")

    def _on_teacher_selected(self, row) -> None:
        ts = self.current_teacher()
        self.evidence.set_teacher(ts)
        self.hours.set_state(self.state, ts)
        self.choices.set_teacher(ts, self.pack.document)

    def _on_missing_activated(self, line) -> None:
        if self.teachers.select_key(line.teacher_id):
            self.tabs.setCurrentWidget({"证据": self.evidence, "学时": self.hours}.get(line.kind, self.choices))

    # -- writing (each a job; the pack is read again afterwards) ---------------------------
    def _write(self, fn, *, title: str, done: str, progress: bool = False) -> jobs.Job:
        def finished(result) -> None:
            self.statusBar().showMessage(done(result) if callable(done) else done, 8000)
            self.reload()
        if progress:
            return jobs.run_with_progress(self, fn, title=title, on_done=finished)
        return jobs.run_in_background(self, fn, on_done=finished, on_failed=lambda exc: show_error(self, exc))

    def _on_attach_requested(self, item_id: int, paths: list, replaces) -> None:
        ts = self.current_teacher()
        if ts is None:
            return
        pack, tid, by = self.pack, ts.teacher.id, self.by

        def done(result) -> str:
            text = f"已保存 {len(result.changes)} 个文件到U盘。"
            if result.skipped:
                QMessageBox.information(self, "没有重复添加", "\n".join(result.skipped))
            return text

        self.last_job = self._write(lambda ctx: collect.attach_files(pack, tid, item_id, paths, replaces=replaces,
                                                                     by=by, progress=ctx.progress),
                                    title="添加证据文件", done=done, progress=True)

    def _on_undo_requested(self, change_id: str, what: str) -> None:
        answer = QMessageBox.question(self, "删除", f"删除在教学点添加的{what}吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return
        pack, by = self.pack, self.by
        self._write(lambda ctx: collect.undo(pack, change_id, by=by), title="删除", done=f"已删除{what}。")

    def _on_add_hours(self) -> None:
        ts = self.current_teacher()
        if ts is None:
            return
        self.dialog = PackHoursDialog(self.pack, ts.teacher, self.by, self)
        self.dialog.saved.connect(lambda _c: (self.statusBar().showMessage("学时已保存到U盘。", 8000), self.reload()))
        self.dialog.open()

    def _on_add_activity(self) -> None:
        ts = self.current_teacher()
        self.dialog = PackActivityDialog(self.pack, [ts.teacher.id] if ts else [], self.by, self)
        self.dialog.saved.connect(lambda _c: (self.statusBar().showMessage("培训活动已保存到U盘。", 8000), self.reload()))
        self.dialog.open()

    def _on_check_requested(self, codes: list) -> None:
        ts = self.current_teacher()
        if ts is None:
            return
        if self._check_job is not None:
            self._check_job.cancel()
        pack, tid = self.pack, ts.teacher.id

        def done(check) -> None:
            self._check_job = None
            self.choices.show_check(check.problems)

        self._check_job = jobs.run_in_background(self, lambda ctx: collect.check_choices(pack, tid, codes),
                                                 on_done=done, on_failed=lambda exc: show_error(self, exc))

    def _on_save_choices(self, codes: list, confirm: bool) -> None:
        ts = self.current_teacher()
        if ts is None:
            return
        pack, tid, by = self.pack, ts.teacher.id, self.by
        self._write(lambda ctx: collect.set_choices(pack, tid, codes, confirm_drop=confirm, by=by),
                    title="保存能力点", done=lambda c: "能力点已保存到U盘。" if c else "能力点没有变化。")

    def _on_finish_clicked(self) -> None:
        left = len(self.state.missing()) if self.state else 0
        question = "完成采集后，U盘上会生成交回中心校的回收包。"
        if left:
            question += f"\n\n还缺 {left} 项（见“还缺什么”）。缺的材料以后还可以补交。"
        question += "\n\n现在完成采集吗？"
        if QMessageBox.question(self, "完成采集", question) != QMessageBox.StandardButton.Yes:
            return
        pack, by = self.pack, self.by

        def done(result) -> None:
            lines = [f"已完成采集（第 {result.return_seq} 次）：{result.changes} 项更改、{result.files} 个文件已封入回收包。",
                     "请关闭本软件，安全弹出U盘，交回中心校。", *result.warnings]
            QMessageBox.information(self, "已完成采集", "\n".join(lines))
            self.reload()

        jobs.run_with_progress(self, lambda ctx: seal.seal(pack, by=by, progress=ctx.progress),
                               title="完成采集", text="正在生成回收包并回读校验…", on_done=done)

    def closeEvent(self, event: QCloseEvent) -> None:
        busy = [j for j in jobs.active_jobs() if j.dialog is not None]
        if busy:
            QMessageBox.information(self, "正在写入U盘", "正在向U盘写入，请等它完成（或点“取消”）后再关闭。")
            event.ignore()
            return
        jobs.cancel_all()
        jobs.wait_idle(15000)
        super().closeEvent(event)
