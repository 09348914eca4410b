"""init, programmes, school, demo."""

from __future__ import annotations

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.vocab import DEFAULT_PRESET, ENVIRONMENTS

programmes = lazy("app.services.programmes")
school = lazy("app.services.school")


def register(sub, common) -> None:
    p = sub.add_parser("init", parents=[common], help="建立学校并选择项目方案",
                       description="在数据文件夹中建立学校信息，并选择本校执行的项目方案（规则）。")
    p.add_argument("--name", required=True, help="学校名称")
    p.add_argument("--code", required=True, help="学校代码（字母数字，如教育部学校标识码）")
    p.add_argument("--environment", required=True, choices=ENVIRONMENTS, help="信息化环境")
    p.add_argument("--programme", default=DEFAULT_PRESET,
                   help="项目方案编号（见 tisheng programmes），默认 national-2.0")
    p.add_argument("--stage", default="", help="学段，如 小学、初中")
    p.add_argument("--district", default="", help="所属区县")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("programmes", parents=[common], help="列出内置项目方案",
                       description="列出软件自带的项目方案（规则模板）及其来源。")
    p.set_defaults(func=cmd_programmes)

    p = sub.add_parser("school", parents=[common], help="查看或修改学校信息")
    ss = p.add_subparsers(dest="action", metavar="操作")
    show = ss.add_parser("show", parents=[common], help="显示学校信息")
    show.set_defaults(func=cmd_school_show)
    st = ss.add_parser("set", parents=[common], help="修改学校信息")
    for field, label in (("name", "学校名称"), ("code", "学校代码"), ("stage", "学段"), ("district", "区县"),
                         ("address", "地址"), ("contact-phone", "办公电话"), ("school-year", "学年")):
        st.add_argument(f"--{field}", help=label)
    st.add_argument("--environment", choices=ENVIRONMENTS, help="信息化环境")
    st.add_argument("--programme", help="改用另一个项目方案（规则会被替换）")
    st.set_defaults(func=cmd_school_set)
    p.set_defaults(func=cmd_school_show)

    p = sub.add_parser("demo", parents=[common], help="建立示例学校",
                       description="在数据文件夹中建立一所示例学校（约40位教师、团队、方案、选点、学时、证据、考核），"
                                   "便于熟悉软件。数据文件夹必须为空。")
    p.add_argument("--teachers", type=int, default=40, help="教师人数（默认40）")
    p.add_argument("--programme", default=DEFAULT_PRESET, help="项目方案编号")
    p.set_defaults(func=cmd_demo)


def cmd_init(args, ws_opener) -> int:
    row = school.init_school(ws_opener(), name=args.name, code=args.code, environment=args.environment,
                             programme_id=args.programme, stage=args.stage, district=args.district)
    if args.json:
        print_json(row)
    else:
        print(f"已建立学校：{row.name}（{row.code}），{row.environment}环境，项目方案：{row.programme_name}")
    return 0


def cmd_programmes(args, ws_opener) -> int:
    rows = programmes.list_presets()
    if args.json:
        print_json([{"id": r.id, "name": r.name, "source": r.source, "source_file": r.source_file,
                     "summary": r.summary} for r in rows])
    else:
        print_table(["编号", "名称", "来源"], [[r.id, r.name, r.source] for r in rows])
    return 0


def cmd_school_show(args, ws_opener) -> int:
    row = school.get_school(ws_opener())
    if row is None:
        message = "尚未建立学校。请运行 tisheng init 或 tisheng demo。"
        print_json({"ok": False, "error": message, "exit": 1}) if args.json else print(message)
        return 1
    if args.json:
        print_json(row)
    else:
        for label, value in (("学校", row.name), ("代码", row.code), ("学段", row.stage), ("区县", row.district),
                             ("信息化环境", row.environment), ("学年", row.school_year),
                             ("项目方案", f"{row.programme_name}（{row.programme_id}）")):
            print(f"{label}：{value}")
    return 0


def cmd_school_set(args, ws_opener) -> int:
    ws = ws_opener()
    changes = {k: getattr(args, k) for k in ("name", "code", "stage", "district", "address", "contact_phone",
                                             "school_year", "environment") if getattr(args, k) is not None}
    row = school.update_school(ws, **changes) if changes else school.get_school(ws)
    if args.programme:
        row = school.change_programme(ws, args.programme)
    if args.json:
        print_json(row)
    else:
        print(f"已保存：{row.name}（{row.code}），{row.environment}环境，项目方案：{row.programme_name}")
    return 0


def cmd_demo(args, ws_opener) -> int:
    from app.services.demo_setup import create_demo_in
    info = create_demo_in(ws_opener(), teachers=args.teachers, programme_id=args.programme)
    if args.json:
        print_json(info)
    else:
        print(f"已建立示例学校“{info['school']}”：{info['teachers']} 位教师，{info['evidence_files']} 个证据文件。")
        print("运行 tisheng check 查看未达标事项，或直接运行 tisheng 打开软件。")
    return 0
