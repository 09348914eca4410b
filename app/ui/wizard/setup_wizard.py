"""First run: set up the school (name, code, stage, district, environment, programme), or open the demo.

The wizard writes nothing until 完成; then it calls school.init_school once.
打开示例学校 on the first page emits `demo_requested`; the controller builds
the demo as a background job and closes the wizard when it is in place.
Esc or the window's ✕ asks before leaving, and what was typed is kept as a
draft in the UI settings (for this data folder) and filled in next time.
Typing the district pre-selects its programme (大连市瓦房店市 → 瓦房店), until
the user picks one themselves.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QMessageBox, QPushButton, QRadioButton, QVBoxLayout,
                               QWidget, QWizard, QWizardPage)

from app.errors import AppError
from app.services.district_presets import preset_for_district
from app.services.programmes import DEFAULT_PRESET, load_preset, preset_ids
from app.services.school import ENVIRONMENT_HELP, ENVIRONMENTS, STAGES, init_school, validate_school_fields
from app.ui.widgets.error_line import ErrorLine
from app.ui.widgets.fields import combo, combo_value, line
from app.ui.widgets.form_dialog import collect_errors
from app.ui.widgets.preset_view import PresetChooser
from app.ui.widgets.screen_fit import resize_to_screen
from app.ui.wizard.role_pages import ROLE_DISTRICT, DistrictPage, RoleChoice


def _error_label(key: str) -> ErrorLine:
    label = ErrorLine()
    label.setObjectName(f"error_{key}")
    label.set_message("")
    return label


class WelcomePage(QWizardPage):
    def __init__(self, wizard: "SetupWizard") -> None:
        super().__init__()
        self.setTitle("欢迎使用提升工程2.0 整校推进助手")
        self.setSubTitle("本软件完全离线运行，全部数据保存在本机的数据文件夹中。")
        text = QLabel("第一次使用，请用几分钟填写本校的基本信息，并选择上级下发的项目方案（学时、微能力点、"
                      "考核等要求都按方案自动检查）。\n\n点击“下一步”开始设置。\n\n"
                      "如果想先看看软件能做什么，可以打开一所已填好数据的示例学校（约40位教师）。"
                      "示例学校放在当前数据文件夹中；以后可用“文件 › 新建数据文件夹”建立本校的数据。\n\n"
                      "换了新电脑？用旧电脑上做的“完整备份”（U盘上的文件夹或压缩包）恢复本校的全部数据。")
        text.setWordWrap(True)
        self.demo_button = QPushButton("打开示例学校")
        self.demo_button.setObjectName("demoButton")
        self.demo_button.clicked.connect(wizard.demo_requested)
        self._wizard = wizard
        self.role = RoleChoice()
        lay = QVBoxLayout(self)
        lay.addWidget(self.role)
        lay.addSpacing(6)
        lay.addWidget(text)
        lay.addSpacing(12)
        self.restore_button = QPushButton("从完整备份恢复…")
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.clicked.connect(wizard.restore_requested)
        row = QHBoxLayout()
        row.addWidget(self.demo_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addStretch(1)

    def nextId(self) -> int:
        """区县项目办 goes straight to the district's own page; a school to its school pages."""
        if self.role.role() == ROLE_DISTRICT:
            return self._wizard.district_page_id
        return super().nextId()


class SchoolPage(QWizardPage):
    FIELDS = (("name", "学校名称"), ("code", "学校代码"), ("stage", "学段"), ("district", "所属区县"))

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("学校基本信息")
        self.setSubTitle("学校代码可填教育部10位学校标识码；只能由字母、数字、- 和 _ 组成。")
        self.name = line(placeholder="如：示例市实验小学", max_length=60)
        self.code = line(placeholder="如：2102810001", max_length=24)
        self.stage = combo(STAGES, editable=True)
        self.stage.setCurrentIndex(0)
        self.district = line(placeholder="如：示例市示例区", max_length=60)
        self.errors = {key: _error_label(key) for key, _ in self.FIELDS}
        self._touched: set[str] = set()
        lay = QVBoxLayout(self)
        for (key, label), widget in zip(self.FIELDS, (self.name, self.code, self.stage, self.district)):
            widget.setObjectName(f"field_{key}")
            lay.addWidget(QLabel(f"{label}："))
            lay.addWidget(widget)
            lay.addWidget(self.errors[key])
        lay.addStretch(1)
        for key, widget in (("name", self.name), ("code", self.code), ("district", self.district)):
            widget.textChanged.connect(lambda _t, k=key: self._on_edited(k))

    def values(self) -> dict:
        return {"name": self.name.text(), "code": self.code.text(), "stage": combo_value(self.stage),
                "district": self.district.text()}

    def problems(self) -> dict[str, str]:
        v = self.values()
        return collect_errors(lambda x: validate_school_fields(x["name"], x["code"], "混合"), v,
                              {"name": "某校", "code": "X1"})

    def _on_edited(self, key: str) -> None:
        self._touched.add(key)
        problems = self.problems()
        for k, label in self.errors.items():
            message = problems.get(k, "") if k in self._touched else ""
            label.set_message(message)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.problems()


class EnvironmentPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("本校信息化教学环境")
        self.setSubTitle("按学校大多数教室的实际条件选择；教学点可在“学校信息”页面另行设置。它决定教师能选哪些微能力点。")
        self.group = QButtonGroup(self)
        lay = QVBoxLayout(self)
        self.buttons: dict[str, QRadioButton] = {}
        for env in ENVIRONMENTS:
            # the programme's own names: 多媒体教学环境, 混合学习环境, 智慧学习环境
            button = QRadioButton(f"{env}{'教学' if env == '多媒体' else '学习'}环境")
            button.setObjectName(f"env_{env}")
            help_label = QLabel(ENVIRONMENT_HELP[env])
            help_label.setProperty("role", "hint")
            help_label.setWordWrap(True)
            help_label.setContentsMargins(24, 0, 0, 8)
            self.group.addButton(button)
            self.buttons[env] = button
            lay.addWidget(button)
            lay.addWidget(help_label)
        lay.addStretch(1)
        self.group.buttonToggled.connect(lambda *_: self.completeChanged.emit())

    def value(self) -> str:
        return next((env for env, b in self.buttons.items() if b.isChecked()), "")

    def isComplete(self) -> bool:
        return bool(self.value())


class ProgrammePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("项目方案")
        self.setSubTitle("选择上级文件对应的方案。右侧是它的依据和主要要求；选定后仍可在“学校信息”页面更换。")
        self.chooser = PresetChooser(DEFAULT_PRESET)
        self.user_chose = False          # once the user picks a preset, the district no longer changes it
        self._auto = False
        self.district_note = QLabel()
        self.district_note.setObjectName("districtNote")
        self.district_note.setProperty("role", "hint")
        self.district_note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.district_note)
        lay.addWidget(self.chooser, 1)
        self.chooser.chosen.connect(self._on_chooser_chosen)

    def follow_district(self, district: str) -> None:
        """Pre-select the district's own programme (or the general one) unless the user chose."""
        if self.user_chose:
            return
        preset = preset_for_district(district, set(preset_ids()))
        self._auto = True
        try:
            self.chooser.select(preset or DEFAULT_PRESET)
        finally:
            self._auto = False
        self.district_note.setText(f"已按所属区县“{district.strip()}”预先选中“{load_preset(preset)['name']}”；"
                                   "如上级文件不同，请另选。" if preset else "")

    def _on_chooser_chosen(self, _preset_id: str) -> None:
        if not self._auto:
            self.user_chose = True

    def isComplete(self) -> bool:
        return bool(self.chooser.value())


class ConfirmPage(QWizardPage):
    def __init__(self, wizard: "SetupWizard") -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("确认")
        self.setSubTitle("点击“完成”保存，之后即可录入团队、教师和学时。")
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addStretch(1)

    def initializePage(self) -> None:
        w = self._wizard
        v = w.school_page.values()
        preset = load_preset(w.programme_page.chooser.value())
        self.summary.setText(f"学校名称：{v['name'].strip()}\n学校代码：{v['code'].strip()}\n学段：{v['stage']}\n"
                             f"所属区县：{v['district'].strip() or '（未填）'}\n"
                             f"信息化环境：{w.environment_page.value()}\n项目方案：{preset['name']}")

    def nextId(self) -> int:
        return -1                       # the last school page (the district's page follows it in the list)

    def validatePage(self) -> bool:
        return self._wizard.create_school()


class SetupWizard(QWizard):
    demo_requested = Signal()
    restore_requested = Signal()         # moving to a new PC: restore a full backup into this empty folder
    school_created = Signal(object)      # the SchoolRow

    def __init__(self, ws, parent: QWidget | None = None, *, settings=None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.settings = settings
        self.created = None
        self._leaving = False
        self.setWindowTitle("设置向导 — 提升工程2.0 整校推进助手")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.welcome_page = WelcomePage(self)
        self.district_page = DistrictPage(self)
        self.school_page = SchoolPage()
        self.environment_page = EnvironmentPage()
        self.programme_page = ProgrammePage()
        self.confirm_page = ConfirmPage(self)
        for page in (self.welcome_page, self.school_page, self.environment_page, self.programme_page,
                     self.confirm_page):
            self.addPage(page)
        self.district_page_id = self.addPage(self.district_page)      # reached only by choosing 区县项目办
        self.school_page.district.textChanged.connect(self.programme_page.follow_district)
        self._restore_draft()
        resize_to_screen(self, 820, 600)

    # leaving without finishing ------------------------------------------------------------

    def reject(self) -> None:
        """Esc or ✕: ask first; the typed draft is kept for next time whichever the answer."""
        if self._leaving:
            super().reject()
            return
        then = "回到原来的数据文件夹" if self.parentWidget() is not None else "关闭软件"
        answer = QMessageBox.question(
            self, "退出设置向导", f"还没有完成设置。退出设置向导并{then}吗？\n\n"
            "已填写的内容会保留，下次在这个数据文件夹设置时自动填回。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        self._save_draft()
        if answer == QMessageBox.StandardButton.Yes:
            super().reject()

    def close_for_switch(self) -> None:
        """Close without asking (the demo or a restored backup is taking the wizard's place)."""
        self._leaving = True
        self.close()

    def draft(self) -> dict:
        v = self.school_page.values()
        return {"folder": str(self.ws.paths.root), **v, "environment": self.environment_page.value(),
                "programme": self.programme_page.chooser.value() if self.programme_page.user_chose else ""}

    def _save_draft(self) -> None:
        if self.settings is None:
            return
        from app.ui.settings import WIZARD_DRAFT
        d = self.draft()
        typed = any(d[k].strip() for k in ("name", "code", "district")) or d["environment"] or d["programme"]
        self.settings.set(WIZARD_DRAFT, json.dumps(d, ensure_ascii=False) if typed else "")
        self.settings.sync()

    def _restore_draft(self) -> None:
        if self.settings is None:
            return
        from app.ui.settings import WIZARD_DRAFT
        try:
            d = json.loads(self.settings.get(WIZARD_DRAFT) or "{}")
        except ValueError:
            return
        if not isinstance(d, dict) or d.get("folder") != str(self.ws.paths.root):
            return
        page = self.school_page
        page.name.setText(str(d.get("name", "")))
        page.code.setText(str(d.get("code", "")))
        if d.get("stage"):
            page.stage.setCurrentText(str(d["stage"]))
        page.district.setText(str(d.get("district", "")))
        button = self.environment_page.buttons.get(str(d.get("environment", "")))
        if button is not None:
            button.setChecked(True)
        if d.get("programme") in preset_ids():
            self.programme_page.chooser.select(d["programme"])     # the user's own pick stays theirs
            self.programme_page.user_chose = True

    def create_school(self) -> bool:
        from app.ui.errors import show_error
        v = self.school_page.values()
        try:
            self.created = init_school(self.ws, name=v["name"], code=v["code"], stage=v["stage"],
                                       district=v["district"], environment=self.environment_page.value(),
                                       programme_id=self.programme_page.chooser.value())
        except AppError as exc:
            show_error(self, exc)
            return False
        if self.settings is not None:
            from app.ui.settings import WIZARD_DRAFT
            self.settings.set(WIZARD_DRAFT, "")
        self.school_created.emit(self.created)
        return True
