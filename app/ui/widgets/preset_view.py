"""Choose a programme preset, seeing its source and main numbers before choosing."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QTextBrowser, QWidget

from app.services.programmes import list_presets, load_preset
from app.services.programmes.adjust import rule_views


def preset_lines(data: dict) -> list[str]:
    """Each rule that is on, one plain-Chinese line, in the programme page's order."""
    return [f"{v.label}：{v.text}" for v in rule_views(data, None) if v.on]


def preset_html(data: dict) -> str:
    views = [v for v in rule_views(data, None) if v.on]
    items = "".join(f"<li>{escape(v.label)}：{escape(v.text)}"
                    + (f"<br><span style='color:#666'>依据：{escape(v.basis)}</span>" if v.basis else "")
                    + "</li>" for v in views)
    notes = "".join(f"<p style='color:#666'>{escape(n)}</p>" for n in data.get("notes") or [])
    doc = (data.get("document") or {}).get("title", "")
    return (f"<h3>{escape(data['name'])}</h3>"
            + (f"<p><b>依据文件：</b>{escape(doc)}</p>" if doc else "")
            + f"<p><b>要点：</b>{escape(data.get('summary', ''))}</p>"
            f"<ul>{items}</ul>{notes}")


def programme_html(view) -> str:
    """The programme in force (a ProgrammeView): its main rules, and how it differs from its preset."""
    changed = [r for r in view.differences if not r.school_choice]
    base = (f"内置方案“{escape(view.preset_name)}”" + (f"，<b style='color:#b3261e'>已调整 {len(changed)} 条</b>"
                                                   if changed else "") if view.preset_name else "自定义方案")
    items = "".join(f"<li>{escape(r.label)}：{escape(r.text)}"
                    + (" <span style='color:#b3261e'>（已调整）</span>" if r.changed and not r.school_choice else "")
                    + "</li>" for r in view.rules if r.on)
    doc = f"<p><b>依据文件：</b>{escape(view.document_title)}</p>" if view.document_title else ""
    return f"<h3>{escape(view.name)}</h3>{doc}<p>来源：{base}</p><ul>{items}</ul>"


class PresetChooser(QWidget):
    """A list of presets with the selected one's details beside it."""

    chosen = Signal(str)

    def __init__(self, current: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("presetList")
        self.list.setMaximumWidth(300)
        self.details = QTextBrowser()
        self.details.setObjectName("presetDetails")
        self.details.setOpenLinks(False)
        for p in list_presets():
            item = QListWidgetItem(p.name)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setToolTip(p.summary)
            self.list.addItem(item)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list)
        lay.addWidget(self.details, 1)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.select(current)

    def select(self, preset_id: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == preset_id:
                self.list.setCurrentRow(i)
                return
        if self.list.count():
            self.list.setCurrentRow(0)

    def value(self) -> str:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def _on_list_current_item_changed(self, current, _previous) -> None:
        if current is None:
            self.details.clear()
            return
        pid = current.data(Qt.ItemDataRole.UserRole)
        self.details.setHtml(preset_html(load_preset(pid)))
        self.chosen.emit(pid)
