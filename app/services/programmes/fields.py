"""The parts of each rule's value, named in Chinese, so the window can offer a form for any rule.

`form_of(key)` says how to edit a rule: one value (`Scalar`), a few named parts (`Record`), or a
list of records (`Table`); the kinds are number, share, bool, date, month_day, text, list (a
comma-separated list) and choice. The window builds its editor from this; what is saved is
always checked by the same `check_programme` as everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.programmes.schema import DOCUMENT_STATUSES, ENVIRONMENTS, STAFF_TYPES, WINDOW_KINDS


@dataclass(frozen=True)
class Part:
    name: str
    label: str
    kind: str                        # number / share / bool / date / month_day / text / list / choice
    options: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Scalar:
    part: Part


@dataclass(frozen=True)
class Record:
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Table:
    parts: tuple[Part, ...]


P = Part
_KINDS_OF_FILE = ("文档", "图片", "视频", "音频", "其他")

FORMS: dict[str, Scalar | Record | Table] = {
    "cycle": Scalar(P("value", "年度计算方式", "choice", ("school_year", "calendar_year"),
                      "school_year：学年（8月起）；calendar_year：自然年（1月起）")),
    "scope.staff_types": Scalar(P("value", "必须参训的人员类别", "list", STAFF_TYPES, "如：在编")),
    "scope.internal_retired_excluded": Scalar(P("value", "内退教师不参加", "bool")),
    "scope.retired_before": Scalar(P("value", "此日期（含）前退休的教师可自愿参加", "date")),
    "scope.retire_within": Record((P("years", "距退休不满（年）", "number"),
                                   P("reference_date", "按此日期计算", "date", hint="通常为方案印发日"))),
    "scope.opt_out": Record((P("document", "不参加须交的材料", "text"), P("kept_by", "留存部门", "text"))),
    "hours.categories": Table((P("key", "学时类别", "text"), P("min", "最低学时", "number"),
                               P("practice", "实践类", "bool"), P("note", "说明", "text"))),
    "hours.total_min": Scalar(P("value", "每人不少于（学时）", "number")),
    "hours.practice_share": Scalar(P("value", "实践类学时不少于应修学时的", "share", hint="如 50%")),
    "hours.topics": Table((P("category", "所属类别", "text"), P("topic", "专题", "text"),
                           P("min", "最低学时", "number"))),
    "hours.window": Record((P("kind", "统计期", "choice", tuple(WINDOW_KINDS),
                              "；".join(f"{k}：{v}" for k, v in WINDOW_KINDS.items())),
                            P("start", "开始（日期或月-日）", "text"), P("end", "结束（日期或月-日）", "text"))),
    "hours.category_windows": Table((P("category", "学时类别", "text"), P("start", "每年开始（月-日）", "month_day"),
                                     P("end", "每年结束（月-日）", "month_day"))),
    "hours.elective_topic": Record((P("category", "选修学时类别", "text"), P("choices", "可选专题", "list"),
                                    P("chosen", "学校选定的专题", "list"))),
    "hours.record_max": Scalar(P("value", "单条记录最多（学时）", "number")),
    "micro.enabled": Scalar(P("value", "选择微能力点", "bool")),
    "micro.count": Record((P("min", "每人至少（个）", "number"), P("max", "每人最多（个）", "number"))),
    "micro.dimensions": Scalar(P("value", "至少覆盖的维度数", "number")),
    "micro.environment": Scalar(P("value", "只能选本校环境内的能力点", "bool")),
    "micro.rich_beyond_a": Scalar(P("value", "混合/智慧环境至少选 B/C 类（个）", "number")),
    "micro.range": Record((P("codes", "微能力提升范围（能力点代码）", "list", hint="如 A1,A3,B2"),)),
    "teacher.items": Table((P("title", "材料名称", "text"), P("kinds", "文件类型", "list", _KINDS_OF_FILE),
                            P("count", "份数", "number"),
                            P("applies", "适用对象", "choice", ("participants", "opted_out"),
                              "participants：参训教师；opted_out：自愿不参加的教师"))),
    "teacher.activities": Table((P("label", "活动名称", "text"), P("kinds", "计入的活动类型", "list"),
                                 P("min", "至少（次）", "number"), P("environments", "适用环境", "list", ENVIRONMENTS),
                                 P("who", "适用教师", "choice", ("all", "participants"),
                                   "all：每位参训教师；participants：参加校本研修的教师"))),
    "grading.scale": Record((P("scale", "等级（从高到低）", "list"), P("pass", "合格的等级", "list"),
                             P("excellent", "优秀等级", "text"), P("fail", "不合格等级", "text"))),
    "assessment.required": Scalar(P("value", "进行校本应用考核", "bool")),
    "assessment.pass_rate": Scalar(P("value", "考核合格率不低于", "share")),
    "assessment.support": Scalar(P("value", "不合格教师一对一帮扶", "bool")),
    "assessment.excellent_share": Scalar(P("value", "优秀案例不少于教师数的", "share")),
    "school.documents": Table((P("kind", "文档类别", "text"), P("title", "文件中的名称", "text"),
                               P("status", "需达到的状态", "choice", DOCUMENT_STATUSES),
                               P("due", "截止（月-日）", "text"), P("to", "报送对象", "text"))),
    "school.teams": Table((P("kind", "团队类型", "text"), P("title", "文件中的名称", "text"))),
    "school.first_responsible": Scalar(P("value", "校长为第一责任人", "bool")),
    "school.study_groups": Record((P("leader", "每组设组长", "bool"), P("size_about", "每组人数（约）", "number"))),
    "school.courses": Record((P("per_semester", "每学期至少（门）", "number"), P("total_min", "合计至少（门）", "number"),
                              P("hours_min", "每门最少学时", "number"), P("hours_max", "每门最多学时", "number"))),
    "school.participation": Record(tuple(P(e, f"{e}环境学校参与度不低于", "share") for e in ENVIRONMENTS)),
    "school.completion_rate": Scalar(P("value", "年度完成率不低于", "share")),
    "school.deadlines": Table((P("title", "事项", "text"), P("month_day", "每年（月-日）", "month_day"),
                               P("kind", "类别", "text"))),
    "school.self_assessment": Table((P("key", "编号", "text"), P("level1", "一级指标", "text"),
                                     P("level2", "二级指标", "text"), P("text", "指标描述", "text"))),
}


def form_of(key: str) -> Scalar | Record | Table:
    return FORMS[key]
