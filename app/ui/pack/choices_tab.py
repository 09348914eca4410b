"""能力点 for one teacher of the pack: the 30 points (those outside the teacher's environment disabled),
the programme's rule checked live by the service, 保存 only when it holds."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.ui.micro.point_grid import PointGrid
from app.ui.style import BAD, OK


class ChoicesTab(QWidget):
    check_requested = Signal(list)          # codes to check by the programme's rule
    save_requested = Signal(list, bool)     # codes, confirm dropping points with files

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.teacher_state = None
        self._confirmed = False
        self._built_for: tuple | None = None
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.grid = PointGrid()
        holder = QScrollArea()
        holder.setWidgetResizable(True)
        holder.setWidget(self.grid)
        self.problems = QLabel()
        self.problems.setObjectName("choiceProblems")
        self.problems.setWordWrap(True)
        self.save_button = QPushButton("保存能力点")
        self.save_button.setObjectName("saveChoices")
        self.revert_button = QPushButton("恢复")
        row = QHBoxLayout()
        row.addWidget(self.problems, 1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.intro)
        lay.addWidget(holder, 1)
        lay.addLayout(row)

    def _connect_signals(self) -> None:
        self.grid.selection_changed.connect(self._on_grid_selection_changed)
        self.grid.drop_requested.connect(self._on_grid_drop_requested)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.revert_button.clicked.connect(lambda: self.set_teacher(self.teacher_state, self._document, force=True))

    def set_teacher(self, teacher_state, document, *, force: bool = False) -> None:
        self.teacher_state, self._document = teacher_state, document
        if teacher_state is None:
            self.grid.setEnabled(False)
            return
        t = teacher_state.teacher
        key = (t.id, t.environment)
        if force or key != self._built_for:
            items: dict[str, list] = {}
            for it in document.items.values():
                if it.point:
                    items.setdefault(it.point, []).append(it)
            self.grid.set_points(tuple(document.points.values()), t.environment, items)
            self._built_for = key
        guarded = {e.item.point for e in teacher_state.items if e.item.point and e.files}
        self.grid.set_checked(teacher_state.choices, guarded)
        self.grid.setEnabled(document.rules.micro is not None)
        self._confirmed = False
        self.intro.setText(f"{t.name}：{t.environment}学习环境（灰色的能力点不适用）。勾选后按本校项目方案检查，"
                           "符合规定才能保存。" if document.rules.micro is not None else "本项目方案不要求选择微能力点。")
        self.show_check((), saved=True)

    def show_check(self, problems, *, saved: bool = False) -> None:
        codes = self.grid.checked_codes()
        changed = self.teacher_state is not None and tuple(codes) != tuple(self.teacher_state.choices)
        if problems:
            self.problems.setText("不符合规定：" + "；".join(problems))
            self.problems.setStyleSheet(f"color:{BAD}")
        else:
            self.problems.setText("符合项目方案的规定。" + ("（未保存）" if changed else ""))
            self.problems.setStyleSheet(f"color:{OK}")
        self.save_button.setEnabled(changed and not problems)
        self.revert_button.setEnabled(changed)

    def _on_grid_selection_changed(self, codes: list) -> None:
        self.save_button.setEnabled(False)
        self.check_requested.emit(list(codes))

    def _on_grid_drop_requested(self, code: str) -> None:
        answer = QMessageBox.question(self, "取消能力点",
                                      f"能力点 {code} 已有证据文件。取消后文件保留在U盘上，但不再计入。确定取消吗？")
        if answer == QMessageBox.StandardButton.Yes:
            self._confirmed = True
            self.grid.confirm_drop(code)

    def _on_save_clicked(self) -> None:
        self.save_requested.emit(self.grid.checked_codes(), self._confirmed)
