"""point add | list | show | set | remove | assign | unassign: the school's 教学点."""

from __future__ import annotations

import sys
from dataclasses import asdict

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.cli.teacher_brief import brief, names, require_yes, roster
from app.vocab import ENVIRONMENTS

choices = lazy("app.services.choices")
school = lazy("app.services.school")
teachers = lazy("app.services.teachers")

POINT_HELP = "教学点名称或编号（见 tisheng point list）"
ENV_HELP = f"信息化环境：{'、'.join(ENVIRONMENTS)}（不填则与本校相同）"


def register(sub, common) -> None:
    p = sub.add_parser("point", parents=[common], help="教学点及其教师",
                       description="管理本校的教学点（村小、教学点等）：信息化环境、地址，以及哪些教师在教学点任教。"
                                   "不在任何教学点的教师属于校本部。教学点用名称或编号指定。")
    ps = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = ps.add_parser("add", parents=[common], help="新增教学点")
    a.add_argument("--name", required=True, help="名称，如 东山教学点")
    a.add_argument("--environment", default="", help=ENV_HELP)
    a.add_argument("--address", default="", help="地址")
    a.add_argument("--note", default="", help="备注")
    a.set_defaults(func=cmd_add)
    ls = ps.add_parser("list", parents=[common], help="列出教学点及各点教师人数")
    ls.set_defaults(func=cmd_list)
    sh = ps.add_parser("show", parents=[common], help="查看教学点及其教师")
    sh.add_argument("point", metavar="教学点", help=POINT_HELP)
    sh.set_defaults(func=cmd_show)
    st = ps.add_parser("set", parents=[common], help="修改教学点")
    st.add_argument("point", metavar="教学点", help=POINT_HELP)
    st.add_argument("--name", help="名称")
    st.add_argument("--environment", help=ENV_HELP)
    st.add_argument("--address", help="地址")
    st.add_argument("--note", help="备注")
    st.set_defaults(func=cmd_set)
    rm = ps.add_parser("remove", parents=[common], help="删除教学点（该点教师改为属于校本部）")
    rm.add_argument("point", metavar="教学点", help=POINT_HELP)
    rm.add_argument("--yes", action="store_true", help="确认删除仍有教师的教学点")
    rm.set_defaults(func=cmd_remove)
    asg = ps.add_parser("assign", parents=[common], help="把教师安排到教学点")
    asg.add_argument("point", metavar="教学点", help=POINT_HELP)
    asg.add_argument("teachers", metavar="教师", nargs="+", help="工号、身份证号或姓名，可列多位")
    asg.set_defaults(func=cmd_assign)
    un = ps.add_parser("unassign", parents=[common], help="让教师回到校本部（不属于任何教学点）")
    un.add_argument("teachers", metavar="教师", nargs="+", help="工号、身份证号或姓名，可列多位")
    un.set_defaults(func=cmd_unassign)


def _at(point, by_id) -> list:
    return [t for t in by_id.values() if t.teaching_point == point.name]


def _point_json(point, by_id) -> dict:
    return asdict(point) | {"teachers": [brief(t) for t in _at(point, by_id)]}


def _choice_problems(ws, ids) -> dict[int, list[str]]:
    """What the 能力点 rule says about each teacher's chosen points where they now work."""
    out = {}
    for tid in ids:
        codes = [p.code for p in choices.current_choices(ws, tid)]
        if codes:
            out[tid] = choices.check_selection(ws, tid, codes).problems
    return out


def _warn_new_problems(ws, ids, before: dict[int, list[str]]) -> list[str]:
    """A teacher's environment follows their 教学点: a move may put chosen points out of reach.
    The move stands (it is where the teacher works); the new problems are said on stderr."""
    by_id = roster(ws)
    found = [f"{by_id[tid].name}：{p}" for tid, problems in _choice_problems(ws, ids).items()
             for p in problems if p not in before.get(tid, [])]
    for line in found:
        sys.stderr.write(f"提醒：{line}。请调整其能力点（tisheng choose）。\n")
    return found


def _saved(args, ws, point, verb: str) -> int:
    if args.json:
        print_json(_point_json(point, roster(ws)))
    else:
        print(f"{verb}教学点“{point.name}”（编号 {point.id}，{point.environment or '信息化环境同本校'}），"
              f"教师 {point.teacher_count} 人。")
    return 0


def cmd_add(args, ws_opener) -> int:
    ws = ws_opener()
    return _saved(args, ws, school.add_teaching_point(ws, args.name, args.environment, args.address, args.note),
                  "已新增")


def cmd_set(args, ws_opener) -> int:
    ws = ws_opener()
    point = school.find_teaching_point(ws, args.point)
    there = [t.id for t in _at(point, roster(ws))]
    before = _choice_problems(ws, there)
    point = school.update_teaching_point(ws, point.id, name=args.name, environment=args.environment,
                                         address=args.address, note=args.note)
    _warn_new_problems(ws, there, before)
    return _saved(args, ws, point, "已保存")


def cmd_list(args, ws_opener) -> int:
    ws = ws_opener()
    rows = school.list_teaching_points(ws)
    if args.json:
        by_id = roster(ws)
        print_json([_point_json(r, by_id) for r in rows])
        return 0
    print_table(["编号", "名称", "信息化环境", "教师人数", "地址", "备注"],
                [[r.id, r.name, r.environment or "同本校", r.teacher_count, r.address, r.note] for r in rows])
    print(f"共 {len(rows)} 个教学点")
    return 0


def cmd_show(args, ws_opener) -> int:
    ws = ws_opener()
    point, by_id = school.find_teaching_point(ws, args.point), roster(ws)
    if args.json:
        print_json(_point_json(point, by_id))
        return 0
    for label, value in (("教学点", point.name), ("编号", point.id), ("信息化环境", point.environment or "同本校"),
                         ("地址", point.address), ("备注", point.note)):
        if value:
            print(f"{label}：{value}")
    people = _at(point, by_id)
    if not people:
        print("该教学点尚无教师。")
        return 0
    print(f"教师 {len(people)} 人：")
    print_table(["工号", "姓名", "学科", "状态"], [[t.staff_no, t.name, t.subject, t.status] for t in people])
    return 0


def cmd_remove(args, ws_opener) -> int:
    ws = ws_opener()
    point, by_id = school.find_teaching_point(ws, args.point), roster(ws)
    people = _at(point, by_id)
    if people:
        require_yes(args, f"教学点“{point.name}”还有 {len(people)} 位教师（{names(people)}），删除后他们将改为属于校本部"
                          "（按本校信息化环境选点）。如要调到其他教学点，请先用 tisheng point assign。")
    school.remove_teaching_point(ws, point.id)
    print_json({"removed": _point_json(point, by_id)}) if args.json else print(f"已删除教学点“{point.name}”。")
    return 0


def _change(args, ws, point_id: int | None) -> int:
    ids = [t.id for t in teachers.resolve_many(ws, args.teachers)]
    before = _choice_problems(ws, ids)
    change = school.assign_teaching_point(ws, point_id, ids)
    warnings = _warn_new_problems(ws, ids, before)
    if args.json:
        print_json({"point": _point_json(change.point, roster(ws)) if change.point else None,
                    "teachers": [asdict(t) for t in change.teachers], "warnings": warnings})
        return 0
    where = f"教学点“{change.point.name}”" if change.point else "校本部"

    def label(t) -> str:
        who = f"{t.name}（{t.staff_no}）" if t.staff_no else t.name
        before = t.previous_point or "校本部"
        return who + ("（本来就在此）" if before == (change.point.name if change.point else "校本部")
                      else f"，原在{before}")

    print(f"已将 {len(change.teachers)} 位教师安排到{where}：" + "；".join(label(t) for t in change.teachers) + "。")
    return 0


def cmd_assign(args, ws_opener) -> int:
    ws = ws_opener()
    return _change(args, ws, school.find_teaching_point(ws, args.point).id)


def cmd_unassign(args, ws_opener) -> int:
    return _change(args, ws_opener(), None)
