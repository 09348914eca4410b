"""Add or edit a plan document (一划两案, semester plan …) with its file, status and dates."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.errors import ValidationError
from app.services.plans import PLAN_KINDS, PLAN_STATUSES, PlanRow
from app.ui.hours.hours_dialogs import current_semester
from app.ui.widgets.fields import DateField, FileField, combo, line
from app.ui.widgets.form_dialog import FormDialog

FILE_FILTERS = "方案文档 (*.doc *.docx *.pdf *.wps *.odt *.txt *.xls *.xlsx *.jpg *.png);;所有文件 (*)"


class PlanDialog(FormDialog):
    def __init__(self, api, parent: QWidget | None = None, row: PlanRow | None = None, kind: str = "",
                 start_dir: str = "", kinds: tuple[str, ...] = ()) -> None:
        self.api, self.row, self.kind, self.start_dir = api, row, kind, start_dir
        self.kinds = tuple(kinds) or tuple(PLAN_KINDS)      # the programme's kinds, loaded with the page
        super().__init__(parent, f"修改方案文档：{row.title}" if row else "添加方案文档",
                         intro="附上文件后，导出报送包时会一并封存。状态改为“已提交”“已备案”时请填写日期。")

    def _build_fields(self) -> None:
        r = self.row
        kinds = list(self.kinds)
        self.add_field("kind", "文档类型 *", combo(kinds, r.kind if r else (self.kind or kinds[0])))
        self.add_field("title", "标题", line(r.title if r else "", "不填则与文档类型相同", 80))
        self.add_field("semester", "学期/学年", line(r.semester if r else current_semester(), "", 40))
        self.add_field("status", "状态", combo(PLAN_STATUSES, r.status if r else PLAN_STATUSES[0]))
        self.add_field("submitted_on", "提交日期", DateField(r.submitted_on if r else None, optional=True))
        self.add_field("filed_on", "备案日期", DateField(r.filed_on if r else None, optional=True))
        self.add_field("file", "文件", FileField(current_name=r.original_name if r else "", caption="选择方案文件",
                                               filters=FILE_FILTERS, start_dir=self.start_dir),
                       hint="文件会复制到本校数据文件夹中保存；原文件可以移走或删除。")
        self.add_field("note", "备注", line(r.note if r else "", "", 200))

    def resolve_field(self, name):
        return {"提交日期": "submitted_on", "备案日期": "filed_on"}.get(name or "", None) or super().resolve_field(name)

    def check(self, values: dict) -> dict[str, str]:
        errors = {}
        s, f = values["submitted_on"], values["filed_on"]
        if s and f and f < s:
            errors["filed_on"] = "备案日期不能早于提交日期。"
        if values["status"] == "草稿" and f:
            errors["status"] = "已填写备案日期，状态应为“已备案”。"
        return errors

    def save(self, values: dict):
        """Runs in the background (FormDialog): the file is copied into the store and hashed there."""
        file = values.pop("file")
        if file is not None and not file.is_file():
            raise ValidationError(f"找不到文件“{file}”。", field="file")
        return self.api.plans.save_plan(self.row.id if self.row else None, file=file, **values)
