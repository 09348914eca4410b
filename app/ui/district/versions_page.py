"""报送版本: every bundle received, version by version, and what changed from the one before."""

from __future__ import annotations

from app.services.district.queries import BundleDetail
from app.ui.district.bundle_detail_page import BundleDetailPage
from app.ui.district.bundle_detail_page import esc as _esc
from app.ui.district.table_models import VersionTableModel


def changes_html(d: BundleDetail) -> str:
    r = d.row
    out = [f"<h3>{_esc(r.school_name)}（{_esc(r.unit_code)}）第 {r.version} 版{'（当前）' if r.current else ''}</h3>",
           f"<p>封存码 {_esc(r.seal_code)}<br>导出 {_esc(r.exported_at[:16].replace('T', ' '))}，接收 {r.received_at:%Y-%m-%d %H:%M}<br>"
           f"证据位置：{_esc(r.location)}{'（区县复制件）' if r.copied else '（原处，未复制）'}</p>"]
    for w in r.warnings:
        out.append(f"<p style='color:#b26a00'>提醒：{_esc(w)}</p>")
    c = d.changes
    if not c:
        out.append("<p>首次报送，没有可比较的上一版本。</p>")
        return "".join(out)
    out.append(f"<p><b>与上一版相比：</b>{_esc(c['summary'])}</p>")
    sections = (("新增教师", [_esc(n) for n in c.get("teachers_added", [])]),
                ("减少教师", [_esc(n) for n in c.get("teachers_removed", [])]),
                ("状态变化", [f"{_esc(x['name'])}：{_esc(x['before'])} → {_esc(x['after'])}" for x in c.get("status_changed", [])]),
                ("等级变化", [f"{_esc(x['name'])} {_esc(x['item'])}：{_esc(x['before'] or '（无）')} → "
                              f"{_esc(x['after'] or '（无）')}" for x in c.get("grades", [])]),
                ("新增证据", [f"{_esc(x['name'])}：{_esc(x['file'])}" for x in c.get("evidence_added", [])]),
                ("删去证据", [f"{_esc(x['name'])}：{_esc(x['file'])}" for x in c.get("evidence_removed", [])]),
                ("学时变化", [f"{_esc(x['name'])}：{x['before']:g} → {x['after']:g}" for x in c.get("hours", [])]))
    for title, lines in sections:
        if lines:
            out.append(f"<p><b>{title}</b></p><ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>")
    return "".join(out)


class VersionsPage(BundleDetailPage):
    TITLE = "报送版本"
    SUBTITLE = "学校重新报送时，新版本按报送包中注明的上一版本封存码相连；选中一个版本，下方显示与上一版相比的变化。"
    SETTINGS_NAME = "district_versions"
    PLACEHOLDER = "搜索学校、封存码"
    DETAIL_NAME = "versionDetail"
    DETAIL_HINT = "选择一个版本，这里显示它与上一版相比的变化。"

    def make_model(self) -> VersionTableModel:
        return VersionTableModel()

    def list_rows(self, api) -> list:
        return api.list_bundles()

    def detail_html(self, detail: BundleDetail) -> str:
        return changes_html(detail)
