"""What the 核验报送包 dialog shows: one row per bundle, and a plain-words account of one bundle.

Everything taken from a bundle (file names, school name, messages quoting
them) is HTML-escaped: a bundle is untrusted input and is never rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from app.services.bundle.verify import BagReport
from app.ui.style import BAD, MUTED, OK, WARN
from app.ui.widgets.table_model import Column, RowTableModel

PENDING, RUNNING = "待核验", "正在核验…"
PASSED, FAILED = "通过", "未通过"
# Sealed and untouched, but exported while the school still had problems it had to fix (不完整报送):
# a verdict of its own, as visible as 通过, so a district never takes it for a complete submission.
INCOMPLETE = "完整未改动 · 不完整报送"
SHOWN_PER_LIST = 300


@dataclass(frozen=True)
class VerifyRow:
    path: str
    report: BagReport | None = None
    running: bool = False

    @property
    def id(self) -> str:
        return self.path

    @property
    def name(self) -> str:
        return Path(self.path).name or self.path

    @property
    def verdict(self) -> str:
        if self.running:
            return RUNNING
        if self.report is None:
            return PENDING
        if not self.report.ok:
            return FAILED
        return INCOMPLETE if self.report.info.get("allow_incomplete") else PASSED

    @property
    def school(self) -> str:
        if self.report is None:
            return ""
        i = self.report.info
        return i.get("school", "") or i.get("school_code", "")


def _verdict_colour(row: VerifyRow) -> str | None:
    return {PASSED: OK, FAILED: BAD, INCOMPLETE: WARN}.get(row.verdict, MUTED)


def verdict_text(row: VerifyRow) -> str:
    mark = {PASSED: "✔ ", INCOMPLETE: "✔ ", FAILED: "✘ "}.get(row.verdict, "")
    return mark + row.verdict


class VerifyTableModel(RowTableModel):
    COLUMNS = (
        Column("结论", verdict_text, width=190, colour=_verdict_colour),
        Column("报送包", lambda r: r.name, width=250, tooltip=lambda r: r.path),
        Column("学校", lambda r: r.school, width=170),
        Column("封存码", lambda r: r.report.seal_code if r.report else "", width=330),
    )

    @staticmethod
    def key(row: VerifyRow) -> str:
        return row.path


_LISTS = (
    ("altered", "被改动的文件", "内容与封存时不一致：文件被修改、替换或已损坏。"),
    ("missing", "缺少的文件", "封存时有，现在找不到了。"),
    ("extra", "多出的文件", "封存后才放进来的，不属于这个报送包。"),
)


def _p(text: str, colour: str | None = None, size: int | None = None, bold: bool = False) -> str:
    style = []
    if colour:
        style.append(f"color:{colour}")
    if size:
        style.append(f"font-size:{size}px")
    if bold:
        style.append("font-weight:bold")
    return f'<p style="margin:3px 0;{";".join(style)}">{text}</p>'


def report_html(r: BagReport) -> str:
    """The result for one bundle, in plain words, file by file."""
    e = escape
    out = []
    if r.ok and r.info.get("allow_incomplete"):
        out.append(_p(f"✔ {INCOMPLETE}：报送包完整，封存后没有被改动，签名有效；"
                      "但学校是在仍有必须处理的问题时确认导出的，材料本身不完整。", WARN, 17, True))
    elif r.ok:
        out.append(_p("✔ 通过：报送包完整，封存后没有被改动，签名有效。", OK, 17, True))
    else:
        out.append(_p("✘ 未通过：这个报送包不能作为完整、未改动的报送材料接收。", BAD, 17, True))
    out.append(_p(f"报送包：{e(r.path)}", MUTED))
    for attr, title, meaning in _LISTS:
        items = getattr(r, attr)
        if not items:
            continue
        out.append(_p(f"{title}（{len(items)} 个）：{meaning}", BAD, bold=True))
        rows = "".join(f"<li>{e(p)}</li>" for p in items[:SHOWN_PER_LIST])
        more = f"<li>……另有 {len(items) - SHOWN_PER_LIST} 个</li>" if len(items) > SHOWN_PER_LIST else ""
        out.append(f'<ul style="margin-top:0;">{rows}{more}</ul>')
    problems = [m for m in dict.fromkeys(r.errors) if m != r.signature.message]
    if problems:
        out.append(_p("其他问题：", BAD, bold=True))
        out.append("<ul style='margin-top:0;'>" + "".join(f"<li>{e(m)}</li>" for m in problems) + "</ul>")
    if r.seal_code:
        out.append(_p("封存码（请与纸质签字确认表上的封存码逐组核对）：", None))
        out.append(f'<p style="margin:2px 0 8px 0;font-family:monospace;font-size:22px;font-weight:bold;">'
                   f'{e(r.seal_code)}</p>')
    i = r.info
    if i.get("school") or i.get("school_code"):
        out.append(_p(f"学校：{e(str(i.get('school', '')))}（代码 {e(str(i.get('school_code', '')))}）"))
    if i.get("programme"):
        out.append(_p(f"项目方案：{e(str(i['programme']))}"))
    if i.get("teacher_count") is not None:
        out.append(_p(f"教师人数：{e(str(i['teacher_count']))}"))
    if i.get("bagging_date"):
        out.append(_p(f"封存日期：{e(str(i['bagging_date']))}"))
    st = r.signature
    fp = st.key_fingerprint or st.bundled_fingerprint
    if fp:
        how = {True: "与登记的公钥一致", False: "不是登记的公钥", None: "尚未与区县登记的公钥核对"}[st.registered]
        out.append(_p(f"学校密钥指纹：{e(fp)}（{how}）", BAD if st.registered is False else None))
    sig_colour = OK if st.good else BAD
    out.append(_p(f"签名：{e(st.message or st.status)}", sig_colour if st.registered is not None or not st.good
                  else WARN))
    if r.files_checked:
        out.append(_p(f"已核对 {r.files_checked} 个文件。", MUTED))
    if i.get("allow_incomplete"):
        out.append(_p("注意：学校在仍有必须处理的问题时确认导出了这个报送包（不完整报送）。", WARN))
    if i.get("personal_data_masked") is False or i.get("personal_data") == "full":
        out.append(_p("注意：报送包中的身份证号和手机号没有打码（学校导出时的选择）。", WARN))
    notes = [w for w in dict.fromkeys(r.warnings) if w != st.message]
    if notes:
        out.append(_p("提醒：", WARN, bold=True))
        out.append("<ul style='margin-top:0;'>" + "".join(f"<li>{e(w)}</li>" for w in notes) + "</ul>")
    return "\n".join(out)


def summary_text(rows: list[VerifyRow]) -> str:
    done = [r for r in rows if r.report is not None]
    if not done:
        return ""
    passed = sum(1 for r in done if r.verdict == PASSED)
    incomplete = sum(1 for r in done if r.verdict == INCOMPLETE)
    failed = len(done) - passed - incomplete
    if passed == len(done):
        return f"共核验 {len(done)} 个报送包，全部通过。"
    parts = [f"通过 {passed} 个"] + ([f"完整未改动但为不完整报送 {incomplete} 个"] if incomplete else []) \
        + ([f"未通过 {failed} 个"] if failed else [])
    return f"共核验 {len(done)} 个报送包：" + "，".join(parts) + "。"
