"""One teacher's points: the grid, the point's details, the live rule check and 保存."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QScrollArea, QSplitter, QTextBrowser,
                               QVBoxLayout, QWidget)

from app.errors import ConfirmationRequired
from app.services import choices
from app.services.evidence import ItemInfo
from app.services.matrix import ChoiceState, rule_summary
from app.ui.widgets import page_kit
from app.ui.micro.point_grid import PointGrid, point_tooltip


class TeacherChoicePanel(QWidget):
    """Shows a ChoiceState; saving goes through choices.set_choices (the one rule)."""

    saved = Signal(int)            # teacher id

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self._state: ChoiceState | None = None
        self._items: dict[str, list[ItemInfo]] = {}
        self._confirmed_drops: set[str] = set()
        self._pinned: str | None = None
        self._build_ui()
        self._connect_signals()
        self._show_state(None)

    def _build_ui(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("panelTitle")
        self.title.setStyleSheet("font-size:16px;font-weight:bold")
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.grid = PointGrid()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid)
        self.detail = QTextBrowser()
        self.detail.setObjectName("pointDetail")
        self.detail.setMinimumWidth(180)
        self.detail.setMaximumWidth(360)
        self.check = QLabel()
        self.check.setObjectName("liveCheck")
        self.check.setWordWrap(True)
        self.check.setTextFormat(Qt.TextFormat.RichText)
        self.save_button = QPushButton(self.tr("保存选点"))
        self.save_button.setDefault(True)
        self.revert_button = QPushButton(self.tr("撤销修改"))
        split = QSplitter()
        split.addWidget(scroll)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setSizes([720, 190])
        buttons = QHBoxLayout()
        buttons.addWidget(self.check, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.rule)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)

    def _connect_signals(self) -> None:
        self.grid.selection_changed.connect(self._on_grid_selection_changed)
        self.grid.point_hovered.connect(self._on_grid_point_hovered)
        self.grid.drop_requested.connect(self._on_grid_drop_requested)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.revert_button.clicked.connect(self._on_revert_clicked)

    # public API ---------------------------------------------------------------------------

    def load(self, teacher_id: int, items: dict[str, list[ItemInfo]]) -> None:
        """Load one teacher in the background; the panel is replaced when it arrives."""
        self._items = items
        page_kit.run(self, lambda _p: self.api.micro.teacher_choice_state(teacher_id), self._show_state)

    def state(self) -> ChoiceState | None:
        return self._state

    def selected_codes(self) -> list[str]:
        return self.grid.checked_codes()

    def is_dirty(self) -> bool:
        return self._state is not None and tuple(self.selected_codes()) != self._state.chosen

    # display ------------------------------------------------------------------------------

    def _show_state(self, state: ChoiceState | None) -> None:
        self._state = state
        self._confirmed_drops.clear()
        if state is None:
            self.title.setText(self.tr("请在左侧选择一位教师"))
            self.rule.clear()
            self.grid.setEnabled(False)
            self.check.clear()
            self.save_button.setEnabled(False)
            self.revert_button.setEnabled(False)
            return
        extra = f"（工号 {state.staff_no}）" if state.staff_no else ""
        self.title.setText(f"{state.name}{extra}　{state.subject}　{state.environment}环境")
        outside = sum(1 for p in state.points if choices.outside_environment_reason(p, state.environment))
        self.rule.setText(rule_summary(state.micro, state.environment)
                          + (f"灰色的 {outside} 个能力点不在本环境内，不能选择（鼠标停留可看原因）。" if outside else ""))
        self.grid.set_points(state.points, state.environment, self._items)
        self.grid.set_checked(state.chosen, guarded=set(state.files_by_point))
        blocked = state.exempt_reason or (None if state.micro is not None else "本项目方案不设微能力点")
        self.grid.setEnabled(blocked is None)
        if blocked:
            self.check.setText(f"<span style='color:#808080'>{html.escape(state.name)}：{html.escape(blocked)}，"
                               "无需选点。</span>")
            self.save_button.setEnabled(False)
            self.revert_button.setEnabled(False)
        else:
            self._update_check()
        self._pinned = state.chosen[0] if state.chosen else None
        self._show_detail(self._pinned)

    def _update_check(self) -> None:
        state = self._state
        codes = self.selected_codes()
        problems = state.problems(codes)
        known = {p.code: p for p in state.points}
        dims = sorted({known[c].dimension for c in codes}, key=choices.DIMENSIONS.index)
        head = f"已选 {len(codes)} 个：{'、'.join(codes) or '无'}；覆盖维度 {len(dims)} 个{('（' + '、'.join(dims) + '）') if dims else ''}"
        if problems:
            body = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
            self.check.setText(f"{html.escape(head)}<br><span style='color:#c0392b'><b>还不能保存：</b></span>"
                               f"<ul style='margin:0;color:#c0392b'>{body}</ul>")
        else:
            self.check.setText(f"{html.escape(head)}<br><span style='color:#1b7f3b'><b>✔ 符合本校方案的选点规则</b>"
                               f"{'，可以保存' if self.is_dirty() else '（已保存）'}</span>")
        self.save_button.setEnabled(not problems and self.is_dirty())
        self.save_button.setToolTip("" if not problems else "\n".join(problems))
        self.revert_button.setEnabled(self.is_dirty())

    def _show_detail(self, code: str | None) -> None:
        if not code or self._state is None:
            self.detail.setHtml("<p style='color:#808080'>把鼠标移到能力点上，可查看能力描述和需要提交的证据。</p>")
            return
        p = next(p for p in self._state.points if p.code == code)
        reason = choices.outside_environment_reason(p, self._state.environment)
        text = point_tooltip(p, self._items.get(code, []), reason)
        if code in self._state.files_by_point:
            text += f"<p>已提交证据文件 {self._state.files_by_point[code]} 个。</p>"
        self.detail.setHtml(text)

    # slots --------------------------------------------------------------------------------

    def _on_grid_selection_changed(self, codes: list) -> None:
        if codes:
            self._pinned = codes[-1]
        self._update_check()

    def _on_grid_point_hovered(self, code: str) -> None:
        self._show_detail(code)

    def _on_grid_drop_requested(self, code: str) -> None:
        n = self._state.files_by_point.get(code, 0)
        if page_kit.ask(self, self.tr("取消能力点"),
                        f"{self._state.name} 已为能力点 {code} 提交了 {n} 个证据文件。\n\n"
                        "取消这个能力点后，这些文件仍会保留在证据库中（以后重新选择时还能看到），"
                        "但不再计入考核。\n\n确定要取消吗？"):
            self._confirmed_drops.add(code)
            self.grid.confirm_drop(code)

    def _on_revert_clicked(self) -> None:
        self._show_state(self._state)

    def _on_save_clicked(self) -> None:
        state, codes = self._state, self.selected_codes()
        if state is None or state.problems(codes):
            return
        dropped = set(state.chosen) - set(codes)
        confirm = bool(dropped & set(state.files_by_point)) and dropped & set(state.files_by_point) <= self._confirmed_drops
        self.save_button.setEnabled(False)

        def work(_p):
            try:
                return self.api.micro.set_choices(state.teacher_id, codes, confirm_drop=confirm)
            except ConfirmationRequired as exc:
                return exc        # needs the drop confirmed (changed since loaded): ask on the GUI thread

        page_kit.run(self, work, lambda asked: self._after_save(state.teacher_id, codes, asked),
                     on_failed=self._on_save_failed)

    def _after_save(self, teacher_id: int, codes: list[str], asked) -> None:
        """asked: the ConfirmationRequired to put to the user, or the saved ChoiceResult."""
        if isinstance(asked, ConfirmationRequired):
            if not page_kit.ask(self, self.tr("取消能力点"), asked.user_message + "\n\n确定要保存吗？"):
                self._update_check()
                return
            page_kit.run(self, lambda _p: self.api.micro.set_choices(teacher_id, codes, confirm_drop=True),
                         lambda _r: self._after_save(teacher_id, codes, None), on_failed=self._on_save_failed)
            return
        self.saved.emit(teacher_id)
        page_kit.run(self, lambda _p: self.api.micro.teacher_choice_state(teacher_id), self._show_state)

    def _on_save_failed(self, exc: BaseException) -> None:
        page_kit.show_error(self, exc)
        if self._state is not None:
            self._update_check()
