"""Forms of the 学校信息 page: the school profile, a teaching point, and changing the programme."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.services.school import ENVIRONMENT_HELP, ENVIRONMENTS, STAGES, SchoolRow, validate_school_fields
from app.services.validation import validate_phone
from app.ui.widgets.fields import combo, line
from app.ui.widgets.form_dialog import FormDialog, collect_errors
from app.ui.widgets.preset_view import PresetChooser
from app.ui.widgets.screen_fit import resize_to_screen


class SchoolForm(FormDialog):
    """The school profile, embedded in the page; 保存 writes it."""

    def __init__(self, api, row: SchoolRow, parent: QWidget | None = None) -> None:
        self.api, self.row = api, row
        super().__init__(parent, "学校基本信息", embedded=True, width=340)
        self.save_button.setText("保存学校信息")

    def _build_fields(self) -> None:
        r = self.row
        self.add_field("name", "学校名称 *", line(r.name, max_length=60))
        self.add_field("code", "学校代码 *", line(r.code, "教育部10位学校标识码", 24))
        self.add_field("stage", "学段", combo(STAGES, r.stage, editable=True, blank=""))
        self.add_field("district", "所属区县", line(r.district, max_length=60))
        env = combo(ENVIRONMENTS, r.environment)
        self.add_field("environment", "信息化环境", env)
        self.env_help = QLabel(ENVIRONMENT_HELP.get(r.environment, ""))
        self.env_help.setProperty("role", "hint")
        self.env_help.setWordWrap(True)
        self.add_row("", self.env_help)
        env.currentTextChanged.connect(lambda e: self.env_help.setText(ENVIRONMENT_HELP.get(e, "")))
        self.add_field("address", "地址", line(r.address, max_length=100))
        self.add_field("contact_phone", "联系电话", line(r.contact_phone, "如 0411-85551234", 20))
        self.add_field("school_year", "学年", line(r.school_year, "如 2026-2027学年", 20))

    def check(self, values: dict) -> dict[str, str]:
        def validate(v: dict) -> None:
            validate_school_fields(v["name"], v["code"], v["environment"])
            validate_phone(v["contact_phone"])        # its field is "phone", mapped below
        return collect_errors(validate, values, {"name": "某校", "code": "X1", "environment": "混合",
                                                 "contact_phone": ""}, self.resolve_field)

    def resolve_field(self, name):
        return "contact_phone" if name == "phone" else super().resolve_field(name)

    def save(self, values: dict):
        return self.api.school.update_school(**values)

    def _on_saved(self, result) -> None:
        self.row = result
        super()._on_saved(result)


class TeachingPointDialog(FormDialog):
    def __init__(self, api, parent: QWidget | None = None) -> None:
        self.api = api
        super().__init__(parent, "新增教学点", intro="教学点的信息化环境若与本校不同，在此注明；该点教师按此环境选微能力点。")

    def _build_fields(self) -> None:
        self.add_field("name", "教学点名称 *", line("", "如：东山教学点", 40))
        self.add_field("environment", "信息化环境", combo(ENVIRONMENTS, "", blank="（与本校相同）"))
        self.add_field("address", "地址", line("", "", 100))
        self.add_field("note", "备注", line("", "", 200))

    def check(self, values: dict) -> dict[str, str]:
        return {} if values["name"].strip() else {"name": "教学点名称不能为空。"}

    def save(self, values: dict):
        return self.api.school.add_teaching_point(values["name"], values["environment"], values["address"],
                                                  values["note"])


class ProgrammeDialog(QDialog):
    """Pick another preset; the caller confirms and calls change_programme."""

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("更换项目方案")
        resize_to_screen(self, 860, 520)
        note = QLabel("更换后，学时类别、微能力点规则、考核等级和截止日期都按新方案检查；已录入的数据不会删除。"
                      "若学时类别名称不同，原有学时记录需要在“学时与活动”页面调整类别。")
        note.setWordWrap(True)
        self.chooser = PresetChooser(current)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("改用此方案")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.chooser, 1)
        lay.addWidget(buttons)
