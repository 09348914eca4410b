"""The log file: where it lives, what a line may contain, and that it never disturbs the user.

* Lines are escaped (`SafeFormatter`): a control character in a logged value – a teacher's name,
  a file name from a bundle – is written as `\\uXXXX`, so a log line cannot be forged or carry a
  terminal escape; tracebacks keep their line breaks.
* Writing is quiet (`QuietFileHandler`): a full disk or a vanished folder drops the record instead
  of printing Python's "--- Logging error ---" traceback on the user's screen.
* The file is kept to about 1 MB with five older ones (tisheng.log.1 … .5), as RotatingFileHandler
  keeps it, except that a rename Windows refuses (the window and a command both have the file
  open) leaves the file growing instead of dropping every later record.
* Until a data folder is opened, records go to a file in the system temp folder, created only if
  something is logged (`temp_log_path()`): `tisheng verify` on a district PC leaves nothing in a
  user data folder.
* Library warnings (openpyxl's English UserWarning with a site-packages path) go to the log, not
  to stderr (`capture_warnings()`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from app.services.validation.controls import escape_invisible

LOG_NAME = "tisheng.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_current: dict[str, object] = {"handler": None, "path": None}


class SafeFormatter(logging.Formatter):
    """The usual format, with every control character of the message escaped (line breaks too)."""

    def __init__(self) -> None:
        super().__init__(FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        saved = record.message
        record.message = escape_invisible(saved, keep="")
        try:
            return super().formatMessage(record)
        finally:
            record.message = saved


class QuietFileHandler(logging.FileHandler):
    """The log file (see the module docstring): created with its folder when first needed,
    rotated at MAX_BYTES, never reporting its own failures on stderr. (Not logging.handlers'
    RotatingFileHandler: that module loads socket and pickle, 6 ms of every command's start.)"""

    def __init__(self, path: Path, *, delay: bool = False) -> None:
        if not delay:
            path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(path, mode="a", encoding="utf-8", delay=delay)
        self.setFormatter(SafeFormatter())

    _rotate_at = 0                          # a size past MAX_BYTES, after a rotation failed

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None:
                size = self.stream.tell()
                if size >= max(MAX_BYTES, self._rotate_at):
                    self._rotate(size)
        except (OSError, ValueError):
            pass
        super().emit(record)

    def _rotate(self, size: int) -> None:
        """tisheng.log → .1 → … → .5 (the oldest dropped), then a new file; a rename that fails
        leaves the names as they are and the current file open for appending, and is tried
        again only once the file has grown by MAX_BYTES more (not at every record)."""
        self.stream.close()
        self.stream = None
        base = self.baseFilename
        try:
            for i in range(BACKUPS - 1, 0, -1):
                if os.path.exists(f"{base}.{i}"):
                    os.replace(f"{base}.{i}", f"{base}.{i + 1}")
            os.replace(base, f"{base}.1")
            self._rotate_at = 0
        except OSError:
            self._rotate_at = size + MAX_BYTES
        self.stream = self._open()

    def _open(self):
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass                                     # disk full, folder gone: losing a log line is fine

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            pass

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            self.stream = None


def temp_log_path() -> Path:
    return Path(tempfile.gettempdir()) / "tisheng-logs" / LOG_NAME


def use_log(path: Path, *, delay: bool = False) -> Path | None:
    """Send the root logger's records to `path` (replacing the file used so far); None if the file
    cannot be opened (the previous one stays)."""
    root = logging.getLogger()
    try:
        handler = QuietFileHandler(path, delay=delay)
    except OSError:
        return None
    old = _current["handler"]
    if isinstance(old, logging.Handler):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    _current["handler"], _current["path"] = handler, path
    return path


def current_log() -> Path | None:
    return _current["path"]  # type: ignore[return-value]


def capture_warnings() -> None:
    """warnings.warn() from libraries goes to the log file instead of stderr."""
    logging.captureWarnings(True)
    root = logging.getLogger()
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())   # never Python's last-resort handler on stderr


def close_log() -> None:
    """Detach the file (tests and the CLI's end of run)."""
    old = _current["handler"]
    if isinstance(old, logging.Handler):
        logging.getLogger().removeHandler(old)
        old.close()
    _current["handler"], _current["path"] = None, None
