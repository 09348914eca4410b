"""A FormDialog whose 保存 runs the service as a background job (app.ui.jobs), not on the UI thread.

The form validates as you type like every other form; 保存 starts `save_job(values)` (a function of
the job context), keeps the dialog open while it runs, shows a ValidationError beside its field,
any other error in a message box, and closes with `saved(result)` only when the job succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.errors import ValidationError
from app.ui import jobs
from app.ui.errors import show_error
from app.ui.widgets.form_dialog import FormDialog


class JobFormDialog(FormDialog):
    job_title = "保存"

    def save_job(self, values: dict[str, Any]) -> Callable:
        """Override: the work function `fn(ctx)` that saves the values (runs on a worker thread)."""
        raise NotImplementedError

    def _on_save_clicked(self) -> None:
        self._submitted = True
        self._revalidate()
        if self._errors:
            first = next((k for k in self._fields if k in self._errors), None)
            if first:
                self._fields[first].widget.setFocus()
            return
        values = self.values()
        if not self.confirm(values):
            return
        self.save_button.setEnabled(False)
        self.job = jobs.run_with_progress(self, self.save_job(values), title=self.job_title,
                                          on_done=self._on_job_done, on_failed=self._on_job_failed,
                                          on_cancelled=lambda: self.save_button.setEnabled(True))

    def _on_job_done(self, result) -> None:
        self.save_button.setEnabled(True)
        self.result_value = result
        self.saved.emit(result)
        self.accept()

    def _on_job_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_field_error(exc)
        else:
            show_error(self, exc)
