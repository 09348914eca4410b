"""programme show | set | reset | export | import | document: the school's rules and their sources."""

from __future__ import annotations

from pathlib import Path

from app.cli.lazy import lazy
from app.cli.output import print_json

adjust = lazy("app.services.programmes.adjust")
presets = lazy("app.services.programmes.presets")
schema = lazy("app.services.programmes.schema")


def register(sub, common) -> None:
    p = sub.add_parser("programme", parents=[common], help="查看或调整本校的项目方案（规则及其依据）",
                       description="本校执行的项目方案：每条规则的要求、依据的文件原文，以及与内置方案相比的调整。")
    ps = p.add_subparsers(dest="action", metavar="操作")
    sh = ps.add_parser("show", parents=[common], help="显示每条规则、依据和调整记录")
    sh.add_argument("--key", metavar="规则", help="只看这一条规则（如 hours.total_min）")
    sh.set_defaults(func=cmd_show)
    st = ps.add_parser("set", parents=[common], help="调整一条规则",
                       description="把一条规则改为给出的值，或启用/停用它。例如："
                                   "programme set hours.total_min 60；programme set hours.categories.网络研修.min 30；"
                                   "programme set micro.range A1,A3,A5,B2；programme set assessment.support on。"
                                   "值不合规则时给出说明，不作任何更改。")
    st.add_argument("key", metavar="规则", help="规则名（见 programme show），可用“.”指向其中一项")
    st.add_argument("value", metavar="值", help="新的值（数字、文字、逗号分隔的列表或 JSON），或 on/off（启用/停用）")
    st.add_argument("--by", metavar="姓名", help="调整人（默认为本机登录名）")
    st.add_argument("--source", metavar="依据", default="", help="新规则的依据（文件名称和原文）")
    st.add_argument("--note", metavar="说明", default="", help="调整的原因")
    st.set_defaults(func=cmd_set)
    rs = ps.add_parser("reset", parents=[common], help="恢复为内置方案（一条规则或整个方案）")
    rs.add_argument("key", metavar="规则", nargs="?", help="只恢复这一条规则；不写则恢复整个方案")
    rs.add_argument("--by", metavar="姓名", help="调整人")
    rs.set_defaults(func=cmd_reset)
    ex = ps.add_parser("export", parents=[common], help="把本校的项目方案导出为文件（可在别的学校导入）")
    ex.add_argument("file", metavar="文件", type=Path, help="目标文件（.json）")
    ex.set_defaults(func=cmd_export)
    im = ps.add_parser("import", parents=[common], help="从文件导入项目方案（替换本校现行方案）")
    im.add_argument("file", metavar="文件", type=Path, help="项目方案文件（.json）")
    im.add_argument("--by", metavar="姓名", help="调整人")
    im.add_argument("--district-key", default=None,
                    help="区县发布的签名方案：区县公钥文件或公钥指纹（已登记区县公钥时不用填）")
    im.set_defaults(func=cmd_import)
    doc = ps.add_parser("document", parents=[common], help="显示本校方案依据的文件全文")
    doc.set_defaults(func=cmd_document)
    p.set_defaults(func=cmd_show, key=None)


def _print_view(view: adjust.ProgrammeView, only: str | None = None) -> None:
    print(f"项目方案：{view.name}")
    if view.document_title:
        print(f"依据文件：{view.document_title}")
    base = (f"内置方案“{view.preset_name}”" + ("，已调整" if view.adjusted else "，未调整")) if view.preset_name \
        else "自定义方案（不是由内置方案而来）"
    print(f"来源：{base}；方案哈希 {view.applied_hash[:16]}")
    for group in schema.GROUPS:
        rules = [r for r in view.rules if r.group == group and (only is None or r.key == only)]
        if not rules:
            continue
        print(f"\n【{group}】")
        for r in rules:
            state = "" if r.on else "（未启用）"
            print(f"  {r.label}{state}：{r.text}    [{r.key}]")
            if r.basis:
                print(f"    依据：{r.basis}")
            if r.note:
                print(f"    说明：{r.note}")
            if r.changed:
                what = "学校选定" if r.school_choice else "已调整"
                print(f"    {what}：内置方案为 {r.preset_text}")
    if view.changes and only is None:
        print("\n【调整记录】")
        for c in view.changes:
            who = f"（{c.by}）" if c.by else ""
            print(f"  {c.at}{who} {c.label}：{c.before} → {c.after}" + (f"；{c.note}" if c.note else ""))
    for n in view.notes if only is None else []:
        print(f"注：{n}")


def cmd_show(args, ws_opener) -> int:
    view = adjust.show_programme(ws_opener())
    if args.key:
        from app.services.programmes.schema import spec
        spec(args.key)
    if args.json:
        d = view.to_dict()
        if args.key:
            d["rules"] = [r for r in d["rules"] if r["key"] == args.key]
        print_json(d)
    else:
        _print_view(view, args.key)
    return 0


def cmd_set(args, ws_opener) -> int:
    row = adjust.set_rule(ws_opener(), args.key, args.value, by=args.by, source=args.source, note=args.note)
    if args.json:
        print_json(row.to_dict())
    else:
        print(f"已调整：{row.label}：{row.text}{'' if row.on else '（未启用）'}")
        if row.changed:
            print(f"  内置方案为：{row.preset_text}")
    return 0


def cmd_reset(args, ws_opener) -> int:
    view = adjust.reset_rule(ws_opener(), args.key, by=args.by)
    if args.json:
        print_json(view.to_dict())
    else:
        print("已恢复为内置方案" + (f"的“{args.key}”" if args.key else "") + "。")
    return 0


def cmd_export(args, ws_opener) -> int:
    digest = adjust.export_programme(ws_opener(), args.file)
    if args.json:
        print_json({"ok": True, "file": str(args.file), "hash": digest})
    else:
        print(f"已导出项目方案：{args.file}（方案哈希 {digest[:16]}）")
    return 0


def cmd_import(args, ws_opener) -> int:
    signed = Path(str(args.file) + ".minisig").is_file() or args.district_key
    if signed:      # the district's published programme: its signature is checked first
        from app.services.district_link import import_published_programme
        view = import_published_programme(ws_opener(), args.file, district_key=args.district_key, by=args.by)
    else:
        view = adjust.import_programme(ws_opener(), args.file, by=args.by)
    if args.json:
        print_json(view.to_dict())
    else:
        print(f"已导入项目方案：{view.name}（方案哈希 {view.applied_hash[:16]}）")
        if view.preset_name:
            n = len(view.differences)
            print(f"与内置方案“{view.preset_name}”相比：" + (f"{n} 条规则不同" if n else "完全相同"))
    return 0


def cmd_document(args, ws_opener) -> int:
    view = adjust.show_programme(ws_opener())
    text = presets.source_text(view.document_file) if view.document_file else ""
    if args.json:
        print_json({"title": view.document_title, "file": view.document_file, "text": text})
    elif text:
        print(f"《{view.document_title}》\n")
        print(text)
    else:
        print(f"本校方案依据：{view.document_title or view.name}（软件中没有该文件的全文）。")
    return 0
