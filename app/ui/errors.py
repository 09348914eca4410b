"""The one place an exception becomes a message box, plus the log file and sys.excepthook.

* `show_error(parent, exc)`: an AppError is a warning box with its Chinese
  message (what to fix); a cancel is a short note; anything else is logged with
  its traceback and the user sees a polite message naming the log file, never
  a traceback.
* `setup_logging(logs_dir)`: a rotating log file in the school's data folder
  (`DataPaths.logs/tisheng.log`, shared with the command line). Called again
  when the user switches data folders.
* `install_excepthook()`: uncaught exceptions (including those raised in slots)
  are logged at critical level and shown with `show_error`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.errors import AppError, CancelledError
from app.services.logfile import QuietFileHandler

log = logging.getLogger(__name__)

LOG_NAME = "tisheng.log"
_state: dict[str, object] = {"log_file": None, "handler": None, "showing": False}


def log_file() -> Path | None:
    """The log file unexpected errors are written to (None before setup_logging)."""
    return _state["log_file"]  # type: ignore[return-value]


def setup_logging(logs_dir: Path) -> Path:
    """Log to logs_dir/tisheng.log (1 MB × 5, UTF-8); replaces the previous folder's handler."""
    path = Path(logs_dir) / LOG_NAME
    root = logging.getLogger()
    old = _state["handler"]
    if isinstance(old, logging.Handler):
        root.removeHandler(old)
        old.close()
        _state["handler"] = None
    already = any(isinstance(h, QuietFileHandler) and Path(h.baseFilename) == path.resolve()
                  for h in root.handlers)
    if not already:
        try:
            # control characters escaped in every line, no "--- Logging error ---" on a full disk
            handler = QuietFileHandler(path)
        except OSError:
            log.warning("cannot open log file %s", path)
        else:
            root.addHandler(handler)
            _state["handler"] = handler
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    _state["log_file"] = path
    return path


def unexpected_message() -> str:
    where = log_file()
    place = f"\n\n详细情况已记录在日志文件中：\n{where}" if where else ""
    return ("很抱歉，软件遇到了一个意外问题，刚才的操作没有完成，已保存的数据不受影响。"
            f"{place}\n\n您可以继续使用。如果问题反复出现，请把这个日志文件发给技术支持人员。")


def show_error(parent: QWidget | None, exc: BaseException, *, logged: bool = False) -> None:
    """Show any exception to the user in Chinese; log the unexpected ones."""
    if isinstance(exc, CancelledError):
        QMessageBox.information(parent, "已取消", exc.user_message)
        return
    if isinstance(exc, AppError):
        log.info("shown to user: %s", exc.full_message())
        QMessageBox.warning(parent, "无法完成操作", exc.full_message())
        return
    if not logged:
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    if _state["showing"]:            # an error while showing an error: the log has it
        return
    _state["showing"] = True
    try:
        QMessageBox.critical(parent, "出现意外问题", unexpected_message())
    finally:
        _state["showing"] = False


def _excepthook(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if isinstance(exc, AppError):
        logged = True
    else:
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        logged = True
    app = QApplication.instance()
    if app is None:
        sys.stderr.write(unexpected_message() + "\n")
        return
    show_error(QApplication.activeWindow(), exc, logged=logged)


def install_excepthook() -> None:
    sys.excepthook = _excepthook
