"""deadline list | done: the year's deadlines from the programme, and marking one done."""

from __future__ import annotations

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.services.validation import parse_date

dashboard = lazy("app.services.dashboard")


def register(sub, common) -> None:
    p = sub.add_parser("deadline", parents=[common], help="本学年（年度）的截止事项",
                       description="列出项目方案规定的截止事项及完成情况；文档报送、选定专题等由记录自动判断，"
                                   "其他事项完成后用 deadline done 标记。")
    ds = p.add_subparsers(dest="action", metavar="操作")
    ls = ds.add_parser("list", parents=[common], help="列出截止事项")
    ls.set_defaults(func=cmd_list)
    dn = ds.add_parser("done", parents=[common], help="标记一项为已完成（或用 --undo 取消）")
    dn.add_argument("id", type=int, metavar="编号", help="截止事项编号（见 deadline list）")
    dn.add_argument("--date", help="完成日期（默认今天）")
    dn.add_argument("--undo", action="store_true", help="取消完成标记")
    dn.set_defaults(func=cmd_done)
    p.set_defaults(func=cmd_list)


def cmd_list(args, ws_opener) -> int:
    rows = dashboard.list_deadlines(ws_opener())
    if args.json:
        print_json([r.__dict__ for r in rows])
    elif not rows:
        print("本校的项目方案没有规定截止日期。")
    else:
        print_table(["编号", "截止日期", "事项", "状态"], [[r.id, r.due_on, r.title, r.state] for r in rows])
    return 0


def cmd_done(args, ws_opener) -> int:
    from datetime import date
    when = None if args.undo else (parse_date(args.date, field="完成日期") or date.today())
    ws = ws_opener()
    dashboard.set_deadline_done(ws, args.id, when)
    row = next(r for r in dashboard.list_deadlines(ws) if r.id == args.id)
    print_json(row.__dict__) if args.json else print(f"{row.title}：{row.state}")
    return 0
