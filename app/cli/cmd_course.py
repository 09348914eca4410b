"""course add | list | show | set | remove: 校本研修课程, whose participants earn its hours."""

from __future__ import annotations

from dataclasses import asdict

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.cli.teacher_brief import briefs, names, require_yes, roster
from app.errors import ValidationError
from app.vocab import COURSE_STATUSES

courses = lazy("app.services.courses")
teachers = lazy("app.services.teachers")

COURSE_HELP = "课程名称或编号（见 tisheng course list）"


def register(sub, common) -> None:
    p = sub.add_parser("course", parents=[common], help="校本研修课程（参加教师计入学时）",
                       description="管理校本研修课程。每位参加教师按课程学时计入所选学时类别"
                                   "（见 tisheng hours list，来源为“校本课程”）。课程用名称或编号指定。")
    cs = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = cs.add_parser("add", parents=[common], help="登记校本研修课程")
    a.add_argument("--title", required=True, help="名称，如 微课设计与制作工作坊")
    a.add_argument("--semester", required=True, help="学期，如 2026-2027学年第一学期")
    a.add_argument("--hours", required=True, help="学时（每位参加教师计入）")
    _fields(a)
    a.set_defaults(func=cmd_add)
    ls = cs.add_parser("list", parents=[common], help="列出校本研修课程")
    ls.set_defaults(func=cmd_list)
    sh = cs.add_parser("show", parents=[common], help="查看课程及参加教师")
    sh.add_argument("course", metavar="课程", help=COURSE_HELP)
    sh.set_defaults(func=cmd_show)
    st = cs.add_parser("set", parents=[common], help="修改课程（参加教师的学时随之更新）")
    st.add_argument("course", metavar="课程", help=COURSE_HELP)
    st.add_argument("--title", help="名称")
    st.add_argument("--semester", help="学期")
    st.add_argument("--hours", help="学时")
    _fields(st)
    st.set_defaults(func=cmd_set)
    rm = cs.add_parser("remove", parents=[common], help="删除课程（连同参加教师由此获得的学时）")
    rm.add_argument("course", metavar="课程", help=COURSE_HELP)
    rm.add_argument("--yes", action="store_true", help="确认删除有参加教师的课程")
    rm.set_defaults(func=cmd_remove)


def _fields(p) -> None:
    p.add_argument("--category", help="学时类别（不填则计入本校方案的实践类学时）")
    p.add_argument("--lead", help="主讲（负责人），如 王老师")
    p.add_argument("--status", help=f"状态：{'、'.join(COURSE_STATUSES)}（默认已申报）")
    p.add_argument("--note", help="备注")
    p.add_argument("--participants", nargs="*", metavar="教师",
                   help="参加教师：工号、身份证号或姓名，可列多位（修改时替换原名单；不列名字则清空）")
    p.add_argument("--all", action="store_true", help="全体在岗教师参加")


def _participants(args, ws) -> list[int] | None:
    if args.all and args.participants is not None:
        raise ValidationError("--participants 与 --all 只能选一个。", field="participants")
    if args.all:
        return [t.id for t in teachers.list_teachers(ws) if t.status == "在岗"]
    if args.participants:
        return [t.id for t in teachers.resolve_many(ws, args.participants)]
    return [] if args.participants is not None else None


def _course_json(row, by_id) -> dict:
    return asdict(row) | {"participants": briefs(row.participant_ids, by_id)}


def _print_course(row, by_id) -> None:
    for label, value in (("课程", row.title), ("编号", row.id), ("学期", row.semester or "（未注明）"),
                         ("学时", f"{row.hours:g}"), ("学时类别", row.category), ("负责人", row.lead),
                         ("状态", row.status), ("备注", row.note)):
        if value:
            print(f"{label}：{value}")
    people = [by_id[i] for i in row.participant_ids if i in by_id]
    print(f"参加教师 {len(people)} 人" + (f"：{'、'.join(t.label for t in people)}" if people else "。"))


def _saved(args, ws, row) -> int:
    by_id = roster(ws)
    if args.json:
        print_json(_course_json(row, by_id))
    else:
        print(f"已保存校本研修课程“{row.title}”（编号 {row.id}，{row.semester or '未注明学期'}），"
              f"{len(row.participant_ids)} 人各计 {row.hours:g} 学时（{row.category}）。")
    return 0


def cmd_add(args, ws_opener) -> int:
    ws = ws_opener()
    ids = _participants(args, ws)
    row = courses.save_course(ws, None, ids if ids is not None else [], title=args.title,
                              semester=args.semester, hours=args.hours, category=args.category,
                              lead=args.lead, status=args.status, note=args.note)
    return _saved(args, ws, row)


def cmd_set(args, ws_opener) -> int:
    ws = ws_opener()
    row = courses.find_course(ws, args.course)
    ids = _participants(args, ws)
    values = {k: getattr(row, k) if getattr(args, k) is None else getattr(args, k)
              for k in ("title", "semester", "hours", "category", "lead", "status", "note")}
    return _saved(args, ws, courses.save_course(ws, row.id, ids, **values))


def cmd_list(args, ws_opener) -> int:
    ws = ws_opener()
    rows = courses.list_courses(ws)
    if args.json:
        by_id = roster(ws)
        print_json([_course_json(r, by_id) for r in rows])
        return 0
    print_table(["编号", "学期", "课程", "学时", "类别", "负责人", "状态", "人数"],
                [[r.id, r.semester, r.title, f"{r.hours:g}", r.category, r.lead, r.status, len(r.participant_ids)]
                 for r in rows])
    print(f"共 {len(rows)} 门课程")
    return 0


def cmd_show(args, ws_opener) -> int:
    ws = ws_opener()
    row = courses.find_course(ws, args.course)
    by_id = roster(ws)
    print_json(_course_json(row, by_id)) if args.json else _print_course(row, by_id)
    return 0


def cmd_remove(args, ws_opener) -> int:
    ws = ws_opener()
    row = courses.find_course(ws, args.course)
    by_id = roster(ws)
    if row.participant_ids:
        people = [by_id[i] for i in row.participant_ids if i in by_id]
        require_yes(args, f"校本研修课程“{row.title}”有 {len(people)} 位参加教师（{names(people)}），"
                          f"删除课程将同时删除他们由此课程获得的学时（每人 {row.hours:g} 学时）。")
    courses.remove_course(ws, row.id)
    print_json({"removed": _course_json(row, by_id)}) if args.json else print(f"已删除校本研修课程“{row.title}”。")
    return 0
