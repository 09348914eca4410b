"""规则复核: each school's records re-checked with the district's programme, and every difference.

A school that relaxed a rule locally shows here: the rules that differ from the district's, the
problems the district's check finds that the school's did not, and the teachers whose verdict
changes. 重新复核全部 runs it again after the district changed its own programme.
"""

from __future__ import annotations

from app.services.district.queries import BundleDetail
from app.ui import jobs
from app.ui.district.bundle_detail_page import BundleDetailPage
from app.ui.district.bundle_detail_page import esc as _esc
from app.ui.district.table_models import RecheckTableModel
from app.ui.style import BAD, WARN
from app.ui.widgets.record_table import standard_action


def recheck_html(d: BundleDetail) -> str:
    rc, r = d.recheck, d.row
    out = [f"<h3>{_esc(r.school_name)}（{_esc(r.unit_code)}）第 {r.version} 版</h3>",
           f"<p><b>{_esc(r.recheck_headline)}</b></p>"]
    if rc.get("error"):
        out.append(f"<p style='color:{BAD}'>{_esc(rc['error'])}</p>")
    sp = rc.get("school_programme") or {}
    dp = rc.get("district_programme") or {}
    out.append(f"<p>学校执行：{_esc(sp.get('name', ''))}（{_esc(sp.get('applied_hash', '')[:16])}）<br>"
               f"区县方案：{_esc(dp.get('name', ''))}（{_esc(dp.get('hash', '')[:16])}）"
               + ("　<b>两者相同</b>" if sp.get("same_as_district") else "") + "</p>")
    diffs = sp.get("rule_differences") or []
    if diffs:
        out.append("<p><b>学校方案与区县方案不同的规则</b></p><ul>" + "".join(
            f"<li style='color:{WARN if d.get('school_choice') else BAD}'>{_esc(d['label'])}"
            f"{'（学校选定）' if d.get('school_choice') else ''}：学校 {_esc(d['school'])}；区县 {_esc(d['district'])}</li>"
            for d in diffs) + "</ul>")
    for title, key in (("区县复核发现、学校自查没有的问题", "only_district"), ("学校列出、区县方案下没有的问题", "only_school")):
        items = rc.get(key) or []
        if items:
            out.append(f"<p><b>{title}（{len(items)}）</b></p><ul>"
                       + "".join(f"<li>{_esc(f.get('message', ''))}</li>" for f in items[:300]) + "</ul>")
    if rc.get("changed"):
        out.append("<p><b>同一问题、结论不同</b></p><ul>" + "".join(
            f"<li>学校：{_esc(c['school'].get('message', ''))}<br>区县：{_esc(c['district'].get('message', ''))}</li>"
            for c in rc["changed"][:300]) + "</ul>")
    if rc.get("verdicts"):
        out.append("<p><b>结论不同的教师</b></p><ul>" + "".join(
            f"<li>{_esc(v['name'])}：学校“{_esc(v['school'])}”，区县“{_esc(v['district'])}”</li>"
            for v in rc["verdicts"][:300]) + "</ul>")
    for note in rc.get("notes") or []:
        out.append(f"<p style='color:#666'>说明：{_esc(note)}</p>")
    return "".join(out)


class RecheckPage(BundleDetailPage):
    TITLE = "规则复核"
    SUBTITLE = "按区县自己的项目方案重新检查每所学校的记录，并与学校封存时的自查结论逐项比较。"
    SETTINGS_NAME = "district_recheck"
    PLACEHOLDER = "搜索学校"
    DETAIL_NAME = "recheckDetail"
    DETAIL_HINT = "选择一所学校，这里列出区县复核与学校自查的每一处差异。"
    DETAIL_STRETCH = 3

    def __init__(self, api, events, parent=None) -> None:
        super().__init__(api, events, parent)
        self.act_rerun = standard_action(self, "重新复核全部", self.rerun, tip="区县调整了项目方案后，按现行方案重新复核全部学校")
        self.table.add_button(self.act_rerun)

    def make_model(self) -> RecheckTableModel:
        return RecheckTableModel()

    def list_rows(self, api) -> list:
        return api.list_bundles(current_only=True)

    def detail_html(self, detail: BundleDetail) -> str:
        return recheck_html(detail)

    def rerun(self) -> None:
        api = self.api.district
        jobs.run_with_progress(self, lambda ctx: api.recheck_all(ctx.progress), title="重新复核")
