"""template roster|hours FILE · import roster|hours FILE · report FILE."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.output import print_json


def register(sub, common) -> None:
    t = sub.add_parser("template", parents=[common], help="生成 Excel 导入模板（花名册或学时）")
    t.add_argument("kind", choices=["roster", "hours"], metavar="类型",
                   help="roster＝教师花名册，hours＝学时记录")
    t.add_argument("file", metavar="文件", help="保存为（.xlsx）")
    t.set_defaults(func=cmd_template)

    imp = sub.add_parser("import", parents=[common], help="从 Excel/CSV 导入教师花名册或学时")
    kinds = imp.add_subparsers(dest="kind", metavar="类型", required=True)
    r = kinds.add_parser("roster", parents=[common], help="导入教师花名册（.xlsx / .csv / .xls）")
    r.add_argument("file", metavar="文件", help="要导入的文件")
    r.add_argument("--dry-run", action="store_true", help="只检查，不写入任何数据")
    r.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，只导入正确的行")
    r.set_defaults(func=cmd_import)
    h = kinds.add_parser("hours", parents=[common], help="导入学时（平台导出表或本软件模板）")
    h.add_argument("file", metavar="文件", help="要导入的文件")
    h.add_argument("--dry-run", action="store_true", help="只检查，不写入任何数据")
    h.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，只导入正确的行")
    h.set_defaults(func=cmd_import)

    rep = sub.add_parser("report", parents=[common], help="生成学校汇总表（.xlsx）")
    rep.add_argument("file", metavar="文件", help="保存为（.xlsx）")
    rep.add_argument("--unmask-personal", action="store_true", help="显示完整身份证号和电话（默认隐去中间几位）")
    rep.set_defaults(func=cmd_report)


def _xlsx_dest(name: str) -> Path:
    path = Path(name).expanduser()
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    return path


def cmd_template(args, ws_opener) -> int:
    from app.services.excel.templates import write_template
    dest = write_template(ws_opener(), args.kind, _xlsx_dest(args.file))
    what = "教师花名册" if args.kind == "roster" else "学时"
    if args.json:
        print_json({"ok": True, "kind": args.kind, "file": str(dest)})
    else:
        print(f"已生成{what}导入模板：{dest}")
    return 0


def cmd_import(args, ws_opener) -> int:
    from app.services import excel             # its parts load on first use: only the importer asked for
    path = Path(args.file).expanduser()
    if args.kind == "roster":
        import importlib

        from app.services.excel.roster_read import read_with_teachers

        def load_checks() -> None:                # the row checks, loaded while the file is parsed
            importlib.import_module("app.services.excel.roster_import")
        with read_with_teachers(path, ws_opener, also=load_checks, backup=not args.dry_run) as (table, early):
            result = excel.import_roster(ws_opener(), table, dry_run=args.dry_run, skip_invalid=args.skip_invalid,
                                         early=early)
    else:                                        # hours: its columns depend on the school's programme
        result = excel.import_hours(ws_opener(), path, dry_run=args.dry_run,   # (and it loads the ORM)
                                    skip_invalid=args.skip_invalid)
    if args.json:
        print_json(result.to_dict())
        return 0 if result.ok else 1
    out = sys.stdout
    out.write(f"文件：{path.name}（工作表“{result.sheet}”）\n")
    for note in result.notices:
        out.write(f"  · {note}\n")
    if result.errors:
        out.write(f"发现 {len(result.errors)} 处错误：\n")
        for p in result.errors:
            out.write(f"  {p.describe()}\n")
    if result.warnings:
        out.write("提醒：\n")
        for p in result.warnings:
            out.write(f"  {p.describe()}\n")
    out.write(result.summary() + "\n")
    if result.backup is not None:
        out.write(f"导入前已自动备份原有数据：{result.backup.name}（数据文件夹的 backups 目录）\n")
    if result.cli_hint:
        out.write(f"提示：{result.cli_hint}\n")
    if result.error_workbook:
        out.write(f"已生成错误标注文件（出错的单元格标为红色并附批注）：{result.error_workbook}\n")
    return 0 if result.ok else 1


def cmd_report(args, ws_opener) -> int:
    from app.services.excel.report import write_report
    dest = write_report(ws_opener(), _xlsx_dest(args.file), unmask=args.unmask_personal)
    if args.json:
        print_json({"ok": True, "file": str(dest), "unmasked": bool(args.unmask_personal)})
    else:
        print(f"已生成学校汇总表：{dest}" + ("（含完整身份证号和电话，请妥善保管）" if args.unmask_personal else ""))
    return 0
