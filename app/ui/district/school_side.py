"""The school window's part of district mode: import a receipt (回执) or the district's signed programme.

The first time, the school has no district key yet: it is asked for the fingerprint the district
announced (typed in groups, checked as typed); the district's public key file beside the receipt
must have exactly that fingerprint. Later files are checked against the key registered then.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.services.district_link import import_published_programme, import_receipt, receipt_status, trusted_district
from app.ui import jobs
from app.ui.district.fingerprint_edit import FingerprintEdit
from app.ui.widgets.screen_fit import resize_to_screen


class DistrictKeyQuestion(QDialog):
    """区县公钥指纹: asked once, before the first receipt or programme from the district."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("输入区县公钥指纹")
        text = QLabel(f"本校还没有登记区县的公钥。为确认这份{what}确实来自区县，请输入区县通知或回执单上公布的"
                      "区县公钥指纹（8 组，每组 4 位）。文件旁边的“区县公钥.pub”必须与它一致；以后的回执都按这把公钥核对。")
        text.setWordWrap(True)
        self.fingerprint = FingerprintEdit()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addWidget(self.fingerprint)
        lay.addStretch(1)
        lay.addWidget(self.buttons)
        self.fingerprint.checked.connect(lambda s: self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(s.ok))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        resize_to_screen(self, 560, 260)


def _then(parent: QWidget, ws, what: str, work, on_done) -> None:
    """Ask for the district fingerprint first if none is registered, then run work(key) in the background."""
    def start(key: str | None) -> None:
        jobs.run_in_background(parent, lambda ctx: work(key), on_done=on_done)

    def checked(trust) -> None:
        if trust is not None:
            start(None)
            return
        question = DistrictKeyQuestion(what, parent)
        question.accepted.connect(lambda: start(question.fingerprint.value()))
        question.open()
        parent._district_key_question = question          # kept alive while open (and for tests)

    jobs.run_in_background(parent, lambda ctx: trusted_district(ws), on_done=checked)


def import_receipt_file(parent: QWidget, ws, events, path: str | None = None) -> None:
    """文件 › 导入区县回执…"""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "导入区县回执", "", "区县回执 (*.json)")
    if not path:
        return

    def done(result) -> None:
        row, status = result
        if events is not None:
            events.emit("data")
        QMessageBox.information(parent, "已导入回执", f"{row.district_name}已于 {row.received_date} 接收本校第 {row.version} 版报送包"
                                f"（封存码 {row.seal_code}）。\n\n首页显示：{status}")

    _then(parent, ws, "回执", lambda key: (import_receipt(ws, Path(path), district_key=key), receipt_status(ws)), done)


def import_signed_programme(parent: QWidget, ws, path: str, on_done) -> None:
    """A programme file with a .minisig beside it: the district's published programme."""
    _then(parent, ws, "区县项目方案", lambda key: import_published_programme(ws, Path(path), district_key=key), on_done)


def is_signed(path: str) -> bool:
    return Path(path + ".minisig").is_file()
