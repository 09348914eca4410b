"""Small helpers the pages share: run a job, show an error, ask a question, open a stored file.

Jobs go through the shell's runner (`app.ui.jobs`) and errors through
`app.ui.errors.show_error`, so every page reports progress and failures the
same way. Work functions here take a `Progress` (what the services expect).
Questions go through `ask()` (QMessageBox.question) so tests can answer them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.progress import Progress
from app.ui import jobs
from app.ui.errors import show_error


def run(parent: QWidget, fn: Callable[[Progress], Any], on_done: Callable[[Any], None] | None = None, *,
        title: str | None = None, touches_db: bool = True, cancellable: bool = False,
        on_failed: Callable[[BaseException], None] | None = None) -> jobs.Job:
    """Run fn(progress) in the background; on_done(result) runs on the GUI thread.

    With a title, the shell's progress dialog appears if the job takes more than half a second.
    """
    failed = on_failed or (lambda exc: show_error(parent, exc))
    if title:
        return jobs.run_with_progress(parent, lambda ctx: fn(ctx.progress), title=title, touches_db=touches_db,
                                      on_done=on_done, on_failed=failed, cancellable=cancellable)
    return jobs.run_in_background(parent, lambda ctx: fn(ctx.progress), on_done=on_done, on_failed=failed,
                                  touches_db=touches_db)


def open_stored_file(parent: QWidget, facade, sha256: str, name: str,
                     on_opened: Callable[[Path], None] | None = None) -> jobs.Job:
    """Hand a stored file to the system viewer (a read-only copy under its original name);
    `facade` is the page's facade that offers viewing_copy."""

    def opened(path: Path) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            inform(parent, "无法打开", f"系统中没有能打开“{path.name}”的程序。文件位置：\n{path}")
        if on_opened is not None:
            on_opened(path)

    return run(parent, lambda _p: facade.viewing_copy(sha256, name), opened, touches_db=False)


def ask(parent: QWidget, title: str, text: str) -> bool:
    """A 是/否 question; 否 is the default so Enter never destroys anything."""
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def inform(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


__all__ = ["ask", "inform", "open_stored_file", "run", "show_error"]
