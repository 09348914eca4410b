"""teacher add | list | show | set | remove."""

from __future__ import annotations

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.errors import RuleViolation
from app.vocab import STAFF_TYPES, STATUSES

teachers = lazy("app.services.teachers")

OPTIONAL = (("gender", "性别：男/女（默认按身份证号判断）"), ("phone", "联系电话"), ("subject", "任教学科"),
            ("stage", "学段"), ("title", "职称"), ("staff-no", "工号"), ("teaching-point", "所在教学点"),
            ("group", "学科研修组"), ("status-reason", "状态原因（免修时必填）"), ("retire-date", "退休日期"),
            ("note", "备注"), ("participation", "参训意愿：按方案、自愿参加（方案不要求时仍参加）、不参加（方案允许自愿不参加时）"))


def _add_fields(p, *, required: bool) -> None:
    p.add_argument("--name", required=required, help="姓名")
    p.add_argument("--id-number", required=required, help="18位身份证号")
    for field, label in OPTIONAL:
        p.add_argument(f"--{field}", help=label)
    p.add_argument("--staff-type", choices=STAFF_TYPES, help="编制类型")
    p.add_argument("--status", choices=STATUSES, help="状态")


def _values(args) -> dict:
    keys = ["name", "id_number", "staff_type", "status"] + [f.replace("-", "_") for f, _ in OPTIONAL]
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}


def register(sub, common) -> None:
    p = sub.add_parser("teacher", parents=[common], help="管理教师名单")
    ts = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = ts.add_parser("add", parents=[common], help="添加教师")
    _add_fields(a, required=True)
    a.set_defaults(func=cmd_add)
    ls = ts.add_parser("list", parents=[common], help="列出教师")
    ls.add_argument("--search", default="", help="按姓名、学科、工号筛选")
    ls.add_argument("--unmask-personal", action="store_true", help="显示完整身份证号和电话")
    ls.set_defaults(func=cmd_list)
    sh = ts.add_parser("show", parents=[common], help="查看一位教师")
    sh.add_argument("teacher", metavar="教师", help="工号、身份证号或姓名")
    sh.add_argument("--unmask-personal", action="store_true", help="显示完整身份证号和电话")
    sh.set_defaults(func=cmd_show)
    st = ts.add_parser("set", parents=[common], help="修改教师信息")
    st.add_argument("teacher", metavar="教师", help="工号、身份证号或姓名")
    _add_fields(st, required=False)
    st.set_defaults(func=cmd_set)
    rm = ts.add_parser("remove", parents=[common], help="删除教师（连同其学时、选点、证据等）")
    rm.add_argument("teacher", metavar="教师", help="工号、身份证号或姓名")
    rm.add_argument("--yes", action="store_true", help="确认删除（不加则只显示将删除的内容）")
    rm.set_defaults(func=cmd_remove)


def cmd_add(args, ws_opener) -> int:
    row = teachers.add_teacher(ws_opener(), **_values(args))
    print_json(row.to_dict()) if args.json else print(f"已添加教师：{row.label}，身份证 {row.id_masked}")
    return 0


def cmd_list(args, ws_opener) -> int:
    rows = teachers.list_teachers(ws_opener(), args.search)
    if args.json:
        print_json([r.to_dict(unmask=args.unmask_personal) for r in rows])
        return 0
    print_table(["工号", "姓名", "性别", "学科", "编制", "研修组", "状态", "身份证号"],
                [[r.staff_no, r.name, r.gender, r.subject, r.staff_type, r.group, r.status,
                  r.id_number if args.unmask_personal else r.id_masked] for r in rows])
    print(f"共 {len(rows)} 人")
    return 0


def cmd_show(args, ws_opener) -> int:
    ws = ws_opener()
    row = teachers.resolve(ws, args.teacher)
    d = row.to_dict(unmask=args.unmask_personal)
    if args.json:
        print_json(d)
    else:
        for key, label in teachers.FIELD_LABELS.items():
            if d.get(key):
                print(f"{label}：{d[key]}")
    return 0


def cmd_set(args, ws_opener) -> int:
    ws = ws_opener()
    row = teachers.update_teacher(ws, teachers.resolve(ws, args.teacher).id, **_values(args))
    print_json(row.to_dict()) if args.json else print(f"已保存：{row.label}")
    return 0


def cmd_remove(args, ws_opener) -> int:
    ws = ws_opener()
    row = teachers.resolve(ws, args.teacher)
    impact = teachers.deletion_impact(ws, row.id)
    if not args.yes:
        raise RuleViolation(impact.describe() + " 确认删除请加 --yes。")
    teachers.remove_teacher(ws, row.id)
    print_json({"removed": row.name}) if args.json else print(f"已删除教师：{row.name}")
    return 0
