"""The fixed word lists users choose from (statuses, kinds, environments…).

They live here, apart from the tables and services that use them, so that the command line
can build its complete Chinese `--help` without importing SQLAlchemy (tisheng --help answers
in a fraction of the time). The tables and services import them from here.
"""

from __future__ import annotations

# Teacher (app.models.teacher)
STATUS_ACTIVE = "在岗"
STATUS_EXEMPT = "免修"
STATUS_RETIRED = "退休"
STATUS_LEFT = "调离"
STATUS_INTERNAL_RETIRED = "内退"
STATUSES = (STATUS_ACTIVE, STATUS_EXEMPT, STATUS_RETIRED, STATUS_INTERNAL_RETIRED, STATUS_LEFT)
STAFF_TYPES = ("在编", "临聘", "代课")

# Plans and documents (app.models.plan)
PLAN_KINDS = ("信息化教育教学发展规划", "校本研修方案", "校本应用考核方案", "学期培训计划",
              "整校推进实施方案", "培训实施方案", "研修组长名单", "工作总结", "其他")
PLAN_STATUSES = ("草稿", "已提交", "已备案")

# School self-assessment (app.models.self_assessment)
LEVELS = ("达成", "基本达成", "未达成")

# The programme a new school starts from (app.services.programmes.presets)
DEFAULT_PRESET = "national-2.0"

# School, activities, courses, teams (app.services.*)
ENVIRONMENTS = ("多媒体", "混合", "智慧")
ACTIVITY_KINDS = ("专题讲座", "研讨交流", "公开课", "研究课", "混合式教学实践", "送教下乡", "网络研修", "其他")
COURSE_STATUSES = ("已申报", "实施中", "已完成")
TEAM_KINDS = ("校级管理团队", "信息化教学创新研修团队", "培训指导团队", "工程领导小组", "项目办公室", "其他")

# The printed forms (app.services.forms.dto)
KIND_PERSONAL = "个人"
KIND_SUMMARY = "汇总"
KIND_NOTICE = "公示"
KIND_KEY = "密钥"
FORM_KINDS = (KIND_PERSONAL, KIND_SUMMARY, KIND_NOTICE, KIND_KEY)

# District register (app.services.district.register): the kinds of unit a key belongs to
UNIT_KINDS = ("学校", "教学点")

# Collection-pack merge (app.services.packs.merge_plan): which side a conflict takes
TAKE_SCHOOL, TAKE_POINT = "学校", "教学点"
