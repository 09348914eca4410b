"""team add | list | show | set | remove, team member add | remove: 校级管理团队 and other teams."""

from __future__ import annotations

from dataclasses import asdict

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.cli.teacher_brief import require_yes
from app.errors import ValidationError
from app.vocab import TEAM_KINDS

teachers = lazy("app.services.teachers")
teams = lazy("app.services.teams")

TEAM_HELP = "团队名称或编号（见 tisheng team list）"


def register(sub, common) -> None:
    p = sub.add_parser("team", parents=[common], help="团队（校级管理团队、研修团队等）及其成员",
                       description="管理学校的团队：校级管理团队、信息化教学创新研修团队、培训指导团队等，"
                                   "以及成员的角色、分工和第一责任人。团队用名称或编号指定。")
    ts = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = ts.add_parser("add", parents=[common], help="新建团队")
    a.add_argument("--kind", required=True, help=f"类型：{'、'.join(TEAM_KINDS)}")
    a.add_argument("--name", default="", help="名称（不填则与类型相同）")
    a.add_argument("--duty", default="", help="职责，如：统筹整校推进，制定一划两案")
    a.set_defaults(func=cmd_add)
    ls = ts.add_parser("list", parents=[common], help="列出团队")
    ls.set_defaults(func=cmd_list)
    sh = ts.add_parser("show", parents=[common], help="查看团队及其成员")
    sh.add_argument("team", metavar="团队", help=TEAM_HELP)
    sh.set_defaults(func=cmd_show)
    st = ts.add_parser("set", parents=[common], help="修改团队的类型、名称或职责")
    st.add_argument("team", metavar="团队", help=TEAM_HELP)
    st.add_argument("--kind", help=f"类型：{'、'.join(TEAM_KINDS)}")
    st.add_argument("--name", help="名称")
    st.add_argument("--duty", help="职责")
    st.set_defaults(func=cmd_set)
    rm = ts.add_parser("remove", parents=[common], help="删除团队（连同成员记录，教师本人不受影响）")
    rm.add_argument("team", metavar="团队", help=TEAM_HELP)
    rm.add_argument("--yes", action="store_true", help="确认删除有成员的团队")
    rm.set_defaults(func=cmd_remove)

    m = ts.add_parser("member", parents=[common], help="团队成员",
                      description="添加或移除团队成员。本校教师用 --teacher 指定，校外人员（如区教研员）用 --name 填写姓名。")
    ms = m.add_subparsers(dest="member_action", metavar="操作", required=True)
    ma = ms.add_parser("add", parents=[common], help="添加成员")
    ma.add_argument("team", metavar="团队", help=TEAM_HELP)
    ma.add_argument("--teacher", help="教师：工号、身份证号或姓名（本校教师）")
    ma.add_argument("--name", help="校外成员姓名（不是本校教师时填写）")
    ma.add_argument("--role", default="", help="角色，如 校长、指导教师、区教研员")
    ma.add_argument("--duty", default="", help="分工，如：第一责任人，全面负责")
    ma.add_argument("--first-responsible", action="store_true",
                    help="设为第一责任人（一个团队只有一位，原第一责任人改为普通成员）")
    ma.set_defaults(func=cmd_member_add)
    mr = ms.add_parser("remove", parents=[common], help="移除成员")
    mr.add_argument("member", metavar="成员编号", help="成员编号（见 tisheng team show）")
    mr.set_defaults(func=cmd_member_remove)


def _first(row) -> str:
    return next((m.name for m in row.members if m.is_first_responsible), "")


def _print_team(row) -> None:
    for label, value in (("团队", row.name), ("编号", row.id), ("类型", row.kind), ("职责", row.duty),
                         ("第一责任人", _first(row) or "（未指定）")):
        print(f"{label}：{value}")
    if not row.members:
        print("尚无成员。")
        return
    print(f"成员 {len(row.members)} 人：")
    print_table(["成员编号", "姓名", "本校教师", "角色", "分工", "第一责任人"],
                [[m.id, m.name, "是" if m.teacher_id else "校外", m.role, m.duty,
                  "是" if m.is_first_responsible else ""] for m in row.members])


def cmd_add(args, ws_opener) -> int:
    row = teams.save_team(ws_opener(), None, kind=args.kind, name=args.name, duty=args.duty)
    print_json(asdict(row)) if args.json else print(f"已新建团队“{row.name}”（{row.kind}），编号 {row.id}。")
    return 0


def cmd_list(args, ws_opener) -> int:
    rows = teams.list_teams(ws_opener())
    if args.json:
        print_json([asdict(r) for r in rows])
        return 0
    print_table(["编号", "名称", "类型", "第一责任人", "成员数", "职责"],
                [[r.id, r.name, r.kind, _first(r), len(r.members), r.duty] for r in rows])
    print(f"共 {len(rows)} 个团队")
    return 0


def cmd_show(args, ws_opener) -> int:
    row = teams.find_team(ws_opener(), args.team)
    print_json(asdict(row)) if args.json else _print_team(row)
    return 0


def cmd_set(args, ws_opener) -> int:
    ws = ws_opener()
    row = teams.find_team(ws, args.team)
    row = teams.save_team(ws, row.id, kind=row.kind if args.kind is None else args.kind,
                          name=row.name if args.name is None else args.name,
                          duty=row.duty if args.duty is None else args.duty)
    print_json(asdict(row)) if args.json else print(f"已保存团队“{row.name}”（{row.kind}）。")
    return 0


def cmd_remove(args, ws_opener) -> int:
    ws = ws_opener()
    row = teams.find_team(ws, args.team)
    if row.members:
        require_yes(args, f"团队“{row.name}”有 {len(row.members)} 位成员，删除团队将同时删除这些成员记录"
                          "（教师本人的信息不受影响）。")
    teams.remove_team(ws, row.id)
    print_json({"removed": asdict(row)}) if args.json else print(f"已删除团队“{row.name}”。")
    return 0


def cmd_member_add(args, ws_opener) -> int:
    if args.teacher is None and not (args.name or "").strip():
        raise ValidationError("请用 --teacher 指定本校教师，或用 --name 填写校外成员姓名。", field="teacher")
    if args.teacher is not None and args.name is not None:
        raise ValidationError("--teacher 与 --name 只能选一个：本校教师用 --teacher，校外人员用 --name。",
                              field="name")
    ws = ws_opener()
    team = teams.find_team(ws, args.team)
    teacher_id = teachers.resolve(ws, args.teacher).id if args.teacher is not None else None
    before = _first(team)
    row = teams.add_member(ws, team.id, teacher_id=teacher_id, name="" if teacher_id else args.name,
                           role=args.role, duty=args.duty, first_responsible=args.first_responsible)
    member = max(row.members, key=lambda m: m.id)
    if args.json:
        print_json({"team": asdict(row), "member": asdict(member)})
        return 0
    extra = "".join(f"，{x}" for x in (f"角色：{member.role}" if member.role else "",
                                       "第一责任人" if member.is_first_responsible else "") if x)
    print(f"已将{member.name}加入团队“{row.name}”（成员编号 {member.id}{extra}）。")
    if args.first_responsible and before and before != member.name:
        print(f"原第一责任人{before}改为普通成员。")
    return 0


def cmd_member_remove(args, ws_opener) -> int:
    text = args.member.strip()
    if not text.isdigit() or len(text) > 9:
        raise ValidationError(f"成员编号“{args.member}”应为数字（见 tisheng team show 的“成员编号”一列）。",
                              field="member")
    ws = ws_opener()
    member = teams.remove_member(ws, int(text))
    if args.json:
        print_json({"removed": asdict(member)})
    else:
        team = next((t.name for t in teams.list_teams(ws) if t.id == member.team_id), "")
        print(f"已将{member.name}移出团队“{team}”。")
    return 0
