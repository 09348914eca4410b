"""choose, hours, evidence, activity, plan: the year's records."""

from __future__ import annotations

from pathlib import Path

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.vocab import ACTIVITY_KINDS, PLAN_KINDS, PLAN_STATUSES

activities = lazy("app.services.activities")
choices = lazy("app.services.choices")
evidence = lazy("app.services.evidence")
hours = lazy("app.services.hours")
plans = lazy("app.services.plans")
teachers = lazy("app.services.teachers")


def register(sub, common) -> None:
    p = sub.add_parser("choose", parents=[common], help="设置教师的微能力点",
                       description="把教师的能力点设为给出的代码（如 A1 A5 B2）。不符合项目方案规则时拒绝并说明原因。")
    p.add_argument("teacher", metavar="教师", help="工号、身份证号或姓名")
    p.add_argument("codes", metavar="能力点代码", nargs="+", help="能力点代码")
    p.add_argument("--confirm", action="store_true", help="确认取消已有证据的能力点（文件保留）")
    p.set_defaults(func=cmd_choose)

    p = sub.add_parser("hours", parents=[common], help="学时记录")
    hs = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = hs.add_parser("add", parents=[common], help="添加学时")
    a.add_argument("teacher", metavar="教师", help="工号、身份证号或姓名")
    a.add_argument("--category", required=True, help="学时类别（见 tisheng school show 的项目方案）")
    a.add_argument("--hours", required=True, help="学时数")
    a.add_argument("--date", help="日期，如 2026-09-01")
    a.add_argument("--topic", default="", help="专题（如 数据驱动的因材施教）")
    a.add_argument("--note", default="", help="备注")
    a.set_defaults(func=cmd_hours_add)
    ls = hs.add_parser("list", parents=[common], help="列出学时记录")
    ls.add_argument("teacher", metavar="教师", nargs="?", help="只看这位教师")
    ls.set_defaults(func=cmd_hours_list)

    p = sub.add_parser("evidence", parents=[common], help="证据文件")
    es = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = es.add_parser("add", parents=[common], help="为能力点的证据项目添加文件",
                      description="CODE 为能力点代码（个人项目用“个人”），ITEM 为证据项目序号或名称。")
    a.add_argument("teacher", metavar="教师")
    a.add_argument("code", metavar="能力点代码")
    a.add_argument("item", metavar="证据项目")
    a.add_argument("file", metavar="文件", type=Path)
    a.set_defaults(func=cmd_evidence_add)
    ls = es.add_parser("list", parents=[common], help="列出证据文件")
    ls.add_argument("teacher", metavar="教师", nargs="?")
    ls.set_defaults(func=cmd_evidence_list)
    rm = es.add_parser("remove", parents=[common], help="删除一条证据记录")
    rm.add_argument("id", type=int, help="证据记录编号（见 evidence list）")
    rm.set_defaults(func=cmd_evidence_remove)

    p = sub.add_parser("activity", parents=[common], help="培训活动")
    acts = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = acts.add_parser("add", parents=[common], help="登记培训活动（参加者自动计入学时）")
    a.add_argument("--title", required=True, help="活动名称")
    a.add_argument("--date", required=True, help="日期")
    a.add_argument("--hours", required=True, help="学时")
    a.add_argument("--category", required=True, help="计入的学时类别")
    a.add_argument("--kind", default="其他", choices=ACTIVITY_KINDS, help="活动类型")
    a.add_argument("--topic", default="", help="专题")
    a.add_argument("--participants", nargs="*", default=[], metavar="教师", help="参加教师")
    a.add_argument("--all", action="store_true", help="全体在岗教师参加")
    a.set_defaults(func=cmd_activity_add)
    ls = acts.add_parser("list", parents=[common], help="列出培训活动")
    ls.set_defaults(func=cmd_activity_list)

    p = sub.add_parser("plan", parents=[common], help="一划两案等方案文档")
    ps = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = ps.add_parser("add", parents=[common], help="添加方案文档")
    a.add_argument("--kind", required=True, choices=PLAN_KINDS)
    a.add_argument("--title", default="")
    a.add_argument("--status", default="草稿", choices=PLAN_STATUSES)
    a.add_argument("--file", type=Path)
    a.add_argument("--semester", default="")
    a.add_argument("--submitted-on")
    a.add_argument("--filed-on")
    a.set_defaults(func=cmd_plan_add)
    ls = ps.add_parser("list", parents=[common], help="列出方案文档")
    ls.set_defaults(func=cmd_plan_list)


def cmd_choose(args, ws_opener) -> int:
    res = choices.set_choices(ws_opener(), args.teacher, args.codes, confirm_drop=args.confirm)
    print_json(res) if args.json else print(f"已保存 {res.teacher} 的能力点：{'、'.join(res.chosen)}")
    return 0


def cmd_hours_add(args, ws_opener) -> int:
    row = hours.add_hours(ws_opener(), args.teacher, category=args.category, hours=args.hours,
                          on_date=args.date, topic=args.topic, note=args.note)
    print_json(row) if args.json else print(f"已记录：{row.teacher} {row.category} {row.hours:g} 学时")
    return 0


def cmd_hours_list(args, ws_opener) -> int:
    ws = ws_opener()
    tid = teachers.resolve(ws, args.teacher).id if args.teacher else None
    rows = hours.list_hours(ws, tid)
    if args.json:
        print_json(rows)
    else:
        print_table(["编号", "教师", "类别", "专题", "学时", "日期", "来源"],
                    [[r.id, r.teacher, r.category, r.topic, f"{r.hours:g}", r.on_date or "", r.source] for r in rows])
    return 0


def cmd_evidence_add(args, ws_opener) -> int:
    row = evidence.add_evidence(ws_opener(), args.teacher, args.code, args.item, args.file)
    if args.json:
        print_json(row)
    else:
        print(f"已添加证据：{row.original_name}（{row.size} 字节，SHA-256 {row.sha256[:12]}…）")
        for w in row.warnings:
            print(f"提醒：{w}")
    return 0


def cmd_evidence_list(args, ws_opener) -> int:
    ws = ws_opener()
    tid = teachers.resolve(ws, args.teacher).id if args.teacher else None
    rows = evidence.list_evidence(ws, tid)
    if args.json:
        print_json(rows)
    else:
        print_table(["编号", "教师编号", "能力点", "项目", "文件", "大小"],
                    [[r.id, r.teacher_id, r.point_code or "个人", r.item_title, r.original_name, r.size] for r in rows])
    return 0


def cmd_evidence_remove(args, ws_opener) -> int:
    evidence.remove_evidence(ws_opener(), args.id)
    print_json({"removed": args.id}) if args.json else print("已删除该证据记录。")
    return 0


def cmd_activity_add(args, ws_opener) -> int:
    ws = ws_opener()
    if args.all:
        ids = [t.id for t in teachers.list_teachers(ws) if t.status == "在岗"]
    else:
        ids = [teachers.resolve(ws, ref).id for ref in args.participants]
    row = activities.save_activity(ws, None, ids, title=args.title, kind=args.kind, on_date=args.date,
                                   hours=args.hours, category=args.category, topic=args.topic)
    print_json(row) if args.json else print(f"已登记活动“{row.title}”，{len(row.participant_ids)} 人各计 {row.hours:g} 学时")
    return 0


def cmd_activity_list(args, ws_opener) -> int:
    rows = activities.list_activities(ws_opener())
    if args.json:
        print_json(rows)
    else:
        print_table(["编号", "日期", "活动", "类型", "学时", "类别", "人数"],
                    [[r.id, r.on_date, r.title, r.kind, f"{r.hours:g}", r.category, len(r.participant_ids)]
                     for r in rows])
    return 0


def cmd_plan_add(args, ws_opener) -> int:
    row = plans.save_plan(ws_opener(), None, file=args.file, kind=args.kind, title=args.title,
                          status=args.status, semester=args.semester, submitted_on=args.submitted_on,
                          filed_on=args.filed_on)
    print_json(row) if args.json else print(f"已保存《{row.title}》（{row.status}）")
    return 0


def cmd_plan_list(args, ws_opener) -> int:
    rows = plans.list_plans(ws_opener())
    if args.json:
        print_json(rows)
    else:
        print_table(["编号", "类型", "标题", "状态", "提交", "备案", "文件"],
                    [[r.id, r.kind, r.title, r.status, r.submitted_on or "", r.filed_on or "", r.original_name]
                     for r in rows])
    return 0
