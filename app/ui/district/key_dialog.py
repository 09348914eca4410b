"""登记学校公钥: a school's key from the stamped 密钥登记表 — typed fingerprint, or its .pub file.

The dialog stays open on a refusal (e.g. a different key already registered) so the user can tick
更换密钥 or correct a group; saving runs `register.add_key` as a background job.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from app.services.district.register import UNIT_KINDS, add_key
from app.ui import jobs
from app.ui.district.fingerprint_edit import FingerprintEdit
from app.ui.errors import show_error
from app.ui.widgets.screen_fit import resize_to_screen


class KeyDialog(QDialog):
    def __init__(self, ws, parent: QWidget | None = None, *, school: str = "", name: str = "") -> None:
        super().__init__(parent)
        self.ws = ws
        self.result_row = None
        self.setWindowTitle("登记学校公钥")
        self._build_ui(school, name)
        self._connect_signals()
        self._update_ok()
        resize_to_screen(self, 620, 420)

    def _build_ui(self, school: str, name: str) -> None:
        intro = QLabel("按学校盖章的《密钥登记表》登记。可以逐组输入登记表上的公钥指纹，也可以选择学校交来的公钥文件"
                       "（.pub）；两者都填时必须一致。区县只认这里登记的密钥，不认报送包里自带的公钥。")
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.school = QLineEdit(school, placeholderText="如 2102810001")
        self.school.setObjectName("schoolCode")
        self.name = QLineEdit(name, placeholderText="学校名称（可不填，首次报送时自动补上）")
        self.kind = QComboBox()
        self.kind.addItems(UNIT_KINDS)
        self.fingerprint = FingerprintEdit()
        self.key_file = QLineEdit(placeholderText="（可选）学校公钥文件")
        self.key_file.setObjectName("keyFile")
        self.browse = QPushButton("选择…")
        file_row = QHBoxLayout()
        file_row.addWidget(self.key_file, 1)
        file_row.addWidget(self.browse)
        self.replace = QCheckBox("学校更换了密钥（换电脑、重装系统）：停用原登记的指纹，改用这个")
        self.replace.setObjectName("replaceKey")
        form = QFormLayout()
        form.addRow("学校代码：", self.school)
        form.addRow("学校名称：", self.name)
        form.addRow("类型：", self.kind)
        form.addRow("公钥指纹：", self.fingerprint)
        form.addRow("公钥文件：", file_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("登记")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.replace)
        lay.addStretch(1)
        lay.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        self.browse.clicked.connect(self._on_browse_clicked)
        self.school.textChanged.connect(self._update_ok)
        self.key_file.textChanged.connect(self._update_ok)
        self.fingerprint.checked.connect(lambda _s: self._update_ok())

    def _update_ok(self) -> None:
        typed = self.fingerprint.text().strip()
        ready = bool(self.school.text().strip()) and (bool(self.fingerprint.value()) or
                                                      (not typed and bool(self.key_file.text().strip())))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ready)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择学校公钥文件", "", "minisign 公钥 (*.pub);;所有文件 (*)")
        if path:
            self.key_file.setText(path)

    def _on_save_clicked(self) -> None:
        ws = self.ws
        school, name, kind = self.school.text().strip(), self.name.text().strip(), self.kind.currentText()
        fp, key_file, replace = self.fingerprint.value() or None, self.key_file.text().strip() or None, \
            self.replace.isChecked()
        self.buttons.setEnabled(False)

        def done(result) -> None:
            self.buttons.setEnabled(True)
            self.result_row = result
            self.accept()

        def failed(exc) -> None:
            self.buttons.setEnabled(True)
            show_error(self, exc)

        jobs.run_in_background(self, lambda ctx: add_key(ws, school, fingerprint=fp, key_text=key_file, name=name,
                                                         kind=kind, replace=replace),
                               on_done=done, on_failed=failed)
