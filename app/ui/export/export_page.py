"""导出与打印: seal the bundle onto a U盘, print the sign-off forms and notices, export Excel tables.

Three parts, top to bottom: the bundle (BundlePanel: where, size and room,
options, export with progress and 取消, the seal code), the forms (个人 for
everyone or one teacher, 汇总, 公示 with its period, 密钥登记表: preview, print,
save as PDF) and the Excel tables (汇总表, 教师名单). 核验报送包… in the header
opens the dialog district reviewers use (also under 文件 in the menu).
"""

from __future__ import annotations

import importlib.util

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from app.ui.export import forms_actions
from app.ui.export.bundle_panel import BundlePanel
from app.ui.export.common import school_name, teacher_ref
from app.ui.pages.base import Page

KINDS = (("全部表格（汇总、每位教师、公示、密钥，合订一册）", None),
         ("教师个人签字确认表", "个人"),
         ("学校汇总确认表", "汇总"),
         ("校本考核结果公示表", "公示"),
         ("密钥登记表（报区县登记学校公钥）", "密钥"))
ALL_TEACHERS = "全部教师（每人一份）"


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "sectionTitle")
    return label


def _line() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet("color:#d8dee6;")
    return line


class ExportPage(Page):
    TITLE = "导出与打印"
    SUBTITLE = ("把报送材料封存成报送包导出到 U盘，打印签字确认表和公示表。"
                "报送包导出后内容不能再改动；区县可用“核验报送包”检查它是否完整、未被改动。")
    LISTENS_TO = ("teachers", "teams", "school", "hours", "choices", "evidence", "assessment", "plans",
                  "courses", "deadlines")

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.verify_dialog = None
        self.preview_dialog = None
        self._drives_loaded = False
        self.school_name = ""                     # names saved files; read with the teachers
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.verify_button = QPushButton("核验报送包…")
        self.verify_button.setObjectName("verifyBundlesButton")
        self.verify_button.setToolTip("检查一个或多个报送包是否完整、封存后有没有被改动（区县审核也用这个）")
        self.bundle = BundlePanel(self.api)

        self.kind = QComboBox()
        self.kind.setObjectName("formsKind")
        for text, kind in KINDS:
            self.kind.addItem(text, kind)
        self.teacher = QComboBox()
        self.teacher.setObjectName("formsTeacher")
        self.teacher.setMinimumWidth(220)
        self.teacher.setMaxVisibleItems(20)
        self.use_period = QCheckBox("公示期：")
        self.use_period.setObjectName("usePeriod")
        self.use_period.setToolTip("印在校本考核结果公示表上。不勾选时留空，可手写。")
        self.period_start = QDateEdit(QDate.currentDate())
        self.period_end = QDateEdit(QDate.currentDate().addDays(6))
        for d in (self.period_start, self.period_end):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.setEnabled(False)
        self.preview_button = QPushButton("预览并打印…")
        self.preview_button.setObjectName("formsPreviewButton")
        self.save_pdf_button = QPushButton("另存为 PDF…")
        self.save_pdf_button.setObjectName("formsSaveButton")
        forms_note = QLabel(forms_actions.UNSEALED_NOTE)
        forms_note.setProperty("role", "hint")
        forms_note.setWordWrap(True)
        grid = QGridLayout()
        grid.setColumnStretch(3, 1)
        grid.addWidget(QLabel("表格："), 0, 0)
        grid.addWidget(self.kind, 0, 1, 1, 2)
        grid.addWidget(QLabel("教师："), 1, 0)
        grid.addWidget(self.teacher, 1, 1, 1, 2)
        period = QHBoxLayout()
        period.addWidget(self.period_start)
        period.addWidget(QLabel("至"))
        period.addWidget(self.period_end)
        period.addStretch(1)
        grid.addWidget(self.use_period, 2, 0)
        grid.addLayout(period, 2, 1, 1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_pdf_button)
        buttons.addStretch(1)

        self.report_button = QPushButton("导出汇总表（Excel）…")
        self.report_button.setObjectName("exportReportButton")
        self.report_button.setToolTip("教师学时、微能力选点、能力点统计、考核结果、未达标清单和概况，一个工作簿")
        self.roster_button = QPushButton("导出教师名单（Excel）…")
        self.roster_button.setObjectName("exportRosterButton")
        self.roster_button.setToolTip("与“教师花名册”导入模板的列相同，可在 Excel 中修改后导回")
        self.roster_button.setVisible(importlib.util.find_spec("app.ui.importing.actions") is not None)
        excel_note = QLabel("汇总表中的身份证号和手机号是否打码，与上面报送包的“打码”选项一致；"
                            "教师名单含完整号码（用于修改后导回），请妥善保管。")
        excel_note.setProperty("role", "hint")
        excel_note.setWordWrap(True)
        excel = QHBoxLayout()
        excel.addWidget(self.report_button)
        excel.addWidget(self.roster_button)
        excel.addStretch(1)

        lower = QHBoxLayout()
        forms_col = QVBoxLayout()
        forms_col.addWidget(_section("打印签字确认表和公示表"))
        forms_col.addLayout(grid)
        forms_col.addLayout(buttons)
        forms_col.addWidget(forms_note)
        forms_col.addStretch(1)
        excel_col = QVBoxLayout()
        excel_col.addWidget(_section("导出 Excel 表格"))
        excel_col.addLayout(excel)
        excel_col.addWidget(excel_note)
        excel_col.addStretch(1)
        lower.addLayout(forms_col, 5)
        lower.addSpacing(18)
        lower.addLayout(excel_col, 6)

        body = QWidget()
        col = QVBoxLayout(body)
        col.setContentsMargins(0, 0, 8, 0)
        col.addWidget(self.bundle)
        col.addSpacing(6)
        col.addWidget(_line())
        col.addLayout(lower)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("exportScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header(extra=self.verify_button))
        lay.addWidget(scroll, 1)

    def _connect_signals(self) -> None:
        self.verify_button.clicked.connect(lambda: self.open_verify())
        self.bundle.verify_requested.connect(lambda path: self.open_verify([path]))
        self.kind.currentIndexChanged.connect(lambda _i: self._update_forms_state())
        self.use_period.toggled.connect(lambda _on: self._update_forms_state())
        self.preview_button.clicked.connect(self._on_preview_clicked)
        self.save_pdf_button.clicked.connect(self._on_save_pdf_clicked)
        self.report_button.clicked.connect(self._on_report_clicked)
        self.roster_button.clicked.connect(self._on_roster_clicked)

    # ---- Page protocol

    def refresh(self) -> None:
        if not self._drives_loaded:
            self._drives_loaded = True
            self.bundle.reload_drives()
        else:
            self.bundle._start_preview()          # records changed: new size and findings
        self._load_teachers()
        self._update_forms_state()

    def _load_teachers(self) -> None:
        export = self.api.export
        self.load(lambda ctx: (export.list_teachers(include_left=False), export.get_school()), self._fill_teachers)

    def _fill_teachers(self, loaded) -> None:
        rows, school = loaded
        self.school_name = self.bundle.school_name = school_name(school)
        keep = self.teacher.currentData()
        self.teacher.blockSignals(True)
        self.teacher.clear()
        self.teacher.addItem(ALL_TEACHERS, None)
        for r in rows:
            label = f"{r.name}（{r.staff_no}）" if r.staff_no else r.name
            self.teacher.addItem(label, (teacher_ref(r), r.name))
        pos = self.teacher.findData(keep) if keep is not None else 0
        self.teacher.setCurrentIndex(max(0, pos))
        self.teacher.blockSignals(False)

    # ---- public API (menu, tests)

    def open_verify(self, paths: list[str] | None = None):
        from app.ui.export.verify_dialog import open_verify_dialog
        self.verify_dialog = open_verify_dialog(self, paths)
        if paths:
            self.verify_dialog.start_verify()
        return self.verify_dialog

    def forms_request(self) -> dict:
        """What the forms controls ask for, as make_forms arguments."""
        kind = self.kind.currentData()
        out: dict = {"kind": kind, "teacher": None, "teacher_name": "", "period": None}
        who = self.teacher.currentData()
        if kind == "个人" and who is not None:
            out["teacher"], out["teacher_name"] = who
        if kind in (None, "公示") and self.use_period.isChecked():
            start, end = self.period_start.date().toPython(), self.period_end.date().toPython()
            out["period"] = f"{start:%Y-%m-%d}~{end:%Y-%m-%d}"
        return out

    # ---- slots

    def _update_forms_state(self) -> None:
        kind = self.kind.currentData()
        self.teacher.setEnabled(kind == "个人")
        notice = kind in (None, "公示")
        self.use_period.setEnabled(notice)
        for d in (self.period_start, self.period_end):
            d.setEnabled(notice and self.use_period.isChecked())

    def _on_preview_clicked(self) -> None:
        def opened(dialog) -> None:
            self.preview_dialog = dialog
        forms_actions.preview_forms(self, self.api, on_open=opened, **self.forms_request())

    def _on_save_pdf_clicked(self) -> None:
        forms_actions.save_forms_pdf(self, self.api, school=self.school_name, **self.forms_request())

    def _on_report_clicked(self) -> None:
        forms_actions.save_report(self, self.api, unmask=not self.bundle.mask.isChecked(), school=self.school_name)

    def _on_roster_clicked(self) -> None:
        from app.ui.importing.excel_files import export_to_excel     # the 教师 page's 导出到 Excel…
        export_to_excel(self, self.api, "roster")

