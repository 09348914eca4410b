"""The district window's table models, each over the service's frozen rows (see widgets.table_model)."""

from __future__ import annotations

from app.ui.style import BAD, MUTED, OK, WARN
from app.ui.widgets.table_model import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel

OUTCOME_COLOURS = {"接收": OK, "已接收过": MUTED, "待确认": WARN, "拒收": BAD}


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def _pct(value) -> str:
    return f"{value:.0%}" if value is not None else ""


class IntakeTableModel(RowTableModel):
    """IntakeRow: every bundle the office tried to take in."""

    COLUMNS = (
        Column("时间", lambda r: _when(r.at), sort=lambda r: r.at, width=130),
        Column("结果", lambda r: r.outcome, width=70, align=ALIGN_CENTER, colour=lambda r: OUTCOME_COLOURS.get(r.outcome)),
        Column("学校", lambda r: r.school_name or r.unit_code, width=150),
        Column("封存码", lambda r: r.seal_code, width=150),
        Column("说明", lambda r: r.message, width=300, stretch=True, tooltip=lambda r: "\n".join((r.message, r.path))),
    )


class KeyTableModel(RowTableModel):
    """KeyRow: the register of school keys."""

    COLUMNS = (
        Column("学校代码", lambda r: r.unit_code, width=110),
        Column("名称", lambda r: r.unit_name, width=150),
        Column("类型", lambda r: r.unit_kind, width=60, align=ALIGN_CENTER),
        Column("公钥指纹", lambda r: r.fingerprint, width=320),
        Column("状态", lambda r: "在用" if r.current else f"已停用 {r.retired_at:%Y-%m-%d}", width=110,
               colour=lambda r: None if r.current else MUTED),
        Column("来源", lambda r: r.source + ("（含公钥）" if r.has_public_key else ""), width=220, stretch=True),
        Column("登记时间", lambda r: _when(r.registered_at), sort=lambda r: r.registered_at, width=130),
    )


_B = {
    "school": Column("学校", lambda r: r.school_name, width=150),
    "code": Column("代码", lambda r: r.unit_code, width=90),
    "version": Column("版本", lambda r: f"第 {r.version} 版" + ("（当前）" if r.current else ""), sort=lambda r: r.version,
                      width=110, colour=lambda r: None if r.current else MUTED),
    "seal": Column("封存码", lambda r: r.seal_code, width=310),
    "received": Column("接收时间", lambda r: _when(r.received_at), sort=lambda r: r.received_at, width=130),
    "paper": Column("确认表", lambda r: "已收" if r.paper_received_at else "未收", width=64, align=ALIGN_CENTER,
                    colour=lambda r: OK if r.paper_received_at else WARN),
    "receipt": Column("回执", lambda r: "已发" if r.receipt_at else "未发", width=56, align=ALIGN_CENTER,
                      colour=lambda r: OK if r.receipt_at else WARN),
    "recheck": Column("区县复核", lambda r: r.recheck_headline, width=260, stretch=True,
                      colour=lambda r: BAD if r.recheck_differences else OK),
    "changes": Column("与上一版相比", lambda r: r.changes_summary, width=220, stretch=True),
    "warnings": Column("提醒", lambda r: "；".join(r.warnings), width=200, colour=lambda r: WARN if r.warnings else None),
}


def _bundle_model(name: str, keys: tuple[str, ...], doc: str) -> type[RowTableModel]:
    return type(name, (RowTableModel,), {"COLUMNS": tuple(_B[k] for k in keys), "__doc__": doc})


VersionTableModel = _bundle_model("VersionTableModel", ("school", "code", "version", "received", "changes", "warnings"),
                                  "BundleRow: every version, and what changed.")
PaperTableModel = _bundle_model("PaperTableModel", ("school", "code", "version", "seal", "paper"),
                                "BundleRow: the current bundles and whether their paper form arrived.")
ReceiptTableModel = _bundle_model("ReceiptTableModel", ("school", "code", "version", "seal", "received", "receipt"),
                                  "BundleRow: the current bundles and whether a receipt was issued.")
RecheckTableModel = _bundle_model("RecheckTableModel", ("school", "code", "version", "recheck"),
                                  "BundleRow: the current bundles and the district's re-check of each.")


class CountyTableModel(RowTableModel):
    """CountyRow: one school or teaching point of the county dashboard."""

    COLUMNS = (
        Column("学校 / 教学点", lambda r: ("　└ " if r.parent else "") + r.name, sort=lambda r: (r.unit_code, r.parent != "", r.name),
               width=170),
        Column("报送", lambda r: f"第 {r.version} 版" if r.submitted else "未报送", sort=lambda r: r.version, width=70,
               align=ALIGN_CENTER, colour=lambda r: None if r.submitted else BAD),
        Column("达标/参训", lambda r: f"{r.meeting}/{r.active}" if r.submitted else "", sort=lambda r: r.meeting,
               width=80, align=ALIGN_RIGHT),
        Column("达标率", lambda r: _pct(r.pass_rate), sort=lambda r: -1 if r.pass_rate is None else r.pass_rate, width=64,
               align=ALIGN_RIGHT, colour=lambda r: None if r.pass_rate is None else OK if r.pass_rate >= 0.999 else
               WARN if r.pass_rate >= 0.8 else BAD),
        Column("人均学时", lambda r: f"{r.hours_per_teacher:g}" if r.hours_per_teacher is not None else "",
               sort=lambda r: r.hours_per_teacher or 0, width=70, align=ALIGN_RIGHT),
        Column("选点·维度", lambda r: "/".join(str(n) for n in r.dimensions) if r.submitted else "",
               sort=lambda r: sum(r.dimensions), width=100, tooltip=lambda r: "学情分析/教学设计/学法指导/学业评价 的选点人次"),
        Column("选点·环境", lambda r: "/".join(str(n) for n in r.environments) if r.submitted else "",
               sort=lambda r: sum(r.environments), width=90, tooltip=lambda r: "多媒体/混合/智慧 环境的选点人次"),
        Column("帮扶未结", lambda r: str(r.support_open) if r.submitted else "", sort=lambda r: r.support_open, width=70,
               align=ALIGN_RIGHT, colour=lambda r: WARN if r.support_open else None),
        Column("优秀案例", lambda r: f"{r.cases}/{r.case_quota}" if r.submitted else "", sort=lambda r: r.cases - r.case_quota,
               width=72, align=ALIGN_RIGHT, colour=lambda r: None if not r.submitted else OK if r.cases_ok else WARN,
               tooltip=lambda r: "已评优秀案例 / 按比例应有"),
        Column("过期事项", lambda r: str(r.deadlines_passed) if r.submitted and not r.parent else "",
               sort=lambda r: r.deadlines_passed, width=70, align=ALIGN_RIGHT,
               colour=lambda r: BAD if r.deadlines_passed else None),
        Column("确认表", lambda r: ("已收" if r.paper else "未收") if r.submitted else "", width=60, align=ALIGN_CENTER,
               colour=lambda r: None if not r.submitted else OK if r.paper else WARN),
        Column("回执", lambda r: ("已发" if r.receipt else "未发") if r.submitted else "", width=50, align=ALIGN_CENTER),
        Column("区县复核", lambda r: r.recheck, width=220, stretch=True, colour=lambda r: BAD if r.differences else None),
    )

    @staticmethod
    def key(row):
        return row.key


class DuplicateFileModel(RowTableModel):
    """DuplicateFile: one file submitted by several teachers."""

    COLUMNS = (
        Column("文件（SHA-256 前16位）", lambda r: r.sha256[:16], width=170),
        Column("大小", lambda r: f"{r.size / 1024 / 1024:.1f} MB" if r.size >= 1024 * 1024 else f"{r.size / 1024:.0f} KB",
               sort=lambda r: r.size, width=80, align=ALIGN_RIGHT),
        Column("学校数", lambda r: str(r.schools), sort=lambda r: r.schools, width=60, align=ALIGN_RIGHT,
               colour=lambda r: BAD if r.schools > 1 else WARN),
        Column("教师数", lambda r: str(r.teachers), sort=lambda r: r.teachers, width=60, align=ALIGN_RIGHT),
        Column("提交者", lambda r: "；".join(f"{h.school_name} {h.teacher_name}" for h in r.holders), width=300,
               stretch=True),
        Column("文件名", lambda r: r.holders[0].path.rsplit("/", 1)[-1] if r.holders else "", width=200),
    )


class SamePersonModel(RowTableModel):
    """SamePerson: the same ID number (or masked number and name) in two units."""

    COLUMNS = (
        Column("类别", lambda r: r.kind, width=100, colour=lambda r: BAD if r.kind == "身份证号相同" else WARN),
        Column("姓名", lambda r: r.name, width=100),
        Column("身份证号（打码）", lambda r: r.masked_id, width=170),
        Column("出现在", lambda r: "；".join(f"{s}（{u}）" for u, s, _n in r.holders), width=300, stretch=True),
        Column("说明", lambda r: r.note, width=300),
    )
