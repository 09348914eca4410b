"""核对指纹后接收: the first bundle of a school with no registered key.

The bundle's signature is good, but only the paper 密钥登记表 says whose key it is. The user reads
the fingerprint from the stamped form and types it; 接收 is enabled only when what was typed is
complete and equals the bundle's key — then the bundle is taken in and the key registered.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.ui.district.fingerprint_edit import FingerprintEdit
from app.ui.style import BAD, OK
from app.ui.widgets.screen_fit import resize_to_screen


class ConfirmFingerprintDialog(QDialog):
    def __init__(self, school: str, fingerprint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.expected = fingerprint
        self.setWindowTitle("核对公钥指纹")
        intro = QLabel(f"<b>{school}</b> 尚未在区县登记公钥。这个报送包的签名有效，签名密钥的指纹是：<br>"
                       f"<span style='font-family:monospace; font-size:15pt'>{fingerprint}</span><br><br>"
                       "请拿出学校盖章的《密钥登记表》，把表上的公钥指纹逐组输入下面（扫码枪亦可）。"
                       "一致时才能接收，该指纹同时登记为该校的公钥。")
        intro.setWordWrap(True)
        self.fingerprint = FingerprintEdit(placeholder="照纸质登记表输入")
        self.verdict = QLabel()
        self.verdict.setObjectName("confirmVerdict")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("一致，接收")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.fingerprint)
        lay.addWidget(self.verdict)
        lay.addStretch(1)
        lay.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.fingerprint.checked.connect(self._on_fingerprint_checked)
        resize_to_screen(self, 600, 330)

    def typed(self) -> str:
        return self.fingerprint.value()

    def _on_fingerprint_checked(self, state) -> None:
        match = state.ok and state.text == self.expected
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(match)
        if state.ok and not match:
            self.verdict.setText(f"<span style='color:{BAD}'>✘ 与报送包的密钥指纹不一致：不要接收，请与学校核实。</span>")
        elif match:
            self.verdict.setText(f"<span style='color:{OK}'>✔ 与报送包的密钥指纹一致。</span>")
        else:
            self.verdict.setText("")
