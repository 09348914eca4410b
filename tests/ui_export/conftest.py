"""GUI tests of 导出与打印: offscreen Qt, a fresh data folder per test, no dialog ever blocks.

* QT_QPA_PLATFORM=offscreen (a 1920×1080 virtual screen) before any PySide6 import.
* `dialogs` (autouse) replaces QMessageBox's static functions, the file dialogs and
  the system viewer: tests read what was shown and decide the answers.
* `print_to` replaces the print dialog with one that "presses 打印" on a PDF printer,
  so the real printing path runs and nothing interactive opens.
* `school_dir` is a copy of the demo school, built once per session.
* Set TISHENG_UI_SHOTS to a folder to keep PNGs of the dialogs (for looking at them).
"""

# The offscreen screen, the Chinese app, the dialogs double and the demo-school fixtures
# are those of tests/ui.
from tests.ui.conftest import (_chinese_app, controller, demo_template, dialogs, school_dir,  # noqa: F401
                               settle, window)
import os  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


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
