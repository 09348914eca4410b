"""Stand-ins for pages a later issue builds; the registry uses them only while the real module is absent."""

from __future__ import annotations

from app.ui.pages.base import PlaceholderPage


class MicroPlaceholder(PlaceholderPage):
    TITLE = "微能力"
    SUBTITLE = "每位教师选择的微能力点，以及全校覆盖情况"
    COMING = ("按教师选择微能力点，当场检查数量、维度和信息化环境是否符合本校项目方案；",
              "全校选点总览：每个能力点有多少教师选择，可按学科研修组统一选点。")


class EvidencePlaceholder(PlaceholderPage):
    TITLE = "证据材料"
    SUBTITLE = "每个能力点要求的证据文件"
    COMING = ("按教师、按能力点上传证据（把文件拖到窗口即可），显示 缺 / 已提交 / 已评；",
              "全校缺少证据清单，可导出为 Excel 发给各研修组长。")


class AssessmentPlaceholder(PlaceholderPage):
    TITLE = "校本考核"
    SUBTITLE = "评定等级、一对一帮扶与优秀案例"
    COMING = ("按评审教师分配待评证据，评定 优秀 / 合格 / 不合格；",
              "不合格教师的一对一帮扶记录与复评；",
              "把考核优秀的成果标记为优秀案例。")


class ExportPlaceholder(PlaceholderPage):
    TITLE = "导出与打印"
    SUBTITLE = "向上级报送和存档的材料"
    COMING = ("导出教师名单、学时汇总和考核结果（Excel）；",
              "生成并打印签字确认表、考核结果汇总表（PDF，可预览）；",
              "导出带校验码的报送包到U盘，并可核验报送包是否完整未改动；",
              "备份与恢复本校数据。")
