"""group add | list | show | set | remove | join | leave: 学科研修组 with a 组长."""

from __future__ import annotations

from dataclasses import asdict

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.cli.teacher_brief import briefs, names, require_yes, roster
from app.errors import ValidationError

teachers = lazy("app.services.teachers")
teams = lazy("app.services.teams")

GROUP_HELP = "研修组名称或编号（见 tisheng group list）"
MOVE_HELP = "确认调动：组长原属其他研修组时将其调入本组（原组如由其任组长，则组长空缺）"


def register(sub, common) -> None:
    p = sub.add_parser("group", parents=[common], help="学科研修组及其组长、组员",
                       description="管理学科研修组：组长、学科、共同能力点和组员。每位教师只属于一个研修组。"
                                   "研修组用名称或编号指定，教师用工号、身份证号或姓名指定。")
    gs = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = gs.add_parser("add", parents=[common], help="新建研修组")
    a.add_argument("--name", required=True, help="名称，如 语文研修组")
    _fields(a)
    a.set_defaults(func=cmd_add)
    ls = gs.add_parser("list", parents=[common], help="列出研修组")
    ls.set_defaults(func=cmd_list)
    sh = gs.add_parser("show", parents=[common], help="查看研修组及其组员")
    sh.add_argument("group", metavar="研修组", help=GROUP_HELP)
    sh.set_defaults(func=cmd_show)
    st = gs.add_parser("set", parents=[common], help="修改研修组的名称、学科、组长或共同能力点")
    st.add_argument("group", metavar="研修组", help=GROUP_HELP)
    st.add_argument("--name", help="新名称")
    _fields(st)
    st.add_argument("--no-leader", action="store_true", help="取消组长（该组将没有组长）")
    st.set_defaults(func=cmd_set)
    rm = gs.add_parser("remove", parents=[common], help="删除研修组（组员不再属于任何研修组）")
    rm.add_argument("group", metavar="研修组", help=GROUP_HELP)
    rm.add_argument("--yes", action="store_true", help="确认删除有组员的研修组")
    rm.set_defaults(func=cmd_remove)
    j = gs.add_parser("join", parents=[common], help="把教师调入研修组",
                      description="把教师调入研修组；原属其他研修组的教师会离开原组（输出中列出）。"
                                  "其他研修组的组长须加 --move 才会调动。")
    j.add_argument("group", metavar="研修组", help=GROUP_HELP)
    j.add_argument("teachers", metavar="教师", nargs="+", help="工号、身份证号或姓名，可列多位")
    j.add_argument("--move", action="store_true", help="确认调动其他研修组的组长（原组组长空缺）")
    j.set_defaults(func=cmd_join)
    lv = gs.add_parser("leave", parents=[common], help="让教师离开所在的研修组")
    lv.add_argument("teachers", metavar="教师", nargs="+", help="工号、身份证号或姓名，可列多位")
    lv.add_argument("--yes", action="store_true", help="确认让组长离组（该组组长空缺）")
    lv.set_defaults(func=cmd_leave)


def _fields(p) -> None:
    p.add_argument("--subject", help="学科，如 语文、数学、综合")
    p.add_argument("--leader", help="组长：工号、身份证号或姓名")
    p.add_argument("--common-point", help="共同能力点（能力点代码，如 A1；可不填）")
    p.add_argument("--move", action="store_true", help=MOVE_HELP)


def _group_json(row, by_id) -> dict:
    return asdict(row) | {"members": briefs(row.member_ids, by_id)}


def _print_group(row, by_id) -> None:
    for label, value in (("研修组", row.name), ("编号", row.id), ("学科", row.subject),
                         ("组长", row.leader or "（未指定）"), ("共同能力点", row.common_point or "（无）")):
        print(f"{label}：{value}")
    members = [by_id[i] for i in row.member_ids if i in by_id]
    if not members:
        print("尚无组员。")
        return
    print(f"组员 {len(members)} 人：")
    print_table(["工号", "姓名", "学科", "状态", "组长"],
                [[t.staff_no, t.name, t.subject, t.status, "是" if t.id == row.leader_id else ""] for t in members])


def _save(args, ws, row) -> None:
    leader = teachers.resolve(ws, args.leader) if args.leader is not None else None
    if getattr(args, "no_leader", False) and leader is not None:
        raise ValidationError("--leader 与 --no-leader 只能选一个。", field="leader")
    if row is None:
        leader_id = leader.id if leader else None
    else:
        leader_id = None if args.no_leader else (leader.id if leader else row.leader_id)
    name = args.name if args.name is not None else row.name
    saved = teams.save_group(ws, row.id if row else None, name=name,
                             subject=args.subject if args.subject is not None else (row.subject if row else ""),
                             leader_id=leader_id,
                             common_point=args.common_point if args.common_point is not None
                             else (row.common_point if row else ""),
                             move_leader=args.move)
    by_id = roster(ws)
    if args.json:
        print_json(_group_json(saved, by_id))
        return
    verb = "已新建" if row is None else "已保存"
    print(f"{verb}研修组“{saved.name}”（编号 {saved.id}），组长：{saved.leader or '未指定'}，组员 {len(saved.member_ids)} 人。")
    if leader is not None and leader.group and leader.group != saved.name and (row is None or leader.group != row.name):
        print(f"{leader.name}已从“{leader.group}”调入本组。")
        if any(g.name == leader.group and not g.leader_id for g in teams.list_groups(ws)):
            print(f"“{leader.group}”现在没有组长，请另行指定（tisheng group set {leader.group} --leader 教师）。")


def cmd_add(args, ws_opener) -> int:
    _save(args, ws_opener(), None)
    return 0


def cmd_set(args, ws_opener) -> int:
    ws = ws_opener()
    _save(args, ws, teams.find_group(ws, args.group))
    return 0


def cmd_list(args, ws_opener) -> int:
    ws = ws_opener()
    rows = teams.list_groups(ws)
    if args.json:
        by_id = roster(ws)
        print_json([_group_json(r, by_id) for r in rows])
        return 0
    print_table(["编号", "名称", "学科", "组长", "人数", "共同能力点"],
                [[r.id, r.name, r.subject, r.leader, len(r.member_ids), r.common_point] for r in rows])
    print(f"共 {len(rows)} 个研修组")
    return 0


def cmd_show(args, ws_opener) -> int:
    ws = ws_opener()
    row = teams.find_group(ws, args.group)
    by_id = roster(ws)
    print_json(_group_json(row, by_id)) if args.json else _print_group(row, by_id)
    return 0


def cmd_remove(args, ws_opener) -> int:
    ws = ws_opener()
    row = teams.find_group(ws, args.group)
    by_id = roster(ws)
    if row.member_ids:
        members = [by_id[i] for i in row.member_ids if i in by_id]
        require_yes(args, f"研修组“{row.name}”有 {len(members)} 位组员（{names(members)}），删除后他们将不属于任何研修组。")
    teams.remove_group(ws, row.id)
    print_json({"removed": _group_json(row, by_id)}) if args.json else print(f"已删除研修组“{row.name}”。")
    return 0


def _change_json(change, by_id) -> dict:
    return {"group": _group_json(change.group, by_id) if change.group else None,
            "teachers": [asdict(t) for t in change.teachers],
            "leaderless_groups": list(change.leaderless_groups)}


def _print_change(change, head: str) -> None:
    def label(t) -> str:
        who = f"{t.name}（{t.staff_no}）" if t.staff_no else t.name
        if change.group is not None and t.previous_group == change.group.name:
            return who + "（本来就在本组）"
        return who + (f"，原属“{t.previous_group}”" if t.previous_group else "，原不属于任何研修组")

    print(head.format(n=len(change.teachers)) + "；".join(label(t) for t in change.teachers) + "。")
    for g in change.leaderless_groups:
        print(f"“{g}”现在没有组长，请另行指定（tisheng group set {g} --leader 教师）。")


def cmd_join(args, ws_opener) -> int:
    ws = ws_opener()
    group = teams.find_group(ws, args.group)
    ids = [t.id for t in teachers.resolve_many(ws, args.teachers)]
    change = teams.join_group(ws, group.id, ids, move_leaders=args.move)
    if args.json:
        print_json(_change_json(change, roster(ws)))
    else:
        _print_change(change, f"已将 {{n}} 位教师调入研修组“{change.group.name}”：")
    return 0


def cmd_leave(args, ws_opener) -> int:
    ws = ws_opener()
    ids = [t.id for t in teachers.resolve_many(ws, args.teachers)]
    change = teams.leave_group(ws, ids, drop_leaders=args.yes)
    print_json(_change_json(change, roster(ws))) if args.json else _print_change(change, "已让 {n} 位教师离开研修组：")
    return 0
