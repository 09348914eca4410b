"""assess, support add|close|list, case mark|list."""

from __future__ import annotations

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table

assessment = lazy("app.services.assessment")


def register(sub, common) -> None:
    p = sub.add_parser("assess", parents=[common], help="评定一项证据的等级",
                       description="CODE 为能力点代码（个人项目用“个人”），ITEM 为证据项目序号或名称。")
    p.add_argument("teacher", metavar="教师")
    p.add_argument("code", metavar="能力点代码")
    p.add_argument("item", metavar="证据项目")
    p.add_argument("grade", metavar="等级", help="优秀 / 合格 / 不合格（或本校方案的等级）")
    p.add_argument("--reviewer", default="", help="评定人")
    p.add_argument("--comment", default="", help="评语")
    p.add_argument("--date", help="评定日期")
    p.set_defaults(func=cmd_assess)

    p = sub.add_parser("support", parents=[common], help="一对一帮扶")
    ss = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = ss.add_parser("add", parents=[common], help="建立帮扶记录")
    a.add_argument("teacher", metavar="教师")
    a.add_argument("--helper", required=True, help="帮扶人")
    a.add_argument("--plan", default="", help="帮扶计划")
    a.add_argument("--point", default="", help="针对的能力点（可不填）")
    a.add_argument("--reassess-on", help="复评日期")
    a.set_defaults(func=cmd_support_add)
    c = ss.add_parser("close", parents=[common], help="复评后结束帮扶")
    c.add_argument("teacher", metavar="教师")
    c.add_argument("--result", help="复评结果（不填则按重新评定的等级自动得出）")
    c.add_argument("--date", help="结束日期")
    c.set_defaults(func=cmd_support_close)
    ls = ss.add_parser("list", parents=[common], help="列出帮扶记录")
    ls.set_defaults(func=cmd_support_list)

    p = sub.add_parser("case", parents=[common], help="优秀案例")
    cs = p.add_subparsers(dest="action", metavar="操作", required=True)
    m = cs.add_parser("mark", parents=[common], help="标记优秀案例")
    m.add_argument("teacher", metavar="教师")
    m.add_argument("code", metavar="能力点代码", nargs="?", default="", help="能力点代码")
    m.add_argument("--title", default="")
    m.set_defaults(func=cmd_case_mark)
    ls = cs.add_parser("list", parents=[common], help="列出优秀案例")
    ls.set_defaults(func=cmd_case_list)


def cmd_assess(args, ws_opener) -> int:
    r = assessment.assess(ws_opener(), args.teacher, args.code, args.item, args.grade, reviewer=args.reviewer,
                          comment=args.comment, on_date=args.date)
    if args.json:
        print_json(r)
    else:
        point = f"，能力点 {r.point_code} 结果：{r.point_result}" if r.point_code else ""
        print(f"已评定：{r.teacher} {r.item} {r.grade}（第{r.round}轮）{point}，个人结果：{r.teacher_result}")
    return 0


def cmd_support_add(args, ws_opener) -> int:
    r = assessment.open_support(ws_opener(), args.teacher, helper=args.helper, plan=args.plan,
                                point_code=args.point, reassess_on=args.reassess_on)
    print_json(r) if args.json else print(f"已为 {r.teacher} 建立帮扶记录，帮扶人：{r.helper}")
    return 0


def cmd_support_close(args, ws_opener) -> int:
    r = assessment.close_support(ws_opener(), args.teacher, new_result=args.result, closed_on=args.date)
    print_json(r) if args.json else print(f"已结束 {r.teacher} 的帮扶，复评结果：{r.new_result}")
    return 0


def cmd_support_list(args, ws_opener) -> int:
    rows = assessment.list_supports(ws_opener())
    if args.json:
        print_json(rows)
    else:
        print_table(["编号", "教师", "帮扶人", "开始", "复评", "结束", "结果"],
                    [[r.id, r.teacher, r.helper, r.opened_on, r.reassess_on or "", r.closed_on or "", r.new_result]
                     for r in rows])
    return 0


def cmd_case_mark(args, ws_opener) -> int:
    r = assessment.mark_case(ws_opener(), args.teacher, args.code, title=args.title)
    print_json(r) if args.json else print(f"已标记优秀案例：{r.title}")
    return 0


def cmd_case_list(args, ws_opener) -> int:
    rows = assessment.list_cases(ws_opener())
    if args.json:
        print_json(rows)
    else:
        print_table(["编号", "教师", "能力点", "标题", "日期"],
                    [[r.id, r.teacher, r.point_code or "", r.title, r.marked_on] for r in rows])
    return 0
