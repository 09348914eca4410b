"""项目方案: every rule the school follows, the sentence of its district's document it comes from,
and the school's adjustments (with who, when and why), import and export of a programme file."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QSplitter,
                               QTextBrowser, QVBoxLayout, QWidget)

from app.services.programmes import adjust
from app.services.programmes.presets import source_text
from app.ui.jobs import run_in_background
from app.ui.pages.base import Page
from app.ui.programme.rule_editor import RuleEditor
from app.ui.style import BAD, OK, WARN
from app.ui.widgets.record_table import RecordTable, standard_action
from app.ui.widgets.table_model import Column, RowTableModel


def _state(r) -> str:
    if r.changed:
        return "学校选定" if r.school_choice else "已调整"
    return "" if r.preset_on is not None else "学校补充"


class RuleModel(RowTableModel):
    COLUMNS = (Column("类别", lambda r: r.group, width=70),
               Column("规则", lambda r: r.label, width=190),
               Column("要求", lambda r: r.text, width=360, stretch=True, tooltip=lambda r: r.text),
               Column("启用", lambda r: "启用" if r.on else "未启用", width=60,
                      colour=lambda r: None if r.on else WARN),
               Column("来源", lambda r: r.origin_label, width=90,
                      colour=lambda r: OK if r.origin == "district" else None),
               Column("与内置方案", _state, width=80, colour=lambda r: BAD if _state(r) == "已调整" else None))

    @staticmethod
    def key(row):
        return row.key


class ProgrammePage(Page):
    TITLE = "项目方案"
    SUBTITLE = "本校执行的每一条规则、它依据的文件原文，以及本校的调整。检查、汇总表和报送包都按这里的规则。"
    SUPPORTS = frozenset({"edit", "search"})
    LISTENS_TO = ("school",)

    def __init__(self, ws, events, parent: QWidget | None = None) -> None:
        super().__init__(ws, events, parent)
        self.view: adjust.ProgrammeView | None = None
        self.dialog = None
        self._wanted: str | None = None          # a rule to select once the rules have loaded
        self._build_ui()

    def _build_ui(self) -> None:
        self.summary = QLabel()
        self.summary.setObjectName("programmeSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = RecordTable(RuleModel(), settings_name="programme_rules", placeholder="搜索规则、要求或依据")
        for text, slot in (("修改…", self.edit_record), ("启用/停用", self.toggle), ("恢复此条", self.reset_one)):
            self.table.add_button(standard_action(self, text, slot))
        self.table.row_activated.connect(lambda _r: self.edit_record())
        self.table.selection_changed.connect(lambda *_: self._show_detail())
        self.detail = QTextBrowser()
        self.detail.setObjectName("ruleDetail")
        self.detail.setOpenLinks(False)
        self.changes = QTextBrowser()
        self.changes.setObjectName("programmeChanges")
        buttons = QHBoxLayout()
        for text, slot, name in (("更换项目方案…", self.change_programme, "changeProgramme"),
                                 ("导入方案文件…", self.import_file, "importProgramme"),
                                 ("导出方案文件…", self.export_file, "exportProgramme"),
                                 ("查看依据文件全文…", self.show_document, "showDocument"),
                                 ("全部恢复为内置方案…", self.reset_all, "resetProgramme")):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.detail)
        lower.addWidget(self.changes)
        lower.setSizes([500, 400])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([380, 180])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addWidget(self.summary)
        lay.addLayout(buttons)
        lay.addWidget(split, 1)

    # -- loading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        run_in_background(self, lambda _ctx: adjust.show_programme(self.ws), on_done=self._fill)

    def _fill(self, view: adjust.ProgrammeView) -> None:
        key = self._wanted or self.table.current_key()
        self._wanted = None
        self.view = view
        base = (f"内置方案“{escape(view.preset_name)}”，" + ("<b style='color:%s'>已调整 %d 条</b>" % (BAD, len(
            [r for r in view.differences if not r.school_choice])) if [r for r in view.differences if not r.school_choice]
            else "与内置方案相同")) if view.preset_name else "自定义方案（由文件导入）"
        doc = f"依据文件：《{escape(view.document_title)}》<br>" if view.document_title else ""
        self.summary.setText(f"<b>{escape(view.name)}</b><br>{doc}来源：{base}　方案哈希 {view.applied_hash[:16]}")
        self.table.set_rows(list(view.rules))
        if key is None or not self.table.select_key(key):
            self.table.select_key(view.rules[0].key) if view.rules else None
        self._show_detail()
        self._show_changes(view)

    def _show_detail(self) -> None:
        r = self.table.current_row()
        if r is None:
            self.detail.clear()
            return
        parts = [f"<h3>{escape(r.label)}</h3><p>{escape(r.text)}{'' if r.on else '（未启用）'}</p>"]
        if r.basis:
            parts.append(f"<p><b>依据：</b>{escape(r.basis)}</p>")
        if r.note:
            parts.append(f"<p style='color:#555'><b>说明：</b>{escape(r.note)}</p>")
        if r.changed:
            parts.append(f"<p style='color:{BAD}'><b>内置方案：</b>{escape(r.preset_text)}</p>")
        parts.append(f"<p style='color:#888'>规则名：{escape(r.key)}（命令行 tisheng programme set {escape(r.key)} 值）</p>")
        self.detail.setHtml("".join(parts))

    def _show_changes(self, view: adjust.ProgrammeView) -> None:
        if not view.changes:
            self.changes.setHtml("<p style='color:#888'>本校尚未调整过项目方案。</p>")
            return
        rows = "".join(f"<li>{escape(c.at)}{('（' + escape(c.by) + '）') if c.by else ''} <b>{escape(c.label)}</b>："
                       f"{escape(c.before)} → {escape(c.after)}{('；' + escape(c.note)) if c.note else ''}</li>"
                       for c in reversed(view.changes))
        self.changes.setHtml(f"<b>调整记录</b><ul>{rows}</ul>")

    def focus_search(self) -> None:
        self.table.focus_search()

    def show_record(self, teacher_id=None, record_id=None, kind=None) -> None:
        if kind and not self.table.select_key(kind):
            self._wanted = kind                  # still loading: select it when the rows arrive

    # -- writing ----------------------------------------------------------------------------
    def _saved(self, _result=None) -> None:
        self.notify("data")

    def _need(self):
        r = self.table.current_row()
        if r is None:
            QMessageBox.information(self, self.TITLE, "请先在列表中选择一条规则。")
        return r

    def edit_record(self) -> None:
        r = self._need()
        if r is None:
            return
        self.dialog = dialog = RuleEditor(r.key, r.label, r.value, r.basis, self)
        dialog.accepted.connect(lambda: self._save_edit(r.key, dialog))
        dialog.open()

    def _save_edit(self, key: str, dialog: RuleEditor) -> None:
        value, reason = dialog.value(), dialog.reason()
        run_in_background(self, lambda _ctx: adjust.set_rule(self.ws, key, value, note=reason), on_done=self._saved)

    def toggle(self) -> None:
        r = self._need()
        if r is None:
            return
        word = "off" if r.on else "on"
        run_in_background(self, lambda _ctx: adjust.set_rule(self.ws, r.key, word), on_done=self._saved)

    def reset_one(self) -> None:
        r = self._need()
        if r is None or not r.changed:
            return
        run_in_background(self, lambda _ctx: adjust.reset_rule(self.ws, r.key), on_done=self._saved)

    def reset_all(self) -> None:
        answer = QMessageBox.question(self, "恢复为内置方案", "把本校的所有调整（包括学校选定的范围和专题）恢复为内置方案吗？"
                                      "调整记录会保留。", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            run_in_background(self, lambda _ctx: adjust.reset_rule(self.ws), on_done=self._saved)

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入项目方案文件", "", "项目方案文件 (*.json)")
        if not path:
            return
        answer = QMessageBox.question(self, "导入项目方案", "导入后，本校将按文件中的方案检查，现行方案被替换（调整记录会保留）。继续吗？",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            from pathlib import Path

            from app.ui.district.school_side import import_signed_programme, is_signed
            if is_signed(path):          # the district's published programme: its signature is checked first
                import_signed_programme(self, self.ws, path, self._saved)
                return
            run_in_background(self, lambda _ctx: adjust.import_programme(self.ws, Path(path)), on_done=self._saved)

    def export_file(self) -> None:
        name = f"{self.view.name if self.view else '项目方案'}.json".replace("/", "-")
        path, _ = QFileDialog.getSaveFileName(self, "导出项目方案文件", name, "项目方案文件 (*.json)")
        if not path:
            return
        from pathlib import Path

        def done(digest: str) -> None:
            QMessageBox.information(self, "导出项目方案", f"已导出：{path}\n方案哈希：{digest[:16]}\n"
                                    "其他学校可在“项目方案”页面导入这个文件。")
        run_in_background(self, lambda _ctx: adjust.export_programme(self.ws, Path(path)), on_done=done,
                          touches_db=True)

    def show_document(self) -> None:
        view = self.view
        text = source_text(view.document_file) if view and view.document_file else ""
        if not text:
            QMessageBox.information(self, "依据文件", f"本校方案依据：{view.document_title if view else ''}\n软件中没有该文件的全文。")
            return
        from app.ui.programme.document_window import DocumentWindow
        rule = self.table.current_row()
        quote = rule.source if rule is not None and rule.origin == "district" else ""
        self.dialog = DocumentWindow(view.document_title, text, self, quote=quote)
        self.dialog.show()

    def change_programme(self) -> None:
        from app.ui.school.school_forms import ProgrammeDialog
        self.dialog = ProgrammeDialog(self.view.preset_id if self.view else "", self)
        self.dialog.accepted.connect(self._on_programme_chosen)
        self.dialog.open()

    def _on_programme_chosen(self) -> None:
        from app.services import school as school_service
        new_id = self.dialog.chooser.value()
        if not new_id or (self.view and new_id == self.view.preset_id):
            return
        answer = QMessageBox.question(self, "更换项目方案", "确定改为执行所选方案吗？本校对现行方案的调整将不再适用，"
                                      "所有检查按新方案重新进行。", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            run_in_background(self, lambda _ctx: school_service.change_programme(self.ws, new_id), on_done=self._saved)
