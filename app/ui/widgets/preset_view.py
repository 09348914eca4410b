"""Choose a programme preset, seeing its source and main numbers before choosing."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QTextBrowser, QWidget

from app.services.programmes import list_presets, load_preset


def _pct(x: float | None) -> str:
    return f"{x * 100:g}%" if x is not None else ""


def preset_lines(data: dict) -> list[str]:
    """The main numbers of a preset, one plain-Chinese line each."""
    hours, school = data["hours"], data["school"]
    cats = "、".join(f"{c['key']}" + (f" ≥{c['min']:g}" if c.get("min") else "") for c in hours["categories"])
    lines = [f"学时：每人至少 {hours.get('total_min') or 0:g} 学时（{cats}）"]
    if hours.get("practice_share_min"):
        lines.append(f"实践类学时不少于总学时的 {_pct(hours['practice_share_min'])}")
    for t in hours.get("topic_minimums") or []:
        lines.append(f"{t['category']}中“{t['topic']}”至少 {t['min']:g} 学时")
    micro = data.get("micro")
    if micro is None:
        lines.append("微能力点：本方案不要求选点")
    else:
        parts = []
        if micro.get("min_points") and micro.get("min_points") == micro.get("max_points"):
            parts.append(f"每人选 {micro['min_points']} 个能力点")
        elif micro.get("min_points"):
            parts.append(f"每人至少 {micro['min_points']} 个能力点")
        if micro.get("min_dimensions"):
            parts.append(f"覆盖至少 {micro['min_dimensions']} 个维度")
        parts.append("在本校信息化环境内选择")
        lines.append("微能力点：" + "，".join(parts))
    if school.get("plans_required"):
        lines.append(f"方案文档：{'、'.join(school['plans_required'])}（需{school.get('plan_status_required') or '已提交'}）")
    if school.get("teams_required"):
        lines.append(f"团队：{'、'.join(school['teams_required'])}"
                     + ("，校长为第一责任人" if school.get("first_responsible_required") else ""))
    if school.get("study_groups_required"):
        size = school.get("study_group_size_max")
        lines.append("学科研修组：必须建立并指定组长" + (f"，每组不超过 {size} 人" if size else ""))
    if school.get("courses"):
        c = school["courses"]
        lines.append(f"校本研修课程：每学期至少 {c['min_per_semester']} 门，每门 {c['hours_min']}–{c['hours_max']} 学时")
    if school.get("assessment_required"):
        scale = "、".join(data["grading"]["scale"])
        rate = f"，合格率须达 {_pct(school['pass_rate_min'])}" if school.get("pass_rate_min") else ""
        lines.append(f"校本考核：等级为 {scale}{rate}" + ("，不合格须一对一帮扶" if school.get("support_required") else ""))
    if school.get("excellent_share_min"):
        lines.append(f"优秀案例不少于教师数的 {_pct(school['excellent_share_min'])}")
    if school.get("participation_min"):
        lines.append("校本研修参与度：" + "、".join(f"{k}环境≥{_pct(v)}" for k, v in school["participation_min"].items()))
    if school.get("completion_rate_min"):
        lines.append(f"年度完成率不低于 {_pct(school['completion_rate_min'])}")
    for d in school.get("deadlines") or []:
        month, day = d["month_day"].split("-")
        lines.append(f"截止：每年 {int(month)}月{int(day)}日 {d['title']}")
    ex = data.get("exemptions") or {}
    if ex.get("retire_within_years"):
        lines.append(f"距退休不满 {ex['retire_within_years']} 年的教师免修")
    if ex.get("retired_before"):
        lines.append(f"{ex['retired_before']} 前退休的教师不作要求")
    return lines


def preset_html(data: dict) -> str:
    items = "".join(f"<li>{escape(line)}</li>" for line in preset_lines(data))
    notes = "".join(f"<p style='color:#666'>{escape(n)}</p>" for n in data.get("notes") or [])
    return (f"<h3>{escape(data['name'])}</h3>"
            f"<p><b>依据：</b>{escape(data['source'])}</p>"
            f"<p><b>要点：</b>{escape(data['summary'])}</p>"
            f"<ul>{items}</ul>{notes}")


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
