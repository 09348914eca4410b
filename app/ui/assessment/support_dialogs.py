"""建立帮扶 and 复评并结束帮扶 forms."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QWidget

from app.ui.widgets.fields import DateField
from app.ui.widgets.form_dialog import FormDialog

WHOLE = "（不限能力点）"
AUTO = "按复评等级自动得出"


class OpenSupportDialog(FormDialog):
    """帮扶人, the point it is about, the plan and the re-assessment date."""

    def __init__(self, parent: QWidget | None, api, teacher_id: int, teacher: str, *, helpers: list[str],
                 failed_points: tuple[str, ...] = ()) -> None:
        self.api, self._teacher_id = api, teacher_id
        self._helpers, self._points = helpers, failed_points
        super().__init__(parent, f"为 {teacher} 建立一对一帮扶",
                         intro=f"{teacher} 校本考核不合格。请指定帮扶人、帮扶计划和复评日期；"
                               "帮扶后重新评定证据，再在“一对一帮扶”页结束本记录。")

    def _build_fields(self) -> None:
        helper = QComboBox()
        helper.setEditable(True)
        helper.addItems(self._helpers)
        helper.setCurrentIndex(-1)
        self.add_field("helper", "帮扶人", helper, hint="一般由信息化教学创新研修团队成员担任")
        point = QComboBox()
        for code in self._points:
            point.addItem(code, code)
        point.addItem(WHOLE, "")
        self.add_field("point", "针对能力点", point)
        plan = QPlainTextEdit()
        plan.setPlaceholderText("例如：每周听评课一次，指导重新录制课堂实录片段")
        plan.setFixedHeight(80)
        self.add_field("plan", "帮扶计划", plan)
        self.add_field("reassess_on", "复评日期", DateField(date.today() + timedelta(days=21)))

    def check(self, values: dict) -> dict[str, str]:
        return {} if str(values.get("helper") or "").strip() else {"helper": "请填写帮扶人。"}

    def save(self, values: dict):
        """Runs on a worker thread (FormDialog): reads only the values, never a widget."""
        point = values["point"] or None          # combo_value: the item's data, "" for 不限能力点
        return self.api.assessment.open_support(self._teacher_id, helper=values["helper"], plan=values["plan"],
                                       point_code=point, reassess_on=values["reassess_on"])


class CloseSupportDialog(FormDialog):
    """The result comes from the re-graded items unless a passing result is recorded here."""

    def __init__(self, parent: QWidget | None, api, teacher_id: int, teacher: str, *, current_result: str,
                 passing: list[str]) -> None:
        self.api, self._teacher_id = api, teacher_id
        self._current, self._passing = current_result, passing
        super().__init__(parent, f"结束 {teacher} 的帮扶",
                         intro=f"{teacher} 目前的考核结果：{current_result}。"
                               "复评后通常按重新评定的等级自动得出结果；若复评另有记录，可直接选择复评结果。")

    def _build_fields(self) -> None:
        result = QComboBox()
        result.addItem(f"{AUTO}（当前：{self._current}）", "")
        for g in self._passing:
            result.addItem(g, g)
        self.add_field("result", "复评结果", result)
        self.add_field("closed_on", "结束日期", DateField(date.today()))
        note = QLabel("结束后，首页和本页的“帮扶进行中”计数会减少；记录保留，可随时查看。")
        note.setWordWrap(True)
        self.add_row("", note)

    def save(self, values: dict):
        """Runs on a worker thread (FormDialog): reads only the values, never a widget."""
        chosen = values["result"] or None        # "" = 按复评等级自动得出
        return self.api.assessment.close_support(self._teacher_id, new_result=chosen, closed_on=values["closed_on"])
