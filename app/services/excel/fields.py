"""The columns of a roster and of an hours sheet, and the names offices give them."""

from __future__ import annotations

from app.services.excel.headers import FieldSpec

# The example row of our templates carries this note and is skipped on import.
EXAMPLE_MARK = "示例行（导入时自动跳过，可删除）"

ROSTER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "姓名", ("教师姓名", "教职工姓名", "人员姓名", "姓名（中文）", "名字", "教师"), required=True),
    FieldSpec("gender", "性别", ("性 别",)),
    FieldSpec("id_number", "身份证号", ("身份证号码", "证件号码", "身份证", "公民身份号码", "身份证件号码",
                                      "证件号", "居民身份证号码", "身份证号码（18位）", "证件号码（身份证）"),
              required=True, text=True),
    FieldSpec("phone", "联系电话", ("手机号", "手机", "手机号码", "电话", "联系方式", "移动电话", "电话号码",
                                    "联系手机"), text=True),
    FieldSpec("subject", "任教学科", ("学科", "所教学科", "主教学科", "任教科目", "科目", "教学学科", "主讲学科")),
    FieldSpec("stage", "学段", ("任教学段", "学段（小学/初中/高中）")),
    FieldSpec("staff_type", "编制类型", ("编制", "编制情况", "编制性质", "用工形式", "用工性质", "人员类型",
                                        "人员性质")),
    FieldSpec("title", "职称", ("专业技术职务", "职称等级", "专业技术职称", "现任职称")),
    FieldSpec("staff_no", "工号", ("教职工号", "教师编号", "职工号", "教工号", "人员编号", "编号"), text=True),
    FieldSpec("teaching_point", "教学点", ("所在教学点", "所属教学点", "校区", "所在校区", "任教学校/教学点")),
    FieldSpec("status", "状态", ("在岗状态", "任职状态", "人员状态", "在职状态", "教师状态")),
    FieldSpec("status_reason", "状态说明", ("免修原因", "状态原因", "变动原因")),
    FieldSpec("group", "学科研修组", ("研修组", "教研组", "学科组", "所在研修组")),
    FieldSpec("retire_date", "退休日期", ("退休时间", "预计退休日期")),
    FieldSpec("note", "备注", ("说明",)),
)

# Long format: one row per record with a 类别 column. Wide-format category
# columns are added per programme by `hours_fields()`.
HOURS_BASE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "姓名", ("教师姓名", "学员姓名", "教职工姓名", "人员姓名", "学员"), required=True),
    FieldSpec("id_number", "身份证号", ("身份证号码", "证件号码", "身份证", "公民身份号码", "身份证件号码", "证件号"),
              text=True),
    FieldSpec("staff_no", "工号", ("教职工号", "教师编号", "职工号", "学员编号"), text=True),
    FieldSpec("category", "类别", ("学时类别", "研修类别", "培训类别", "学时类型", "类型", "研修类型", "课程类别")),
    FieldSpec("topic", "专题", ("课程名称", "培训项目", "项目名称", "主题", "专题名称", "研修主题", "课程", "培训内容",
                               "活动名称")),
    FieldSpec("hours", "学时", ("学时数", "获得学时", "完成学时", "学分", "课时", "学时（小时）", "认定学时")),
    FieldSpec("on_date", "日期", ("完成日期", "培训日期", "研修日期", "时间", "完成时间", "学习日期", "活动日期")),
    FieldSpec("note", "备注", ("说明",)),
)

IGNORED_TOTAL_HEADERS = ("合计", "总学时", "学时合计", "合计学时", "总计", "累计学时")


def hours_fields(category_keys: list[str]) -> tuple[FieldSpec, ...]:
    """The base fields plus one "cat:<key>" field per programme category (wide format)."""
    extra = []
    for key in category_keys:
        extra.append(FieldSpec(f"cat:{key}", key, (f"{key}学时", f"{key}（学时）", f"{key}学时数",
                                                  f"{key}获得学时")))
    return (*HOURS_BASE_FIELDS, *extra)


STAFF_TYPE_SYNONYMS = {
    "在编": "在编", "编制内": "在编", "在编教师": "在编", "正式": "在编", "正式教师": "在编", "公办": "在编",
    "事业编制": "在编", "事业编": "在编", "有编制": "在编", "编内": "在编",
    "临聘": "临聘", "临时聘用": "临聘", "聘用": "临聘", "合同": "临聘", "合同制": "临聘", "编外": "临聘",
    "编外聘用": "临聘", "临聘教师": "临聘", "特岗": "临聘", "备案制": "临聘", "派遣": "临聘", "劳务派遣": "临聘",
    "代课": "代课", "代课教师": "代课", "顶岗": "代课",
}
STATUS_SYNONYMS = {
    "在岗": "在岗", "在职": "在岗", "正常": "在岗", "在编在岗": "在岗", "在校": "在岗",
    "免修": "免修", "免考": "免修", "免训": "免修",
    "退休": "退休", "已退休": "退休",
    "调离": "调离", "调出": "调离", "已调离": "调离", "离职": "调离", "辞职": "调离",
}
GENDER_SYNONYMS = {"男": "男", "女": "女", "男性": "男", "女性": "女", "m": "男", "f": "女"}
STAGES = ("幼儿园", "小学", "初中", "高中", "中职", "特殊教育", "九年一贯制", "完全中学", "十二年一贯制")
SUBJECTS = ("语文", "数学", "英语", "道德与法治", "思想政治", "历史", "地理", "物理", "化学", "生物", "科学",
            "信息技术", "通用技术", "音乐", "美术", "艺术", "体育", "体育与健康", "心理健康", "劳动",
            "综合实践活动", "书法", "日语", "俄语", "特殊教育", "学前教育", "其他")
TITLES = ("正高级教师", "高级教师", "一级教师", "二级教师", "三级教师", "未评")
