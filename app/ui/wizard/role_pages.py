"""The set-up wizard's first choice — 学校 or 区县项目办 — and the district's own page.

A school goes on to its school, environment and programme pages; a district office gives its
name, code and programme and is done: its data folder then opens the district window. The
district is created by `office.init_district` as a background job (it also makes the district's
signing key); the wizard finishes when the job reports back.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWidget,
                               QWizardPage)

from app.services.district.office import init_district
from app.services.programmes import DEFAULT_PRESET
from app.ui import jobs
from app.ui.widgets.preset_view import PresetChooser

ROLE_SCHOOL, ROLE_DISTRICT = "school", "district"


class RoleChoice(QWidget):
    """学校 / 区县项目办, on the welcome page (学校 preselected: most users never look at it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.school = QRadioButton("学校（含教学点）")
        self.school.setObjectName("roleSchool")
        self.school.setToolTip("管理本校教师、学时、微能力和证据，向区县报送")
        self.district = QRadioButton("区县项目办（接收各校报送包、复核、出具回执、全县总览）")
        self.district.setObjectName("roleDistrict")
        self.school.setChecked(True)
        title = QLabel("这个数据文件夹由谁使用：")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(title)
        for button in (self.school, self.district):
            self.group.addButton(button)
            lay.addWidget(button)
        lay.addStretch(1)

    def role(self) -> str:
        return ROLE_DISTRICT if self.district.isChecked() else ROLE_SCHOOL


class DistrictPage(QWizardPage):
    def __init__(self, wizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.created = None
        self._job: jobs.Job | None = None
        self.setTitle("区县项目办")
        self.setSubTitle("区县代码只能由字母、数字、- 和 _ 组成。完成后生成区县自己的签名密钥（用于签发回执）。")
        self.name = QLineEdit(placeholderText="如：示例区教师发展中心（项目办）")
        self.name.setObjectName("districtName")
        self.code = QLineEdit(placeholderText="如：210281")
        self.code.setObjectName("districtCode")
        self.chooser = PresetChooser(DEFAULT_PRESET)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("名称："))
        lay.addWidget(self.name)
        lay.addWidget(QLabel("区县代码："))
        lay.addWidget(self.code)
        lay.addWidget(QLabel("区县执行的项目方案（各校报送包按它复核）："))
        lay.addWidget(self.chooser, 1)
        lay.addWidget(self.error)
        self.name.textChanged.connect(self.completeChanged)
        self.code.textChanged.connect(self.completeChanged)

    def nextId(self) -> int:
        return -1

    def isComplete(self) -> bool:
        return bool(self.name.text().strip() and self.code.text().strip() and self.chooser.value())

    def validatePage(self) -> bool:
        if self.created is not None:
            return True
        if self._job is None:
            ws, name, code, preset = self._wizard.ws, self.name.text(), self.code.text(), self.chooser.value()
            self.error.setText("")
            self._job = jobs.run_in_background(self, lambda ctx: init_district(ws, name=name, code=code,
                                                                                programme_id=preset),
                                               on_done=self._on_created, on_failed=self._on_failed)
        return False

    def _on_created(self, info) -> None:
        self._job = None
        self.created = info
        self._wizard.created = info
        self._wizard.accept()

    def _on_failed(self, exc) -> None:
        self._job = None
        self.error.setText(getattr(exc, "user_message", "建立区县数据文件夹时出错，详细信息已记入日志。"))
