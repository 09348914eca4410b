"""GUI tests of 导出与打印: offscreen Qt, a fresh data folder per test, no dialog ever blocks.

* QT_QPA_PLATFORM=offscreen (a 1920×1080 virtual screen) before any PySide6 import.
* `dialogs` (autouse) replaces QMessageBox's static functions, the file dialogs and
  the system viewer: tests read what was shown and decide the answers.
* `print_to` replaces the print dialog with one that "presses 打印" on a PDF printer,
  so the real printing path runs and nothing interactive opens.
* `school_dir` is a copy of the demo school, built once per session.
* Set TISHENG_UI_SHOTS to a folder to keep PNGs of the dialogs (for looking at them).
"""

# The offscreen screen, the Chinese app and the demo-school fixtures are those of tests/ui;
# the dialogs double differs here (several files, save-as, the system viewer).
from tests.ui.conftest import _chinese_app, controller, demo_template, school_dir, window  # noqa: F401
import os  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402


@dataclass
class Dialogs:
    answers: list = field(default_factory=list)      # for question(): True = 是
    folder: str = ""                                  # getExistingDirectory
    save_file: str = ""                               # getSaveFileName
    open_files: list = field(default_factory=list)    # getOpenFileName(s)
    seen: list = field(default_factory=list)          # (kind, title, text)
    opened: list = field(default_factory=list)        # local files handed to the system

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, _title, text in self.seen if kind is None or k == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    d = Dialogs()

    def question(parent, title, text, *args, **kwargs):
        d.seen.append(("question", title, text))
        if not d.answers:
            raise AssertionError(f"unexpected question: {title}: {text}")
        return QMessageBox.StandardButton.Yes if d.answers.pop(0) else QMessageBox.StandardButton.No

    def box(kind):
        def show(parent, title, text, *args, **kwargs):
            d.seen.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return staticmethod(show)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    for kind in ("information", "warning", "critical", "about"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: d.seen.append(("exec", self.windowTitle(), self.text())) or 0)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: d.folder))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (d.save_file, "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (d.open_files[0] if d.open_files else "", "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (list(d.open_files), "")))
    from PySide6.QtGui import QDesktopServices
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: d.opened.append(url.toLocalFile()) or True))
    return d


@pytest.fixture
def print_to(monkeypatch, tmp_path):
    """The print dialog answers 打印 with a PDF printer; returns the file it prints into."""
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QDialog

    from app.ui.export import printing
    out = tmp_path / "printed.pdf"

    class AcceptingPrintDialog:
        def __init__(self, printer, parent=None):
            self.printer = printer

        def setWindowTitle(self, _t): ...
        def setMinMax(self, _a, _b): ...
        def setOption(self, _o, _on=True): ...

        def exec(self):
            self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.printer.setOutputFileName(str(out))
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(printing, "QPrintDialog", AcceptingPrintDialog)
    return out


def settle() -> None:
    from PySide6.QtWidgets import QApplication

    from app.ui import jobs
    QApplication.processEvents()
    assert jobs.wait_idle(60000), "a background job did not finish"
    QApplication.processEvents()


def pdf_text(path: Path) -> str:
    import subprocess
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_pages(path: Path) -> int:
    import subprocess
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def keep_shot(widget, name: str) -> None:
    folder = os.environ.get("TISHENG_UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))
