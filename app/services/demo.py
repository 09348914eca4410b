"""A realistic demo school, so a newcomer opens the app onto a living programme.

Deterministic (fixed seed): about 40 teachers across subjects and staff types,
teams, study groups, 一划两案, activities, courses, choices, hours, generated
evidence files, grades, one 帮扶 and a few requirements still unmet.
"""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from app.errors import RuleViolation
from app.services import activities, assessment, choices, courses, evidence, hours, plans, school, teams
from app.services.programmes import Rules, load_preset
from app.services.programmes.adjust import set_rule
from app.services.teachers import add_teacher
from app.services.validation.id_number import check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["芳", "静", "敏", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
         "平", "刚", "桂英", "晓燕", "建华", "志强", "海燕", "雪梅", "文博", "思远", "子涵", "欣怡", "浩然",
         "佳琪", "雨桐", "俊杰", "梓萱", "宇航", "婉婷", "立新", "春梅", "国庆", "红霞"]
SUBJECTS = [("语文", 9), ("数学", 8), ("英语", 5), ("科学", 3), ("道德与法治", 2), ("音乐", 2), ("美术", 2),
            ("体育与健康", 3), ("信息科技", 2), ("综合实践活动", 1)]
TITLES = ["二级教师", "一级教师", "高级教师", "三级教师", "正高级教师"]
POINT_SETS_MIXED = [["A1", "A3", "A6"], ["B1", "B2", "A11"], ["A2", "A5", "A13"], ["B1", "B3", "B9"],
                    ["A1", "B5", "B10"], ["A4", "A8", "A12"], ["B2", "B6", "A1"], ["A3", "A7", "B9"]]
POINT_SETS_MULTIMEDIA = [["A1", "A3", "A6"], ["A2", "A5", "A13"], ["A4", "A8", "A12"], ["A1", "A7", "A11"]]
EXT = {"文档": ".docx", "演示文稿": ".pptx", "视频": ".mp4", "图片": ".jpg", "表格": ".xlsx"}


def make_id(rng: random.Random, born: date, male: bool, region: str = "210281") -> str:
    seq = rng.randrange(10, 99) * 10 + (rng.choice([1, 3, 5, 7, 9]) if male else rng.choice([0, 2, 4, 6, 8]))
    first = f"{region}{born:%Y%m%d}{seq:03d}"
    return first + check_char(first)


def _names(rng: random.Random, n: int) -> list[str]:
    out, seen = ["欧阳晓燕", "司马文博"], {"欧阳晓燕", "司马文博"}
    while len(out) < n:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in seen:
            seen.add(name)
            out.append(name)
    rng.shuffle(out)
    return out[:n]


def _file(folder: Path, teacher: str, code: str, title: str, kinds: tuple[str, ...], n: int) -> Path:
    ext = EXT.get(kinds[0] if kinds else "文档", ".docx")
    path = folder / f"{teacher}_{code}_{title}{ext}"
    body = (f"示例证据文件（软件生成）\n教师：{teacher}\n能力点：{code}\n项目：{title}\n编号：{n}\n" * 20).encode("utf-8")
    path.write_bytes(body)
    return path


def create_demo(ws, *, teachers: int = 40, programme_id: str = "national-2.0", seed: int = 20261123) -> dict:
    if ws.has_school():
        raise RuleViolation("此数据文件夹已有学校，不能再建立示例学校。请换一个空的数据文件夹（--data-dir）。")
    rng = random.Random(seed)
    rules = Rules(load_preset(programme_id))
    env = "混合"
    school.init_school(ws, name="示例市实验小学", code="2102810001", environment=env, programme_id=programme_id,
                       stage="小学", district="示例市示例区")
    school.update_school(ws, address="示例市示例区学府路1号", contact_phone="0411-85551234")
    # The district's own date, added to the programme as a school would (shown as an adjustment).
    for kind in ("信息化教育教学发展规划", "校本研修方案", "校本应用考核方案"):
        if any(d["kind"] == kind and not d.get("due") for d in rules.documents):   # the district gave no date
            set_rule(ws, f"school.documents.{kind}", {"due": "09-30", "to": "区教育局"}, by="教务处",
                     note="示例区教育局通知：一划两案9月30日前报区教育局备案（示例）")
    school.add_teaching_point(ws, "东山教学点", environment="多媒体", address="东山村")
    subjects = [s for s, k in SUBJECTS for _ in range(k)]
    while len(subjects) < teachers:
        subjects.append(rng.choice(SUBJECTS)[0])
    names = _names(rng, teachers)
    rows = []
    for i, name in enumerate(names):
        male = rng.random() < 0.3
        born = date(rng.randint(1968, 1999), rng.randint(1, 12), rng.randint(1, 28))
        staff_type = "在编" if i % 9 else ("临聘" if i % 2 else "代课")
        values = dict(name=name, id_number=make_id(rng, born, male), subject=subjects[i],
                      phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}", staff_type=staff_type,
                      title=rng.choice(TITLES), staff_no=f"T{i + 1:03d}", stage="小学")
        if i in (5, 6):
            values["teaching_point"] = "东山教学点"
        if i == teachers - 1:
            values.update(status="免修", status_reason="距退休不满5年（本人申请，校长办公会同意）")
        if i == teachers - 2:
            values.update(status="退休", status_reason="2026年9月退休", retire_date="2026-09-01")
        rows.append(add_teacher(ws, **values))
    active = [r for r in rows if r.status == "在岗"]
    by_id = {r.id: r for r in rows}

    # Teams and groups: the principal is the first responsible person.
    principal, vice, info_teacher = active[0], active[1], next(r for r in active if r.subject == "信息科技")
    mgmt = teams.save_team(ws, None, kind="校级管理团队", duty="统筹整校推进，制定一划两案，组织校本考核")
    teams.add_member(ws, mgmt.id, teacher_id=principal.id, role="校长", duty="第一责任人，全面负责",
                     first_responsible=True)
    teams.add_member(ws, mgmt.id, teacher_id=vice.id, role="副校长", duty="分管教学，组织校本研修")
    teams.add_member(ws, mgmt.id, teacher_id=info_teacher.id, role="信息中心主任", duty="技术环境保障")
    guide = teams.save_team(ws, None, kind="信息化教学创新研修团队", duty="指导教师选点、实践与证据提交，参与评审")
    reviewers = [vice, info_teacher] + active[2:5]
    for r in reviewers:
        teams.add_member(ws, guide.id, teacher_id=r.id, role="指导教师", duty=f"指导{r.subject}组")
    teams.add_member(ws, guide.id, name="刘教研员", role="区教研员", duty="专业指导（校外）")
    groups = {}
    for subject in ("语文", "数学", "英语"):
        members = [r.id for r in rows if r.subject == subject]
        groups[subject] = teams.save_group(ws, None, name=f"{subject}研修组", subject=subject,
                                           leader_id=members[0], member_ids=members)
    others = [r.id for r in rows if r.subject not in groups]
    teams.save_group(ws, None, name="综合学科研修组", subject="综合", leader_id=others[0], member_ids=others)

    # 一划两案 and plans: one still awaiting 备案.
    tmp = Path(tempfile.mkdtemp(prefix="tisheng-demo-", dir=ws.paths.tmp))
    year = date.today().year if date.today().month >= 8 else date.today().year - 1
    for kind, status in (("信息化教育教学发展规划", "已备案"), ("校本研修方案", "已备案"),
                         ("校本应用考核方案", "已提交"), ("学期培训计划", "已备案")):
        doc = tmp / f"{kind}.docx"
        doc.write_text(f"示例市实验小学{kind}（示例）\n" * 30, encoding="utf-8")
        plans.save_plan(ws, None, file=doc, kind=kind, title=f"示例市实验小学{kind}", status=status,
                        semester=f"{year}-{year + 1}学年第一学期", submitted_on=date(year, 9, 10),
                        filed_on=date(year, 9, 25) if status == "已备案" else None)

    # Hours: online study from the platform plus activities and courses at school.
    cats = rules.category_keys
    practice = rules.practice_keys[0] if rules.practice_keys else cats[-1]
    theory = [c for c in cats if c != practice]
    ids = [r.id for r in active]
    act_specs = [("信息技术与学科融合专题讲座", "专题讲座", 4), ("微能力点选点指导会", "研讨交流", 3),
                 ("混合式教学实践展示课", "公开课", 6), ("数据驱动的课堂评价研讨", "研讨交流", 6)]
    for n, (title, kind, h) in enumerate(act_specs):
        who = ids if n < 2 else [i for i in ids if i % 5 != n]
        activities.save_activity(ws, None, who, title=title, kind=kind, on_date=date(year, 9, 15) + timedelta(days=14 * n),
                                 hours=h, category=practice, location="学校多功能厅", organiser="教务处")
    for c in (["技术支持的学情分析实践", 10], ["微课设计与制作工作坊", 12]):
        courses.save_course(ws, None, participant_ids=[i for i in ids if i % 3], title=c[0],
                            semester=f"{year}-{year + 1}学年第一学期", hours=c[1], category=practice,
                            lead=info_teacher.name, status="实施中")
    for k, r in enumerate(active):
        short = k in (3, 11)            # two teachers still short of online hours
        for cat in theory:
            need = next(c for c in rules.categories if c["key"] == cat).get("min") or 25
            hours.add_hours(ws, r.id, category=cat, hours=max(need, 25) - (12 if short else 0),
                            on_date=date(year, 10, 20), source="平台导入", note="网络研修平台导出")
        hours.add_hours(ws, r.id, category=practice, hours=14, on_date=date(year, 11, 5), note="课堂实践与反思")

    # Choices, evidence and grades.
    point_sets = POINT_SETS_MIXED
    reviewer_names = [r.name for r in reviewers]
    evidence_files = 0
    failing, pending, missing = active[7], active[9], active[12]
    for k, r in enumerate(active):
        if k == 15:
            continue                          # one teacher has not chosen yet
        sets = POINT_SETS_MULTIMEDIA if r.teaching_point == "东山教学点" else point_sets
        codes = sets[k % len(sets)]
        choices.set_choices(ws, r.id, codes)
        n = 0
        for code in codes:
            info = [it for it in _items(ws, code)]
            for it in info:
                if r.id == missing.id and code == codes[-1] and it.seq == len(info):
                    continue                  # one missing evidence item
                n += 1
                evidence.add_evidence(ws, r.id, code, str(it.seq), _file(tmp, r.name, code, it.title, it.kinds, n))
                evidence_files += 1
        if r.id in (pending.id, missing.id):
            continue
        for code in codes:
            for it in _items(ws, code):
                grade = "不合格" if (r.id == failing.id and it.seq == 2 and code == codes[0]) else (
                    "优秀" if (k % 4 == 0) else "合格")
                assessment.assess(ws, r.id, code, str(it.seq), grade, reviewer=rng.choice(reviewer_names),
                                  comment="证据完整，达到指标要求" if grade != "不合格" else "课堂实录与设计不一致，需重新提交",
                                  on_date=date(year, 11, 18))
    assessment.open_support(ws, failing.id, helper=info_teacher.name, plan="每周听评课一次，指导重新录制课堂实录片段",
                            point_code=None, reassess_on=date(year, 12, 10))
    excellent = [r for k, r in enumerate(active) if k % 4 == 0 and k not in (0, 15)]
    if excellent:
        assessment.mark_case(ws, excellent[0].id, choices.current_choices(ws, excellent[0].id)[0].code,
                             title=f"{excellent[0].name}：技术支持的学情分析案例")
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
    return {"school": "示例市实验小学", "teachers": len(rows), "active": len(active),
            "evidence_files": evidence_files, "programme": rules.name, "exempt": len(rows) - len(active),
            "teachers_by_id": len(by_id)}


def _items(ws, code: str):
    from sqlmodel import select

    from app.models import EvidenceItem
    from app.services.evidence import item_info
    with ws.sessions() as s:
        return [item_info(e) for e in s.exec(select(EvidenceItem).where(EvidenceItem.point_code == code)
                                             .order_by(EvidenceItem.seq))]
