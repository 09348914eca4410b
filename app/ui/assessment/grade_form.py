"""The grading controls shared by the queue and the per-teacher sheet, and their keyboard keys."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.ui.widgets.fields import DateField

GRADE_COLOURS = {0: "#1b7f3b", 1: "#2a6fdb", 2: "#c0392b"}


class GradeForm(QWidget):
    """评定人, 日期, one button per grade of the programme's scale, and a comment."""

    grade_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale: tuple[str, ...] = ()
        self.buttons: dict[str, QPushButton] = {}
        self._build_ui()

    def _build_ui(self) -> None:
        self.reviewer_box = QComboBox()
        self.reviewer_box.setEditable(True)
        self.reviewer_box.setMinimumWidth(140)
        self.reviewer_box.lineEdit().setPlaceholderText("评定人（指导团队成员）")
        self.reviewer_box.setToolTip("评定人：从团队成员中选择，校外专家可直接输入姓名")
        self.date_field = DateField(date.today())
        self.comment = QLineEdit(placeholderText="评语（可不填）：写完按 Enter 回到列表，再按数字键评定")
        self.comment.setObjectName("gradeComment")
        top = QHBoxLayout()
        top.addWidget(QLabel("评定人"))
        top.addWidget(self.reviewer_box, 1)
        top.addWidget(QLabel("评定日期"))
        top.addWidget(self.date_field)
        self.button_row = QHBoxLayout()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addLayout(self.button_row)
        lay.addWidget(self.comment)

    def set_scale(self, scale: tuple[str, ...] | list[str]) -> None:
        scale = tuple(scale)
        if scale == self._scale:
            return
        self._scale = scale
        while self.button_row.count():
            w = self.button_row.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.buttons.clear()
        for n, grade in enumerate(scale, 1):
            b = QPushButton(f"{n}  {grade}" if n <= 9 else grade)
            b.setObjectName(f"grade_{grade}")
            b.setMinimumHeight(34)
            colour = GRADE_COLOURS[0 if n == 1 else 2 if n == len(scale) else 1]
            b.setStyleSheet(f"QPushButton{{font-weight:bold;color:{colour}}}QPushButton:disabled{{color:#b0b0b0}}")
            b.setToolTip(f"评为“{grade}”（快捷键 {n}）" if n <= 9 else f"评为“{grade}”")
            b.clicked.connect(lambda _c=False, g=grade: self.grade_chosen.emit(g))
            self.button_row.addWidget(b)
            self.buttons[grade] = b

    def scale(self) -> tuple[str, ...]:
        return self._scale

    def set_reviewers(self, names: list[str]) -> None:
        keep = self.reviewer_box.currentText()
        self.reviewer_box.blockSignals(True)
        self.reviewer_box.clear()
        self.reviewer_box.addItems(names)
        self.reviewer_box.setCurrentIndex(-1)
        self.reviewer_box.setEditText(keep)
        self.reviewer_box.blockSignals(False)

    def reviewer(self) -> str:
        return self.reviewer_box.currentText().strip()

    def on_date(self) -> date:
        return self.date_field.value()

    def set_grading_enabled(self, on: bool) -> None:
        for b in self.buttons.values():
            b.setEnabled(on)
        self.comment.setEnabled(on)


def confirm_changing_a_fail(parent: QWidget, teacher: str, item: str, old: str, new: str, reviewer: str) -> bool:
    """A 不合格 already given is changed only on purpose (a stray digit key must not pass a teacher).

    The answer defaults to 否, so the next key the reviewer types (N, Enter) keeps the grade.
    """
    from app.ui.widgets import page_kit
    by = f"（评定人 {reviewer}）" if reviewer else ""
    return page_kit.ask(parent, "修改不合格的等级", f"{teacher}「{item}」已评为“{old}”{by}。\n\n"
                                               f"改为“{new}”会改变能力点和个人的考核结果。确定修改吗？\n"
                                               "（帮扶后的复评不用在这里改：复评项目会回到评审队列。）")


class GradeKeys(QObject):
    """Keys on a table: 1…9 grade, O opens the file, N / Enter goes to the next item.

    Installed as an event filter, so a line edit elsewhere still types digits normally.
    """

    def __init__(self, parent: QObject, *, grade, open_file, next_item, scale) -> None:
        super().__init__(parent)
        self._grade, self._open, self._next, self._scale = grade, open_file, next_item, scale

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False
        key = event.key()
        scale = self._scale()
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            n = key - Qt.Key.Key_1
            if n < len(scale):
                self._grade(scale[n])
                return True
            return False
        if key == Qt.Key.Key_O:
            self._open()
            return True
        if key in (Qt.Key.Key_N, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._next()
            return True
        return False
