"""合并采集包… : check a returned pack, show every change it brings, decide each conflict, then merge.

预览 checks the return (this school's pack, not altered since 完成采集) and lists new evidence,
replaced files, hours, activities, changed choices and what cannot be merged, with why. Each
conflict shows the school's side and the teaching point's side (and the choice when the pack was
made); 合并 stays disabled until every conflict has a decision, and merges exactly the previewed
plan (the service refuses if anything changed meanwhile). A backup is taken first.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QSplitter, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt, Signal

from app.services.packs.merge import merge_return, preview_merge
from app.services.packs.merge_plan import CANNOT, CONFLICT, NEW, SAME, TAKE_POINT, TAKE_SCHOOL
from app.ui import jobs
from app.ui.errors import show_error
from app.ui.pack.pack_models import ConflictModel, MergeLineModel
from app.ui.style import BAD, OK, WARN
from app.ui.widgets.record_table import RecordTable, standard_action
from app.ui.widgets.screen_fit import resize_to_screen


class MergeDialog(QDialog):
    merged = Signal(object)             # the MergeResult

    def __init__(self, ws, parent: QWidget | None = None, path: str = "") -> None:
        super().__init__(parent)
        self.ws = ws
        self.plan = None
        self.decisions: dict[int, str] = {}
        self.setWindowTitle("合并采集包")
        self._build_ui(path)
        self._connect_signals()
        resize_to_screen(self, 1000, 680)
        self._update_buttons()

    def _build_ui(self, path: str) -> None:
        intro = QLabel("选择教学点交回的U盘上的采集包文件夹，先预览：软件核对它是本校发出的、“完成采集”后没有被改动，"
                       "并列出它带回的每一项。有冲突时请逐项决定采用哪一方；合并前会先备份本校数据。")
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.path = QLineEdit(path)
        self.path.setObjectName("returnPath")
        self.path.setPlaceholderText("U盘上的“采集包-…”文件夹")
        self.browse = QPushButton("选择…")
        self.preview_button = QPushButton("预览")
        self.preview_button.setObjectName("previewReturn")
        row = QHBoxLayout()
        row.addWidget(QLabel("采集包："))
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        row.addWidget(self.preview_button)
        self.summary = QLabel()
        self.summary.setObjectName("mergeSummary")
        self.summary.setWordWrap(True)
        self.lines = RecordTable(MergeLineModel(), placeholder="搜索（教师、内容）")
        self.lines.setObjectName("mergeLines")
        self.conflicts = RecordTable(ConflictModel(), placeholder="搜索冲突")
        self.conflicts.setObjectName("mergeConflicts")
        self.act_school = standard_action(self, "采用学校的", lambda: self._decide(TAKE_SCHOOL))
        self.act_point = standard_action(self, "采用教学点的", lambda: self._decide(TAKE_POINT))
        self.conflicts.add_button(self.act_school)
        self.conflicts.add_button(self.act_point)
        self.conflict_title = QLabel("冲突（请逐项决定）")
        self.conflict_title.setProperty("role", "sectionTitle")
        bottom = QWidget()
        col = QVBoxLayout(bottom)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.conflict_title)
        col.addWidget(self.conflicts)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.lines)
        self.split.addWidget(bottom)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.by = QLineEdit()
        self.by.setPlaceholderText("经办人")
        self.by.setToolTip("经办人姓名，记入操作日志（不填则为电脑的登录名）")
        self.by.setMaximumWidth(120)
        self.result = QLabel()
        self.result.setObjectName("mergeResult")
        self.result.setWordWrap(True)
        self.merge_button = QPushButton("合并")
        self.merge_button.setObjectName("mergeButton")
        self.close_button = QPushButton("关闭")
        buttons = QHBoxLayout()
        buttons.addWidget(self.result, 1)
        buttons.addWidget(self.by)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(row)
        lay.addWidget(self.summary)
        lay.addWidget(self.split, 1)
        lay.addLayout(buttons)

    def _connect_signals(self) -> None:
        self.browse.clicked.connect(self._on_browse_clicked)
        self.preview_button.clicked.connect(self.run_preview)
        self.path.textChanged.connect(self._on_path_changed)
        self.conflicts.selection_changed.connect(self._update_buttons)
        self.merge_button.clicked.connect(self._on_merge_clicked)
        self.close_button.clicked.connect(self.reject)

    def _on_browse_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "选择U盘上的采集包文件夹", self.path.text())
        if path:
            self.path.setText(path)
            self.run_preview()

    def _on_path_changed(self, _text: str) -> None:
        self._show_plan(None)

    def run_preview(self) -> None:
        path, ws = self.path.text().strip(), self.ws
        if not path:
            return
        self._show_plan(None)
        self.summary.setText("正在核验…")
        jobs.run_with_progress(self, lambda ctx: preview_merge(ws, path, ctx.progress), title="预览采集包",
                               text="正在核验回收包…", on_done=self._show_plan, on_failed=self._on_preview_failed)

    def _on_preview_failed(self, exc) -> None:
        from app.errors import AppError
        self._show_plan(None)
        if isinstance(exc, AppError):
            self.summary.setText(exc.full_message())
            self.summary.setStyleSheet(f"color:{BAD}")
        else:
            show_error(self, exc)

    def _show_plan(self, plan) -> None:
        self.plan = plan
        self.decisions = {}
        self.lines.set_rows(plan.lines if plan else [])
        self._fill_conflicts()
        self.summary.setStyleSheet("")
        self.result.setText("")
        if plan is None:
            self.summary.setText("")
        else:
            bag = plan.bag
            parts = [f"{plan.pack_label}，第 {bag.return_seq} 次回收（{bag.sealed_at.replace('T', ' ')}"
                     + (f"，采集人 {bag.sealed_by}" if bag.sealed_by else "") + "）。核验通过。"]
            if plan.nothing_new:
                parts.append("这个回收包已经合并过，没有新的内容。")
            else:
                parts.append(f"将合并 {plan.count(NEW)} 项，冲突 {plan.count(CONFLICT)} 项，无需更改 {plan.count(SAME)} 项，"
                             f"无法合并 {plan.count(CANNOT)} 项。")
            if plan.already:
                parts.append(f"其中 {plan.already} 项在以前的回收中已合并。")
            if plan.silent:
                parts.append(f"教学点撤销或改写了 {len(plan.silent)} 项（不合并）。")
            parts += [f"提醒：{w}" for w in plan.warnings]
            self.summary.setText("\n".join(parts))
            self.summary.setStyleSheet(f"color:{WARN}" if plan.conflicts or plan.warnings else "")
        self._update_buttons()

    def _fill_conflicts(self) -> None:
        rows = [(line, self.decisions.get(line.n)) for line in (self.plan.conflicts if self.plan else [])]
        keep = self.conflicts.current_key()
        self.conflicts.set_rows(rows)
        if keep is not None:
            self.conflicts.select_key(keep)
        elif rows:
            self.conflicts.select_key(rows[0][0].n)
        visible = bool(rows)
        self.conflict_title.setVisible(visible)
        self.conflicts.setVisible(visible)

    def _decide(self, side: str) -> None:
        row = self.conflicts.current_row()
        if row is None:
            return
        self.decisions[row[0].n] = side
        self._fill_conflicts()
        undecided = [c for c in self.plan.conflicts if c.n not in self.decisions]
        if undecided:
            self.conflicts.select_key(undecided[0].n)
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        plan = self.plan
        ready = plan is not None and not plan.nothing_new and all(c.n in self.decisions for c in plan.conflicts)
        self.merge_button.setEnabled(ready)
        chosen = self.conflicts.current_row() is not None
        self.act_school.setEnabled(chosen)
        self.act_point.setEnabled(chosen)
        if plan is not None and plan.conflicts and not ready:
            self.result.setText(f"还有 {sum(1 for c in plan.conflicts if c.n not in self.decisions)} 处冲突待决定。")

    def _on_merge_clicked(self) -> None:
        plan = self.plan
        if plan is None:
            return
        ws, path, by, decisions = self.ws, self.path.text().strip(), self.by.text().strip(), dict(self.decisions)
        expected = plan.signature()

        def done(result) -> None:
            self.result.setText(result.message)
            self.result.setStyleSheet(f"color:{OK}")
            self.merge_button.setEnabled(False)
            self.merged.emit(result)
            QMessageBox.information(self, "合并完成", result.message + (f"\n合并前的备份：{result.backup}"
                                                                        if result.backup else ""))

        jobs.run_with_progress(self, lambda ctx: merge_return(ws, path, decisions=decisions, by=by, expected=expected,
                                                              progress=ctx.progress),
                               title="合并采集包", text="正在备份、复制并校验证据文件、写入记录…", on_done=done)
