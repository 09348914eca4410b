"""selfassess list | set | clear: the school's own rating against its programme's indicators."""

from __future__ import annotations

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.vocab import LEVELS

self_assessment = lazy("app.services.self_assessment")


def register(sub, common) -> None:
    p = sub.add_parser("selfassess", parents=[common], help="学校按考核要点自评（如徐汇校本应用考核要点）")
    ss = p.add_subparsers(dest="action", metavar="操作")
    ls = ss.add_parser("list", parents=[common], help="列出考核要点和自评结果")
    ls.set_defaults(func=cmd_list)
    st = ss.add_parser("set", parents=[common], help="填写一项自评")
    st.add_argument("key", metavar="编号", help="考核要点编号（见 selfassess list）")
    st.add_argument("--level", required=True, choices=LEVELS, help="自评结果")
    st.add_argument("--note", default="", help="说明（做了什么、证据在哪里）")
    st.add_argument("--by", metavar="姓名", help="填写人")
    st.set_defaults(func=cmd_set)
    cl = ss.add_parser("clear", parents=[common], help="清除一项自评")
    cl.add_argument("key", metavar="编号")
    cl.set_defaults(func=cmd_clear)
    p.set_defaults(func=cmd_list)


def cmd_list(args, ws_opener) -> int:
    rows = self_assessment.list_indicators(ws_opener())
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    if not rows:
        print("本校的项目方案没有需要自评的考核要点。")
        return 0
    print_table(["编号", "一级指标", "二级指标", "自评结果", "说明"],
                [[r.key, r.level1, r.level2, r.level or "未填写", r.note] for r in rows])
    print(f"已填写 {sum(1 for r in rows if r.level)}/{len(rows)} 项")
    return 0


def cmd_set(args, ws_opener) -> int:
    row = self_assessment.rate(ws_opener(), args.key, args.level, args.note, by=args.by)
    print_json(row.__dict__) if args.json else print(f"已填写：{row.key} {row.level2}：{row.level}")
    return 0


def cmd_clear(args, ws_opener) -> int:
    self_assessment.clear(ws_opener(), args.key)
    print_json({"ok": True, "key": args.key}) if args.json else print(f"已清除：{args.key}")
    return 0
