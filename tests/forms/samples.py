"""Hand-made DTOs: the demo-like school and a stress case (long names, rare characters,
many points and files, empty fields, 60 teachers on one notice)."""

from __future__ import annotations

from datetime import date

from app.services.forms.dto import (CourseLine, FormSet, HoursLine, HoursSummaryLine, ItemLine, KeyForm,
                                    Metric, NoticeForm, NoticeRow, PlanLine, PointBlock, SchoolInfo,
                                    SummaryForm, TeacherForm, TeamLine)
from app.services.seal import SealInfo

SEAL = SealInfo(seal_code="3F2A-91C0-5D7E-AB12-0C44-9E8F-7711-C2D3",
                digest_hex="3f2a91c05d7eab120c449e8f7711c2d3" + "ab" * 16,
                fingerprint="9A1B-22C3-D4E5-F607-1829-3A4B-5C6D-7E8F",
                school_code="2102810001", bag_name="2102810001_20261201-093000")
SEAL_INCOMPLETE = SealInfo(**{**SEAL.__dict__, "allow_incomplete": True})

SCHOOL = SchoolInfo("示例市实验小学", "2102810001", "示例市示例区", "小学", "混合", "2026-2027学年",
                    "全国通用 提升工程2.0", "0411-85551234")
LONG_SCHOOL = SchoolInfo("新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县第一中学附属九年一贯制实验学校（含东山、西山、南湾三个教学点）",
                         "6540220001", "伊犁哈萨克自治州察布查尔锡伯自治县", "九年一贯制", "多媒体", "2026-2027学年",
                         "某县 提升工程2.0（2023）", "")


def hours(online: float, practice: float) -> tuple[HoursLine, ...]:
    total = online + practice
    return (HoursLine("网络研修", "—", f"{online:g}", None), HoursLine("实践应用", "—", f"{practice:g}", None),
            HoursLine("总学时", "≥50", f"{total:g}", total >= 50),
            HoursLine("实践应用学时占比", "≥50%", f"{practice / total:.0%}" if total else "0%",
                      bool(total) and practice / total >= 0.5))


def teacher(i: int, name: str, **kw) -> TeacherForm:
    pts = (PointBlock("A1", "技术支持的学情分析", "学情分析", "合格", (
        ItemLine("学情分析方案", (f"{name}_A1_学情分析方案.docx",), "合格", "李明"),
        ItemLine("学情分析报告", (f"{name}_A1_学情分析报告.docx",), "优秀", "李明"))),
        PointBlock("A6", "技术支持的课堂导入", "教学设计", "合格", (
            ItemLine("教学设计", (f"{name}_A6_教学设计.docx",), "合格", "王芳"),
            ItemLine("课堂实录片段", (f"{name}_A6_课堂实录片段.mp4",), "合格", "王芳"))),
        PointBlock("B9", "学习过程性评价", "学业评价", "合格", (
            ItemLine("评价量规", (f"{name}_B9_评价量规.xlsx",), "合格", "赵刚"),
            ItemLine("评价数据分析报告", (f"{name}_B9_评价数据分析报告.docx",), "合格", "赵刚"))))
    base = dict(teacher_id=i, name=name, staff_no=f"T{i:03d}", id_masked="210281********123X", gender="女",
                subject="语文", stage="小学", group="语文研修组", staff_type="在编", title="一级教师", status="在岗",
                points=pts, hours=hours(30, 26), hours_total=56, result="合格")
    base.update(kw)
    return TeacherForm(**base)


SUMMARY = SummaryForm(
    metrics=(Metric("在册教师（不含调离）", "40"), Metric("其中：免修、退休等不参加考核", "2"), Metric("应参训教师", "38"),
             Metric("校本考核已评定", "36/38（94.7%）"),
             Metric("考核合格（含优秀）", "35/36（97.2%）", "合格率 ≥100%", False),
             Metric("其中：优秀", "9"), Metric("一对一帮扶", "进行中 1 人，已结束 0 人", "不合格者全部帮扶", True),
             Metric("优秀案例", "1 个（占 2.6%）")),
    hours=(HoursSummaryLine("网络研修", "—", "950", "25", "—"), HoursSummaryLine("实践应用", "—", "1200", "31.6", "—"),
           HoursSummaryLine("合计", "≥50", "2150", "56.6", "36/38")),
    teams=(TeamLine("校级管理团队", "校级管理团队", "欧阳晓燕", 3, "统筹整校推进，制定一划两案，组织校本考核"),
           TeamLine("信息化教学创新研修团队", "信息化教学创新研修团队", "司马文博", 6, "指导教师选点、实践与证据提交，参与评审"),
           TeamLine("学科研修组", "语文研修组", "王芳", 9, "")),
    plans=(PlanLine("信息化教育教学发展规划", "示例市实验小学信息化教育教学发展规划", "已备案", "2026-09-25", True, True),
           PlanLine("校本研修方案", "示例市实验小学校本研修方案", "已备案", "2026-09-25", True, True),
           PlanLine("校本应用考核方案", "示例市实验小学校本应用考核方案", "已提交", "", True, False)),
    courses=(CourseLine("技术支持的学情分析实践", "2026-2027学年第一学期", "10", "司马文博", "实施中"),),
    open_problems=5, problem_samples=("学校：《校本应用考核方案》尚未已备案（当前：已提交）",))

KEY = KeyForm("9A1B-22C3-D4E5-F607-1829-3A4B-5C6D-7E8F", "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3",
              "untrusted comment: minisign public key 12AB34CD56EF7890\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n",
              "12AB34CD56EF7890", "2026-09-01 10:00")

NAMES = ["欧阳晓燕", "司马文博", "王芳", "李明", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄丽"]


def demo_set(n: int = 3) -> FormSet:
    teachers = tuple(teacher(i + 1, NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else str(i))) for i in range(n))
    rows = tuple(NoticeRow(t.name, t.staff_no, t.subject, t.group, "A1、A6、B9", "56", "合格") for t in teachers)
    return FormSet(SCHOOL, date(2026, 12, 1), SUMMARY, teachers,
                   NoticeForm(rows, date(2026, 12, 1), date(2026, 12, 7)), KEY)


RARE = "吉𠮷䶮"


def stress_teacher() -> TeacherForm:
    many = []
    for k in range(12):
        items = tuple(ItemLine(f"考核材料{j + 1}：" + "技术支持的课堂教学设计与实施反思" * (1 + j % 2),
                               tuple(f"第{k + 1}个能力点_材料{j + 1}_文件{f + 1}_VeryLongFileNameWithoutAnySpaces_"
                                     f"课堂实录片段剪辑版本{f + 1}.mp4" for f in range(15 if (k, j) == (0, 0) else 2)),
                               "优秀" if j % 3 == 0 else ("" if j == 2 else "合格"), "欧阳振华", 2 if j == 1 else 1)
                      for j in range(3))
        many.append(PointBlock(f"A{k + 1}", "技术支持的学情分析与个性化学习指导" * (1 + k % 2), "学情分析",
                               "待评" if k % 4 == 0 else "合格", items))
    return teacher(99, "司马" + RARE, staff_no="", id_masked="", gender="", subject="", stage="", group="",
                   staff_type="", title="", points=tuple(many), result="待评",
                   result_note="一对一帮扶进行中（帮扶人：欧阳振华，计划 2026-12-10 复评）",
                   problems=tuple(f"问题{k}：A{k} 证据尚未评定等级" for k in range(11)))


def stress_set() -> FormSet:
    names = ["欧阳" + "晓燕", "司马" + "相如", "诸葛" + "亮", "上官" + "婉儿", "端木" + "蓉", "皇甫" + "嵩",
             "吉" + "𠮷", "龑" + "䶮"]
    teachers = (stress_teacher(), teacher(2, "欧阳晓燕", points=(), hours=(), hours_total=0, result="未选点"),
                teacher(3, "端木蓉", status="免修", exempt_reason="距退休不满5年（本人申请，校长办公会同意）",
                        points=(), result="免修"))
    rows = tuple(NoticeRow(names[i % len(names)] + ("" if i < len(names) else f"{i}"), f"T{i:03d}",
                           ["语文", "数学", "道德与法治", "综合实践活动"][i % 4],
                           ["语文研修组", "综合学科研修组（含音乐、美术、体育与健康）"][i % 2],
                           "A1、A2、A3、B1、B2、B5、B9" if i % 7 == 0 else "A1、A6、B9",
                           "56" if i % 5 else "", ["合格", "优秀", "不合格", "待评", "免修"][i % 5],
                           "帮扶后复评；优秀案例；工号重复请核对" if i % 9 == 0 else "") for i in range(60))
    summary = SummaryForm(
        metrics=SUMMARY.metrics * 2, hours=SUMMARY.hours,
        teams=SUMMARY.teams + tuple(TeamLine("学科研修组", f"第{i}研修组（" + "跨学科" * 5 + "）", "", i, "职责" * 30)
                                    for i in range(12)),
        plans=SUMMARY.plans + (PlanLine("整校推进实施方案", "", "", "", True, False),),
        courses=tuple(CourseLine("课程" + "名称很长" * 12, "2026-2027学年第一学期", "12", "欧阳" + RARE, "")
                      for _ in range(8)),
        open_problems=40, problem_samples=tuple(f"问题 {i}" for i in range(6)))
    return FormSet(LONG_SCHOOL, date(2026, 12, 1), summary, teachers,
                   NoticeForm(rows, date(2026, 12, 1), date(2026, 12, 7)),
                   KeyForm(KEY.fingerprint, KEY.public_key_b64, "", "", ""))
