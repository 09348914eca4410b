"""A FormDialog whose 保存 runs the service as a background job (app.ui.jobs), not on the UI thread.

The form validates as you type like every other form; 保存 runs `save_work(ctx, values)` as a job
with a progress dialog and 取消 (a big file's copy reports progress), keeps the dialog open while it
runs, shows a ValidationError beside its field, any other error in a message box, and closes with
`saved(result)` only when the job succeeded. (Not FormDialog's own save: that one cannot be cancelled.)
"""

from __future__ import annotations

from typing import Any

from app.errors import ValidationError
from app.ui import jobs
from app.ui.errors import show_error
from app.ui.widgets.form_dialog import FormDialog


class JobFormDialog(FormDialog):
    job_title = "保存"

    def save_work(self, ctx, values: dict[str, Any]) -> Any:
        """Override: save the values (runs on a worker thread: reads only plain values, touches no widget)."""
        raise NotImplementedError

    def _on_save_clicked(self) -> None:
        values = self.confirmed_values()
        if values is None:
            return
        self.save_button.setEnabled(False)
        self.job = jobs.run_with_progress(self, lambda ctx: self.save_work(ctx, values), title=self.job_title,
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
