"""Add/edit forms that validate as you type and show each message beside its field.

A form subclasses FormDialog, adds fields in `_build_fields()`, and overrides

* `check(values) -> {field: message}`: the live validation (call the service's
  own validator, e.g. `teachers.validate_teacher_fields`, through
  `collect_errors` so every field's problem is found, not only the first);
* `save(values) -> result`: the facade call (`return self.api.…(…)`). It runs in
  the background through the job runner (a save may copy and hash a file, or wait
  for the database), so the window keeps painting; 保存 is disabled meanwhile. It
  reads only `values` and plain attributes, never a widget (Qt widgets belong to the
  GUI thread; tests/ui/test_form_saves_touch_no_widget.py checks every form). A
  ValidationError it raises is shown beside its field; any other AppError goes to
  `show_error`. What the save changed is published by the runner.

Messages appear under a field once the user has edited it, when another
edit caused them, and under every field when 保存 is pressed. Each field keeps
the line for its message whether or not one shows (fields never jump under the
mouse); a message too long for that line is shortened there and shown whole in
the strip beside 保存 while its field has the focus. Open the dialog with
`open()` (window-modal, no nested event loop) and connect `saved(result)` (emitted
once the save is done; `save_job` is the job while it runs). The
dialog is never taller than the screen: the fields scroll, 保存/取消 stay put.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QScrollArea, QSpinBox,
                               QVBoxLayout, QWidget)

from app.errors import AppError, ValidationError
from app.ui.widgets.error_line import ErrorLine
from app.ui.widgets.fields import DateField, FileField, combo_value
from app.ui.widgets.screen_fit import resize_to_screen

GENERAL = "_"


def collect_errors(validate: Callable[[dict], Any], values: dict, neutral: dict[str, Any],
                   resolve: Callable[[str | None], str] = lambda f: f or GENERAL) -> dict[str, str]:
    """Run a stop-at-first-error validator repeatedly, neutralising each bad field, to get all errors."""
    errors: dict[str, str] = {}
    current = dict(values)
    for _ in range(len(neutral) + 1):
        try:
            validate(current)
            return errors
        except ValidationError as exc:
            key = resolve(exc.field)
            if key in errors or key not in neutral:
                errors.setdefault(key, exc.user_message)
                return errors
            errors[key] = exc.user_message
            current[key] = neutral[key]
    return errors


class _Field:
    def __init__(self, key: str, label: str, widget: QWidget, error: ErrorLine, aliases: tuple[str, ...]) -> None:
        self.key, self.label, self.widget, self.error, self.aliases = key, label, widget, error, aliases


class FormDialog(QDialog):
    saved = Signal(object)

    def __init__(self, parent: QWidget | None, title: str, *, intro: str = "", width: int = 520,
                 embedded: bool = False) -> None:
        super().__init__(parent)
        self.embedded = embedded
        self.setWindowTitle(title)
        if embedded:                 # a form inside a page: a plain child widget, never closes
            self.setWindowFlags(Qt.WindowType.Widget)
        else:
            self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(width)
        self.result_value: Any = None
        self.save_job = None
        self._fields: dict[str, _Field] = {}
        self._touched: set[str] = set()
        self._submitted = False
        self._errors: dict[str, str] = {}
        self._initial_errors: dict[str, str] = {}
        self._build_frame(intro)
        self._build_fields()
        self._revalidate()
        self._initial_errors = dict(self._errors)      # e.g. empty required fields of a new record
        self._show_errors()                            # …which are not shown until the user gets to them
        if not embedded:
            body_height = self.form.parentWidget().sizeHint().height()
            resize_to_screen(self, max(width, self.sizeHint().width()), body_height + 150)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._fields and not self.embedded:     # keyboard users start typing in the first field
            first = next(iter(self._fields.values())).widget
            focus = QApplication.focusWidget()
            if focus is None or not self.isAncestorOf(focus) or isinstance(focus, QDialogButtonBox) \
                    or focus in self.buttons.buttons():
                first.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def reject(self) -> None:
        if not self.embedded:        # Esc inside a page must not hide the form
            super().reject()

    def _build_frame(self, intro: str) -> None:
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        self.general_error = ErrorLine(self)      # not laid out: its message shows in the strip
        self.general_error.setObjectName("error__")
        self.general_error.set_message("")
        # The whole message of the focused field (its line under the field may be shortened), or
        # the form's general problem: two lines kept free beside 保存, so nothing moves.
        self.message_strip = QLabel()
        self.message_strip.setObjectName("messageStrip")
        self.message_strip.setProperty("role", "error")
        self.message_strip.setWordWrap(True)
        self.message_strip.setFixedHeight(self.message_strip.fontMetrics().lineSpacing() * 2 + 4)
        body = QWidget()
        self.form = QFormLayout(body)
        self.form.setVerticalSpacing(2)      # each field's message line is the space between rows
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        holder = QScrollArea()       # on a small screen the fields scroll; 保存 stays in view
        holder.setWidgetResizable(True)
        holder.setFrameShape(QScrollArea.Shape.NoFrame)
        holder.setFocusPolicy(Qt.FocusPolicy.NoFocus)     # Tab goes from the last field to 保存
        holder.setWidget(body)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        if self.embedded:
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).hide()
            self.buttons.setCenterButtons(False)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(holder, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message_strip, 1)
        bottom.addWidget(self.buttons)
        lay.addLayout(bottom)

    def _build_fields(self) -> None:
        """Override: add the fields with add_field()."""

    def add_field(self, key: str, label: str, widget: QWidget, *, hint: str = "",
                  aliases: tuple[str, ...] = ()) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(widget)
        error = ErrorLine()
        error.setObjectName(f"error_{key}")
        error.set_message("")
        col.addWidget(error)
        if hint:
            tip = QLabel(hint)
            tip.setProperty("role", "hint")
            tip.setWordWrap(True)
            col.addWidget(tip)
        widget.setObjectName(f"field_{key}")
        self.form.addRow(f"{label}：", box)
        self._fields[key] = _Field(key, label, widget, error, aliases)
        self._connect_change(key, widget)
        return widget

    def add_row(self, label: str, widget: QWidget) -> None:
        self.form.addRow(f"{label}：" if label else "", widget)

    def field(self, key: str) -> QWidget:
        return self._fields[key].widget

    def _connect_change(self, key: str, widget: QWidget) -> None:
        def changed(*_args) -> None:
            self._touched.add(key)
            self._revalidate()
        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(changed)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(changed)
            if widget.isEditable():
                widget.editTextChanged.connect(changed)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(changed)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(changed)
        elif isinstance(widget, (QDoubleSpinBox, QSpinBox)):
            widget.valueChanged.connect(changed)
        elif hasattr(widget, "changed"):
            widget.changed.connect(changed)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, f in self._fields.items():
            w = f.widget
            if isinstance(w, QLineEdit):
                out[key] = w.text()
            elif isinstance(w, QComboBox):
                out[key] = combo_value(w)
            elif isinstance(w, QPlainTextEdit):
                out[key] = w.toPlainText()
            elif isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, (QDoubleSpinBox, QSpinBox)):
                out[key] = w.value()
            elif isinstance(w, DateField):
                out[key] = w.value()
            elif isinstance(w, FileField):
                out[key] = w.path()
            elif hasattr(w, "value"):
                out[key] = w.value()
        return out

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        """Override: {field key: message} for every problem (live validation)."""
        return {}

    def save(self, values: dict[str, Any]) -> Any:
        """Override: call the service and return its result."""
        raise NotImplementedError

    def confirm(self, values: dict[str, Any]) -> bool:
        """Override: ask before a save with consequences elsewhere (False keeps the form open)."""
        return True

    def resolve_field(self, name: str | None) -> str:
        """Map a ValidationError.field (a key, or a label such as 退休日期) to a form key."""
        if not name:
            return GENERAL
        if name in self._fields:
            return name
        for f in self._fields.values():
            if name == f.label or name in f.aliases:
                return f.key
        return GENERAL

    def error_text(self, key: str) -> str:
        if key == GENERAL:
            return self.general_error.full_text()
        label = self._fields[key].error
        return label.full_text() if label.isVisibleTo(self) else ""

    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def _revalidate(self) -> None:
        try:
            self._errors = self.check(self.values())
        except AppError as exc:
            self._errors = {GENERAL: exc.user_message}
        self._show_errors()

    def _show_errors(self) -> None:
        for key, f in self._fields.items():
            message = self._errors.get(key, "")
            # Shown once the field was edited, after 保存, or when another field's edit caused it
            # (status 免修 → 状态原因 required); never for a new record's still-empty fields.
            if not (self._submitted or key in self._touched or message != self._initial_errors.get(key, "")):
                message = ""
            f.error.set_message(message)
            f.widget.setProperty("invalid", bool(message))
            f.widget.style().unpolish(f.widget)
            f.widget.style().polish(f.widget)
        general = self._errors.get(GENERAL, "") if self._submitted else ""
        self.general_error.set_message(general)
        self.general_error.hide()
        self._update_strip()

    def _field_with_focus(self) -> _Field | None:
        focus = QApplication.focusWidget()
        for f in self._fields.values():
            if focus is not None and (focus is f.widget or f.widget.isAncestorOf(focus)):
                return f
        return None

    def _update_strip(self) -> None:
        f = self._field_with_focus()
        text = f.error.full_text() if f is not None else ""
        if not text and self._submitted:
            text = self.general_error.full_text() or next(
                (g.error.full_text() for g in self._fields.values() if g.error.full_text()), "")
        self.message_strip.setText(text)
        self.message_strip.setToolTip(text)

    def _on_focus_changed(self, _old, _new) -> None:
        if self.isVisible():
            self._update_strip()

    def show_field_error(self, exc: ValidationError) -> None:
        key = self.resolve_field(exc.field)
        self._errors[key] = exc.full_message()
        self._submitted = True
        self._show_errors()
        if key in self._fields:
            self._fields[key].widget.setFocus()

    def confirmed_values(self) -> dict | None:
        """The values once the user pressed save: None (with the first field in error focused,
        or the confirmation declined) when there is nothing to save."""
        self._submitted = True
        self._revalidate()
        if self._errors:
            first = next((k for k in self._fields if k in self._errors), None)
            if first:
                self._fields[first].widget.setFocus()
            return None
        values = self.values()
        return values if self.confirm(values) else None

    def _on_save_clicked(self) -> None:
        if self.save_job is not None:
            return
        values = self.confirmed_values()
        if values is None:
            return
        from app.ui import jobs
        self.save_button.setEnabled(False)
        self.save_job = jobs.run_with_progress(self, lambda ctx: self.save(values), title=self.windowTitle(),
                                               text="正在保存…", on_done=self._on_saved, on_failed=self._on_save_failed,
                                               cancellable=False)

    def _on_save_failed(self, exc: BaseException) -> None:
        self.save_job = None
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_field_error(exc)
            return
        from app.ui.errors import show_error
        show_error(self, exc)

    def _on_saved(self, result: Any) -> None:
        self.save_job = None
        self.save_button.setEnabled(True)
        self.result_value = result
        self.saved.emit(result)
        if self.embedded:
            self._touched.clear()
            self._submitted = False
            self._revalidate()
            self._initial_errors = dict(self._errors)
        else:
            self.accept()
