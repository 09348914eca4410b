"""Every kind of rule a programme can state: its key, its Chinese name and the shape of its value.

A programme file (format_version 2) is a dict of rules keyed by these keys; each rule holds
`value`, `on`, `origin` (district / national / app) and `source` (the sentence it comes from).
Lists inside a value are addressed by the element's name (`hours.categories.网络研修.min`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.services.programmes import values as V

STAFF_TYPES = ("在编", "临聘", "代课")
ENVIRONMENTS = ("多媒体", "混合", "智慧")
WINDOW_KINDS = {"calendar_year": "自然年（1月1日至12月31日）", "school_year": "学年（8月1日至次年7月31日）",
                "period": "固定起止日期", "months": "每年固定月份"}
DOCUMENT_STATUSES = ("草稿", "已提交", "已备案")
ORIGINS = {"district": "区县文件", "national": "全国通行做法", "app": "软件默认", "school": "学校补充"}


@dataclass(frozen=True)
class RuleSpec:
    key: str
    label: str                                   # what the school reads
    group: str                                   # 参训范围 / 学时 / 微能力 / 教师材料 / 考核 / 学校
    check: Callable[[str, Any], Any]             # (label, value) -> normalised value
    element_id: str = ""                         # the field naming a list element, for sub-paths
    school_choice: bool = False                  # filled in by the school (a range, a topic)


def _categories(label, v):
    out = []
    for c in V.items(label, v, max_items=12):
        V.obj(label, c, {"key", "min", "practice", "note"}, {"key"})
        out.append(V.keep_source(c, {"key": V.text("学时类别名称", c["key"], max_len=20),
                                     "min": V.number(f"{c['key']}的最低学时", c.get("min", 0)),
                                     "practice": V.boolean(f"{c['key']}是否实践类", c.get("practice", False)),
                                     "note": V.text("说明", c.get("note", ""), max_len=80, empty=True)}))
    if not out:
        raise V.Bad(f"“{label}”至少要有一个学时类别。")
    V.unique(label, [c["key"] for c in out], "类别")
    return out


def _topics(label, v):
    out = []
    for t in V.items(label, v, max_items=20):
        V.obj(label, t, {"category", "topic", "min"}, {"category", "topic", "min"})
        out.append(V.keep_source(t, {"category": V.text("类别", t["category"], max_len=20),
                                     "topic": V.text("专题", t["topic"], max_len=40),
                                     "min": V.number(f"“{t['topic']}”的最低学时", t["min"])}))
    V.unique(label, [t["topic"] for t in out], "专题")
    return out


def _window(label, v):
    V.obj(label, v, {"kind", "start", "end"}, {"kind"})
    kind = V.choice("统计期类型", v["kind"], tuple(WINDOW_KINDS))
    out = {"kind": kind}
    if kind == "period":
        out["start"], out["end"] = V.day("开始日期", v.get("start")), V.day("结束日期", v.get("end"))
        if out["start"] > out["end"]:
            raise V.Bad(f"“{label}”的开始日期晚于结束日期。")
    elif kind == "months":
        out["start"], out["end"] = V.month_day("开始", v.get("start")), V.month_day("结束", v.get("end"))
    return out


def _category_windows(label, v):
    out = []
    for w in V.items(label, v, max_items=12):
        V.obj(label, w, {"category", "start", "end"}, {"category", "start", "end"})
        out.append(V.keep_source(w, {"category": V.text("类别", w["category"], max_len=20),
                                     "start": V.month_day("开始", w["start"]), "end": V.month_day("结束", w["end"])}))
    V.unique(label, [w["category"] for w in out], "类别")
    return out


def _elective_topic(label, v):
    V.obj(label, v, {"category", "choices", "chosen"}, {"category", "choices"})
    choices = [V.text("专题", c, max_len=40) for c in V.items("可选专题", v["choices"], max_items=40)]
    chosen = [V.text("选定的专题", c, max_len=40) for c in V.items("选定的专题", v.get("chosen", []))]
    bad = [c for c in chosen if choices and c not in choices]
    if bad:
        raise V.Bad(f"选定的专题“{'、'.join(bad)}”不在可选专题中（可选：{'、'.join(choices)}）。")
    return {"category": V.text("类别", v["category"], max_len=20), "choices": choices, "chosen": chosen}


def _count(label, v):
    V.obj(label, v, {"min", "max"})
    lo = V.number("最少个数", v["min"], hi=30, integer=True) if v.get("min") is not None else None
    hi = V.number("最多个数", v["max"], hi=30, integer=True) if v.get("max") is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise V.Bad(f"“{label}”的最少个数大于最多个数。")
    return {"min": lo, "max": hi}


def _range(label, v):
    V.obj(label, v, {"codes"}, {"codes"})
    codes = [V.text("能力点代码", c, max_len=4).upper() for c in V.items(label, v["codes"], max_items=30)]
    bad = [c for c in codes if not (len(c) >= 2 and c[0] in "ABC" and c[1:].isdigit())]
    if bad:
        raise V.Bad(f"“{label}”中的能力点代码无效：{'、'.join(bad)}（应为 A1–A13、B1–B10、C1–C7）。")
    V.unique(label, codes, "能力点")
    return {"codes": codes}


def _retire_within(label, v):
    V.obj(label, v, {"years", "reference_date"}, {"years", "reference_date"})
    return {"years": V.number("年数", v["years"], lo=1, hi=20, integer=True),
            "reference_date": V.day("计算日期", v["reference_date"])}


def _opt_out(label, v):
    V.obj(label, v, {"document", "kept_by"}, {"document"})
    return {"document": V.text("所需材料", v["document"], max_len=20),
            "kept_by": V.text("留存部门", v.get("kept_by", ""), max_len=20, empty=True)}


def _teacher_items(label, v):
    out = []
    for it in V.items(label, v, max_items=20):
        V.obj(label, it, {"title", "kinds", "count", "applies"}, {"title"})
        kinds = [V.choice("文件类型", k, ("文档", "图片", "视频", "音频", "其他"))
                 for k in V.items("文件类型", it.get("kinds", ["文档"]), max_items=5)]
        out.append(V.keep_source(it, {
            "title": V.text("材料名称", it["title"], max_len=40), "kinds": kinds or ["文档"],
            "count": V.number("份数", it.get("count", 1), lo=1, hi=20, integer=True),
            "applies": V.choice("适用对象", it.get("applies", "participants"), ("participants", "opted_out"))}))
    V.unique(label, [i["title"] for i in out], "材料")
    return out


def _activities(label, v):
    out = []
    for a in V.items(label, v, max_items=20):
        V.obj(label, a, {"label", "kinds", "min", "environments", "who"}, {"label", "kinds", "min"})
        envs = [V.choice("适用环境", e, ENVIRONMENTS) for e in V.items("适用环境", a.get("environments", []))]
        out.append(V.keep_source(a, {
            "label": V.text("活动名称", a["label"], max_len=30),
            "kinds": [V.text("活动类型", k, max_len=20) for k in V.items("活动类型", a["kinds"], max_items=8)],
            "min": V.number("次数", a["min"], lo=1, hi=50, integer=True),
            "environments": envs,
            "who": V.choice("适用教师", a.get("who", "all"), ("all", "participants"))}))
    return out


def _grading(label, v):
    V.obj(label, v, {"scale", "pass", "excellent", "fail"}, {"scale", "pass", "fail"})
    scale = [V.text("等级", s, max_len=8) for s in V.items("等级", v["scale"], max_items=8)]
    if len(scale) < 2:
        raise V.Bad("等级至少要有两级。")
    V.unique(label, scale, "等级")
    passing = [V.choice("合格等级", s, scale) for s in V.items("合格等级", v["pass"])]
    fail = V.choice("不合格等级", v["fail"], scale)
    if fail in passing or not passing:
        raise V.Bad("合格等级不能为空，也不能包含不合格等级。")
    excellent = V.choice("优秀等级", v.get("excellent") or scale[0], scale)
    return {"scale": scale, "pass": passing, "excellent": excellent, "fail": fail}


def _documents(label, v):
    out = []
    for d in V.items(label, v, max_items=20):
        V.obj(label, d, {"kind", "title", "status", "due", "to"}, {"kind"})
        out.append(V.keep_source(d, {
            "kind": V.text("文档类别", d["kind"], max_len=20),
            "title": V.text("文件中的名称", d.get("title", ""), max_len=40, empty=True),
            "status": V.choice("需达到的状态", d.get("status", "草稿"), DOCUMENT_STATUSES),
            "due": V.month_day("截止日期", d["due"]) if d.get("due") else "",
            "to": V.text("报送对象", d.get("to", ""), max_len=20, empty=True)}))
    V.unique(label, [d["kind"] for d in out], "文档")
    return out


def _teams(label, v):
    out = []
    for t in V.items(label, v, max_items=10):
        V.obj(label, t, {"kind", "title"}, {"kind"})
        out.append(V.keep_source(t, {"kind": V.text("团队类型", t["kind"], max_len=20),
                                     "title": V.text("文件中的名称", t.get("title", ""), max_len=40, empty=True)}))
    V.unique(label, [t["kind"] for t in out], "团队")
    return out


def _study_groups(label, v):
    V.obj(label, v, {"leader", "size_about"})
    return {"leader": V.boolean("设组长", v.get("leader", True)),
            "size_about": V.number("每组人数（约）", v["size_about"], lo=2, hi=100, integer=True)
            if v.get("size_about") else None}


def _courses(label, v):
    V.obj(label, v, {"per_semester", "total_min", "hours_min", "hours_max"})
    out = {k: (V.number(k, v[k], hi=50, integer=True) if v.get(k) is not None else None)
           for k in ("per_semester", "total_min")}
    out["hours_min"] = V.number("每门最少学时", v["hours_min"], hi=200) if v.get("hours_min") is not None else None
    out["hours_max"] = V.number("每门最多学时", v["hours_max"], hi=200) if v.get("hours_max") is not None else None
    if out["hours_min"] is not None and out["hours_max"] is not None and out["hours_min"] > out["hours_max"]:
        raise V.Bad("每门课程的最少学时大于最多学时。")
    return out


def _participation(label, v):
    V.obj(label, v, set(ENVIRONMENTS))
    return {e: V.share(f"{e}环境学校的参与度", v[e]) for e in ENVIRONMENTS if e in v}


def _deadlines(label, v):
    out = []
    for d in V.items(label, v, max_items=20):
        V.obj(label, d, {"title", "month_day", "kind"}, {"title", "month_day"})
        out.append(V.keep_source(d, {"title": V.text("事项", d["title"], max_len=40),
                                     "month_day": V.month_day("日期", d["month_day"]),
                                     "kind": V.text("类别", d.get("kind", "other"), max_len=20)}))
    V.unique(label, [d["title"] for d in out], "事项")
    return out


def _self_assessment(label, v):
    out = []
    for it in V.items(label, v, max_items=60):
        V.obj(label, it, {"key", "level1", "level2", "text"}, {"key", "level1", "level2"})
        out.append(V.keep_source(it, {"key": V.text("编号", it["key"], max_len=12),
                                      "level1": V.text("一级指标", it["level1"], max_len=20),
                                      "level2": V.text("二级指标", it["level2"], max_len=30),
                                      "text": V.text("指标描述", it.get("text", ""), max_len=600, empty=True)}))
    V.unique(label, [i["key"] for i in out], "编号")
    return out


def _staff_types(label, v):
    out = [V.choice("人员类别", s, STAFF_TYPES) for s in V.items(label, v)]
    if not out:
        raise V.Bad(f"“{label}”至少要有一类人员。")
    return out


def _num(hi=10_000):
    return lambda label, v: V.number(label, v, hi=hi)


SPECS: tuple[RuleSpec, ...] = (
    RuleSpec("cycle", "年度计算方式", "学校", lambda lb, v: V.choice(lb, v, ("school_year", "calendar_year"))),
    RuleSpec("scope.staff_types", "必须参训的人员类别", "参训范围", _staff_types),
    RuleSpec("scope.internal_retired_excluded", "内退教师不参加", "参训范围", V.boolean),
    RuleSpec("scope.retired_before", "此日期前退休的教师可自愿参加", "参训范围", V.day),
    RuleSpec("scope.retire_within", "距退休不满若干年的教师不作要求", "参训范围", _retire_within),
    RuleSpec("scope.opt_out", "教师可自愿不参加（须交材料）", "参训范围", _opt_out),
    RuleSpec("hours.categories", "学时类别及各类最低学时", "学时", _categories, element_id="key"),
    RuleSpec("hours.total_min", "总学时下限", "学时", _num(2000)),
    RuleSpec("hours.practice_share", "实践类学时占应修学时的比例", "学时", V.share),
    RuleSpec("hours.topics", "专题最低学时", "学时", _topics, element_id="topic"),
    RuleSpec("hours.window", "学时统计期", "学时", _window),
    RuleSpec("hours.category_windows", "某类学时的学习时间", "学时", _category_windows, element_id="category"),
    RuleSpec("hours.elective_topic", "学校选定的选修专题", "学时", _elective_topic, school_choice=True),
    RuleSpec("hours.record_max", "单条学时记录上限", "学时", _num(1000)),
    RuleSpec("micro.enabled", "选择微能力点", "微能力", V.boolean),
    RuleSpec("micro.count", "每人能力点个数", "微能力", _count),
    RuleSpec("micro.dimensions", "能力点至少覆盖的维度数", "微能力",
             lambda lb, v: V.number(lb, v, lo=1, hi=4, integer=True)),
    RuleSpec("micro.environment", "只能选本校信息化环境内的能力点", "微能力", V.boolean),
    RuleSpec("micro.rich_beyond_a", "混合/智慧环境至少选 B/C 类能力点数", "微能力",
             lambda lb, v: V.number(lb, v, lo=1, hi=10, integer=True)),
    RuleSpec("micro.range", "学校的微能力提升范围", "微能力", _range, school_choice=True),
    RuleSpec("teacher.items", "每位教师提交的材料", "教师材料", _teacher_items, element_id="title"),
    RuleSpec("teacher.activities", "每位教师须开展的活动", "教师材料", _activities, element_id="label"),
    RuleSpec("grading.scale", "考核等级", "考核", _grading),
    RuleSpec("assessment.required", "校本应用考核", "考核", V.boolean),
    RuleSpec("assessment.pass_rate", "考核合格率", "考核", V.share),
    RuleSpec("assessment.support", "不合格教师一对一帮扶", "考核", V.boolean),
    RuleSpec("assessment.excellent_share", "优秀案例占教师数的比例", "考核", V.share),
    RuleSpec("school.documents", "学校须制定或报送的文档", "学校", _documents, element_id="kind"),
    RuleSpec("school.teams", "学校须组建的团队", "学校", _teams, element_id="kind"),
    RuleSpec("school.first_responsible", "校长为第一责任人", "学校", V.boolean),
    RuleSpec("school.study_groups", "学科研修组", "学校", _study_groups),
    RuleSpec("school.courses", "校本研修课程", "学校", _courses),
    RuleSpec("school.participation", "校本研修参与度", "学校", _participation),
    RuleSpec("school.completion_rate", "年度培训完成率", "学校", V.share),
    RuleSpec("school.deadlines", "其他截止日期", "学校", _deadlines, element_id="title"),
    RuleSpec("school.self_assessment", "学校按考核要点自评", "学校", _self_assessment, element_id="key"),
)

BY_KEY: dict[str, RuleSpec] = {s.key: s for s in SPECS}
GROUPS = ("参训范围", "学时", "微能力", "教师材料", "考核", "学校")
ALWAYS_ON = frozenset({"cycle", "hours.categories", "grading.scale"})   # structure, not requirements


def spec(key: str) -> RuleSpec:
    try:
        return BY_KEY[key]
    except KeyError:
        from app.errors import NotFoundError
        raise NotFoundError(f"没有名为“{key}”的规则。可用的规则：{'、'.join(BY_KEY)}") from None
