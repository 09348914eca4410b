"""Regenerate resources/catalogue/micro_abilities.json from the table in
shared/domain/micro_abilities.md, with default evidence items per point.

Run once by developers; the JSON is the shipped data and may be edited by hand.
"""

import json
import re
import sys
from pathlib import Path

DOC, VIDEO, PPT, IMG, SHEET = "文档", "视频", "演示文稿", "图片", "表格"
DESIGN_VIDEO_REFLECT = [("环节教学设计", [DOC]), ("课堂实录片段", [VIDEO]), ("教学反思", [DOC])]
ITEMS = {
    "A1": [("学情分析方案", [DOC]), ("学情分析报告", [DOC, SHEET])],
    "A2": [("数字教育资源清单与评价表", [DOC, SHEET]), ("资源应用说明", [DOC])],
    "A3": [("演示文稿", [PPT]), ("设计与制作说明", [DOC])],
    "A4": [("资源管理结构截图", [IMG, DOC]), ("资源管理说明", [DOC])],
    "A5": DESIGN_VIDEO_REFLECT, "A6": DESIGN_VIDEO_REFLECT,
    "A7": DESIGN_VIDEO_REFLECT, "A8": DESIGN_VIDEO_REFLECT,
    "A9": [("活动方案", [DOC]), ("活动实录或照片", [VIDEO, IMG]), ("学生体会", [DOC, IMG])],
    "A10": [("活动方案", [DOC]), ("活动实录或照片", [VIDEO, IMG]), ("学生体会", [DOC, IMG])],
    "A11": [("评价量规", [DOC, SHEET]), ("量规应用说明与学生评价结果", [DOC, SHEET])],
    "A12": [("数据采集方案", [DOC]), ("采集数据样例与说明", [DOC, SHEET, IMG])],
    "A13": [("数据可视化作品", [IMG, SHEET, PPT]), ("数据解读报告", [DOC])],
    "B1": [("测验与练习设计", [DOC]), ("练习数据分析报告", [DOC, SHEET])],
    "B2": [("微课程设计方案", [DOC]), ("微课视频", [VIDEO])],
    "B3": [("探究型学习活动设计", [DOC]), ("活动实施视频片段", [VIDEO]), ("教学反思", [DOC])],
    "B4": DESIGN_VIDEO_REFLECT, "B5": DESIGN_VIDEO_REFLECT, "B6": DESIGN_VIDEO_REFLECT,
    "B7": [("家校交流方案", [DOC]), ("交流记录截图", [IMG, DOC]), ("教学反思", [DOC])],
    "B8": [("资源管理方案", [DOC]), ("课堂实录片段", [VIDEO]), ("教学反思", [DOC])],
    "B9": [("自评互评活动方案", [DOC]), ("评价量表与结果", [DOC, SHEET])],
    "B10": [("档案袋评价方案", [DOC]), ("学生档案袋样例", [DOC, IMG])],
    "C1": [("跨学科学习活动设计", [DOC]), ("活动实录片段", [VIDEO]), ("学生作品", [DOC, IMG, VIDEO])],
    "C2": [("学习情境设计方案", [DOC]), ("课堂实录片段", [VIDEO]), ("教学反思", [DOC])],
    "C3": DESIGN_VIDEO_REFLECT, "C4": DESIGN_VIDEO_REFLECT,
    "C5": [("个别化指导方案", [DOC]), ("学生数据与指导记录", [DOC, SHEET])],
    "C6": [("数据分析模型应用报告", [DOC]), ("教学改进说明", [DOC])],
    "C7": [("数据分析微模型", [SHEET, DOC]), ("模型说明与应用报告", [DOC])],
}
DESC = "能力描述：{name}（{env}环境，{dim}维度）。提交指南：按要求提交全部测评证据，每项须达到对应等级的全部指标。"


def main(md_path: str, out_path: str) -> None:
    rows = re.findall(r"^\| ([ABC]\d+) \| (\S+) \| (\S+) \| (\S+) \|$",
                      Path(md_path).read_text(encoding="utf-8"), flags=re.M)
    points = []
    for order, (code, name, env, dim) in enumerate(rows, 1):
        items = [{"title": t, "kinds": k, **({"max_mb": 500, "max_minutes": 10} if VIDEO in k else {})}
                 for t, k in ITEMS[code]]
        points.append({"code": code, "name": name, "environment": env, "dimension": dim,
                       "description": DESC.format(name=name, env=env, dim=dim),
                       "order": order, "evidence": items})
    assert len(points) == 30, len(points)
    data = {"source": "shared/domain/micro_abilities.md（徐汇区实施方案 四、培训内容；《中小学教师信息技术应用能力校本应用考核规范》）",
            "environments": {"多媒体": "A", "混合": "B", "智慧": "C"},
            "environment_notes": {
                "多媒体": "简易/交互多媒体教学环境，重点支持集体教学",
                "混合": "网络教室、网络教学环境、移动学习环境，支持集体与小组学习",
                "智慧": "有智能教育设备支持，支持个性化与差异化学习"},
            "dimensions": ["学情分析", "教学设计", "学法指导", "学业评价"],
            "file_kinds": {DOC: [".doc", ".docx", ".pdf", ".wps", ".txt", ".rtf"],
                           PPT: [".ppt", ".pptx", ".dps", ".pdf"],
                           VIDEO: [".mp4", ".avi", ".wmv", ".mov", ".flv", ".mkv", ".m4v"],
                           IMG: [".jpg", ".jpeg", ".png", ".gif", ".bmp"],
                           SHEET: [".xls", ".xlsx", ".et", ".csv"]},
            "points": points}
    Path(out_path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
