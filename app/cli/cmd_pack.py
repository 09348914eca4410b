"""pack create | list | show | open | attach | hours | activity | choose | undo | finish | merge | sheet: 采集包.

At the central school: `create` writes a pack for a 教学点, a 研修组 or some teachers onto a stick,
`list` shows the packs out, `merge` checks a returned pack and merges it (`--dry-run` only shows).
At the teaching point (no school data folder needed): `open` opens the collecting window, and
`show`, `attach`, `hours`, `activity`, `choose`, `undo`, `finish` do the same from the command line.
"""

from __future__ import annotations

from pathlib import Path

from app.cli.lazy import lazy
from app.cli.output import print_json, print_table
from app.errors import ValidationError
from app.vocab import TAKE_POINT, TAKE_SCHOOL

collect = lazy("app.services.packs.collect")
create = lazy("app.services.packs.create")
registry = lazy("app.services.packs.registry")
seal = lazy("app.services.packs.seal")
folder = lazy("app.services.packs.folder")
merge = lazy("app.services.packs.merge")

PATH_HELP = "U盘上的采集包文件夹"


def register(sub, common) -> None:
    p = sub.add_parser("pack", parents=[common], help="教学点采集包（U盘离线采集，交回后合并）",
                       description="中心校为教学点（或研修组、若干教师）生成采集包写到U盘；教学点用本软件在U盘上采集"
                                   "证据、学时、活动和能力点，“完成采集”后交回；中心校预览后合并。")
    ps = p.add_subparsers(dest="action", metavar="操作", required=True)
    c = ps.add_parser("create", parents=[common], help="生成采集包（中心校）")
    c.add_argument("dest", metavar="目标文件夹", type=Path, help="U盘或其中的文件夹")
    who = c.add_mutually_exclusive_group(required=True)
    who.add_argument("--point", help="教学点名称或编号")
    who.add_argument("--group", help="研修组名称或编号")
    who.add_argument("--teacher", nargs="+", help="教师（工号、身份证号或姓名），可列多位")
    c.add_argument("--by", default="", help="经办人姓名（记入操作日志，默认为电脑登录名）")
    c.add_argument("--replace", action="store_true", help="这些教师已有未收回的采集包时，作废原采集包后生成新的")
    c.add_argument("--sheet", type=Path, help="同时把一页使用说明保存为 PDF 文件")
    c.set_defaults(func=cmd_create)
    ls = ps.add_parser("list", parents=[common], help="列出已生成的采集包及是否收回（中心校）")
    ls.set_defaults(func=cmd_list)
    for name, helptext, func in (("show", "查看采集包内容和还缺什么（教学点）", cmd_show),
                                 ("open", "打开采集窗口（教学点；加 --json 则只输出内容）", cmd_open)):
        x = ps.add_parser(name, parents=[common], help=helptext)
        x.add_argument("path", metavar="采集包", help=PATH_HELP)
        x.set_defaults(func=func)
    a = ps.add_parser("attach", parents=[common], help="为教师的证据项目添加文件（教学点）")
    a.add_argument("path", metavar="采集包", help=PATH_HELP)
    a.add_argument("teacher", metavar="教师", help="工号或姓名")
    a.add_argument("code", metavar="能力点代码", help="能力点代码，个人项目用“个人”")
    a.add_argument("item", metavar="证据项目", help="证据项目序号或名称")
    a.add_argument("files", metavar="文件", nargs="+", type=Path, help="文件")
    a.add_argument("--replaces", type=int, help="替换学校已有的这个文件（编号见 pack show）")
    a.add_argument("--by", default="", help="采集人姓名")
    a.set_defaults(func=cmd_attach)
    h = ps.add_parser("hours", parents=[common], help="登记学时（教学点）")
    h.add_argument("path", metavar="采集包", help=PATH_HELP)
    h.add_argument("teacher", metavar="教师", help="工号或姓名")
    h.add_argument("--category", required=True, help="学时类别")
    h.add_argument("--hours", required=True, help="学时数")
    h.add_argument("--date", help="日期，如 2026-11-01")
    h.add_argument("--topic", default="", help="专题")
    h.add_argument("--note", default="", help="备注")
    h.add_argument("--by", default="", help="采集人姓名")
    h.set_defaults(func=cmd_hours)
    v = ps.add_parser("activity", parents=[common], help="登记培训活动，如送教下乡（教学点）")
    v.add_argument("path", metavar="采集包", help=PATH_HELP)
    v.add_argument("--title", required=True, help="活动名称")
    v.add_argument("--kind", default="送教下乡", help="活动类型（送教下乡、研讨交流、公开课等）")
    v.add_argument("--date", required=True, help="日期")
    v.add_argument("--hours", required=True, help="学时")
    v.add_argument("--category", required=True, help="计入的学时类别")
    v.add_argument("--teacher", nargs="+", required=True, help="参加教师（工号或姓名）")
    v.add_argument("--file", nargs="*", default=[], type=Path, help="附件（签到表、照片）")
    for k in ("topic", "location", "organiser", "note"):
        v.add_argument(f"--{k}", default="", help={"topic": "专题", "location": "地点", "organiser": "组织者",
                                                   "note": "备注"}[k])
    v.add_argument("--by", default="", help="采集人姓名")
    v.set_defaults(func=cmd_activity)
    ch = ps.add_parser("choose", parents=[common], help="调整教师的能力点（教学点，按项目方案规则检查）")
    ch.add_argument("path", metavar="采集包", help=PATH_HELP)
    ch.add_argument("teacher", metavar="教师", help="工号或姓名")
    ch.add_argument("codes", metavar="能力点代码", nargs="+", help="能力点代码")
    ch.add_argument("--confirm", action="store_true", help="确认取消已有证据的能力点（文件保留）")
    ch.add_argument("--by", default="", help="采集人姓名")
    ch.set_defaults(func=cmd_choose)
    u = ps.add_parser("undo", parents=[common], help="删除一条在教学点添加的记录（教学点）")
    u.add_argument("path", metavar="采集包", help=PATH_HELP)
    u.add_argument("record", metavar="记录编号", help="记录编号（pack show 中列出，写前几位即可）")
    u.set_defaults(func=cmd_undo)
    f = ps.add_parser("finish", parents=[common], help="完成采集：生成回收包，交回中心校（教学点）")
    f.add_argument("path", metavar="采集包", help=PATH_HELP)
    f.add_argument("--by", default="", help="采集人姓名")
    f.set_defaults(func=cmd_finish)
    m = ps.add_parser("merge", parents=[common], help="预览并合并交回的采集包（中心校）",
                      description="先核验回收包（本校发出、未被改动），再列出新证据、学时、活动、能力点和冲突。"
                                  "有冲突时须用 --prefer 或 --decide 决定采用哪一方，否则不合并。")
    m.add_argument("path", metavar="采集包", help=PATH_HELP)
    m.add_argument("--dry-run", action="store_true", help="只预览，不合并")
    m.add_argument("--prefer", choices=(TAKE_SCHOOL, TAKE_POINT), help="所有冲突都采用这一方")
    m.add_argument("--decide", nargs="+", default=[], metavar="编号=学校|教学点", help="逐项决定冲突，如 3=教学点")
    m.add_argument("--by", default="", help="经办人姓名（记入操作日志）")
    m.set_defaults(func=cmd_merge)
    sh = ps.add_parser("sheet", parents=[common], help="把采集包的一页使用说明保存为 PDF")
    sh.add_argument("path", metavar="采集包", help=PATH_HELP)
    sh.add_argument("pdf", metavar="文件", type=Path, help="PDF 文件")
    sh.set_defaults(func=cmd_sheet)


def _state_json(pack: "folder.PackFolder") -> dict:
    st = pack.state()
    doc = st.document
    return {"pack_id": doc.pack_id, "school": doc.school_name, "scope": {"kind": doc.scope_kind, "name": doc.scope_name},
            "issued_at": doc.issued_at.isoformat(), "programme": doc.rules.name, "sealed_seq": st.sealed_seq,
            "changes_since_seal": st.changes_since_seal,
            "damaged_changes": [p.__dict__ for p in pack.problems],
            "teachers": [{"id": t.teacher.id, "name": t.teacher.name, "id_number": t.teacher.id_masked,
                          "staff_no": t.teacher.staff_no, "exempt": t.teacher.exempt_reason, "points": list(t.choices),
                          "hours": t.counted.total, "todo": t.todo,
                          "files": [{"id": f.key, "item": f.item, "name": f.name, "origin": f.origin,
                                     "replaced": f.replaced} for e in t.items for f in e.files]}
                         for t in st.teachers],
            "missing": [m.__dict__ for m in st.missing()],
            "records": [{"id": c.id, "kind": c.kind, "teacher": c.teacher, "at": c.at.isoformat()}
                        for c in st.effective_changes]}


def _print_state(pack: "folder.PackFolder") -> None:
    st = pack.state()
    doc = st.document
    print(f"采集包：{doc.title}（编号 {doc.pack_id[:8].upper()}，{doc.issued_at:%Y-%m-%d} 生成）")
    print(f"位置：{pack.root}")
    print(f"项目方案：{doc.rules.name}")
    sealed = (f"已完成采集 {st.sealed_seq} 次" + (f"，之后又有 {st.changes_since_seal} 项更改未完成采集"
                                              if st.changes_since_seal else "")) if st.sealed_seq else "尚未完成采集"
    print(f"状态：{sealed}")
    for p in pack.problems:
        print(f"提醒：更改记录“{p.name}”已损坏（{p.problem}）")
    print_table(["教师", "身份证号", "能力点", "已计学时", "还缺"],
                [[t.teacher.label, t.teacher.id_masked, "、".join(t.choices) or "—", f"{t.counted.total:g}",
                  "免修/不作要求" if t.exempt else f"{t.todo} 项"] for t in st.teachers])
    missing = st.missing()
    if missing:
        print("\n还缺：")
        for m in missing:
            print(f"  {m.teacher}  {m.kind}  {m.what}")
    records = st.effective_changes
    if records:
        print("\n在教学点添加的记录（编号可用于 pack undo）：")
        for c in records:
            print(f"  {c.id[:8]}  {c.at:%m-%d %H:%M}  {_describe(st, c)}")


def _describe(st, c) -> str:
    doc = st.document
    who = doc.teacher(c.teacher).name if c.teacher and doc.teacher(c.teacher) else ""
    d = c.data
    if c.kind == "evidence_add":
        item = doc.items.get(d["item"])
        return f"{who} 证据 {item.label if item else ''}：{d['file'].name}" + ("（替换学校文件）" if d["replaces"] else "")
    if c.kind == "hours_add":
        return f"{who} 学时 {d['hours']:g}（{d['category']}）"
    if c.kind == "activity_add":
        return f"培训活动 {d['activity_kind']}“{d['title']}” {d['hours']:g} 学时，{len(d['teachers'])} 人"
    if c.kind == "choices_set":
        return f"{who} 能力点改为 {'、'.join(d['codes'])}"
    return c.kind


def cmd_create(args, ws_opener) -> int:
    ws = ws_opener()
    result = create.create_pack(ws, args.dest, point=args.point, group=args.group, teachers=args.teacher, by=args.by,
                                replace=args.replace)
    sheet = None
    if args.sheet:
        from app.services.packs.sheet import write_sheet
        sheet = write_sheet(result.preview.state, args.sheet)
    if args.json:
        print_json(result.to_dict() | {"sheet": str(sheet) if sheet else None})
        return 0
    st = result.preview.state
    print(("已完成上次中断的采集包：" if result.resumed else "已生成采集包：") + str(result.path))
    print(f"{result.pack.scope_kind}“{result.pack.scope_name}”，教师 {len(st.teachers)} 人，"
          f"编号 {result.pack.short_id}")
    print_table(["教师", "身份证号（已打码）", "能力点", "发包时还缺"],
                [[t.teacher.label, t.teacher.id_masked, "、".join(t.choices) or "—",
                  "免修/不作要求" if t.exempt else f"{t.todo} 项"] for t in st.teachers])
    for w in result.withdrawn:
        print(f"已作废原采集包：{w}")
    if sheet:
        print(f"使用说明已保存：{sheet}")
    return 0


def cmd_list(args, ws_opener) -> int:
    rows = registry.list_packs(ws_opener())
    if args.json:
        print_json([r.to_dict() for r in rows])
        return 0
    print_table(["编号", "对象", "教师", "生成时间", "经办人", "状态", "已合并"],
                [[r.short_id, f"{r.scope_kind} {r.scope_name}", len(r.teacher_names), f"{r.created_at:%Y-%m-%d}",
                  r.created_by, registry.STATUS_WORDS.get(r.status, r.status),
                  f"第 {r.returned_seq} 次回收" if r.returned_seq else "—"] for r in rows])
    out = [r for r in rows if r.out]
    print(f"共 {len(rows)} 个采集包，{len(out)} 个已发出尚未收回。")
    return 0


def cmd_show(args, _ws_opener) -> int:
    pack = folder.PackFolder.open(args.path)
    print_json(_state_json(pack)) if args.json else _print_state(pack)
    return 0


def cmd_open(args, _ws_opener) -> int:
    if args.json:
        return cmd_show(args, _ws_opener)
    from app.ui.app import run_pack
    return run_pack(args.path)


def _saved(args, pack: "folder.PackFolder", text: str, extra: dict | None = None) -> int:
    if args.json:
        print_json({"saved": text, **(extra or {}), "state": _state_json(pack)})
    else:
        print(text)
    return 0


def cmd_attach(args, _ws_opener) -> int:
    pack = folder.PackFolder.open(args.path)
    r = collect.attach_files(pack, args.teacher, args.item, args.files, point=args.code, replaces=args.replaces,
                             by=args.by)
    text = f"已添加 {len(r.changes)} 个文件到U盘上的采集包。" + "".join(f"\n{s}" for s in r.skipped)
    return _saved(args, pack, text, {"records": [c.id for c in r.changes], "skipped": list(r.skipped)})


def cmd_hours(args, _ws_opener) -> int:
    pack = folder.PackFolder.open(args.path)
    c = collect.add_hours(pack, args.teacher, category=args.category, hours=args.hours, on_date=args.date,
                          topic=args.topic, note=args.note, by=args.by)
    return _saved(args, pack, f"已登记学时 {c.data['hours']:g}（{c.data['category']}）。", {"record": c.id})


def cmd_activity(args, _ws_opener) -> int:
    pack = folder.PackFolder.open(args.path)
    c = collect.add_activity(pack, title=args.title, kind=args.kind, on_date=args.date, hours=args.hours,
                             category=args.category, teachers=args.teacher, files=args.file, topic=args.topic,
                             location=args.location, organiser=args.organiser, note=args.note, by=args.by)
    return _saved(args, pack, f"已登记培训活动“{c.data['title']}”，{len(c.data['teachers'])} 位教师各计 "
                              f"{c.data['hours']:g} 学时。", {"record": c.id})


def cmd_choose(args, _ws_opener) -> int:
    pack = folder.PackFolder.open(args.path)
    c = collect.set_choices(pack, args.teacher, args.codes, confirm_drop=args.confirm, by=args.by)
    text = "能力点没有变化。" if c is None else f"已保存：能力点改为 {'、'.join(c.data['codes'])}。"
    return _saved(args, pack, text, {"record": c.id if c else None})


def cmd_undo(args, _ws_opener) -> int:
    pack = folder.PackFolder.open(args.path)
    prefix = args.record.strip().lower()
    found = [c for c in pack.state().effective_changes if c.id.startswith(prefix)] if len(prefix) >= 4 else []
    if len(found) != 1:
        raise ValidationError(f"记录编号“{args.record}”没有唯一对应的记录（至少写 4 位，见 pack show）。")
    collect.undo(pack, found[0].id)
    return _saved(args, pack, "已删除这条记录（U盘上保留了删除记录，中心校不会合并它）。")


def cmd_finish(args, _ws_opener) -> int:
    pack = folder.PackFolder.open(args.path)
    r = seal.seal(pack, by=args.by)
    if args.json:
        print_json(r.to_dict())
        return 0
    print(f"已完成采集（第 {r.return_seq} 次）：{r.changes} 项更改、{r.files} 个文件已封入回收包 {r.path.name}。"
          "请安全弹出U盘，交回中心校。")
    for w in r.warnings:
        print(f"提醒：{w}")
    return 0


def _decisions(items: list[str]) -> dict[int, str]:
    out = {}
    for text in items:
        n, sep, side = text.partition("=")
        if not sep or not n.strip().isdigit() or side.strip() not in (TAKE_SCHOOL, TAKE_POINT):
            raise ValidationError(f"--decide 的写法应为 编号=学校 或 编号=教学点，而不是“{text}”。")
        out[int(n)] = side.strip()
    return out


def cmd_merge(args, ws_opener) -> int:
    ws = ws_opener()
    result = merge.merge_return(ws, args.path, decisions=_decisions(args.decide), prefer=args.prefer, by=args.by,
                          dry_run=args.dry_run)
    if args.json:
        print_json(result.to_dict())
        return 0
    plan = result.plan
    print(f"回收包：{plan.pack_label}，第 {plan.bag.return_seq} 次回收（{plan.bag.sealed_at.replace('T', ' ')}"
          + (f"，采集人 {plan.bag.sealed_by}" if plan.bag.sealed_by else "") + "）")
    if plan.already:
        print(f"其中 {plan.already} 项更改在以前的回收中已经合并。")
    if plan.lines:
        print_table(["编号", "类别", "教师", "内容", "结果", "说明"],
                    [[l.n, l.kind, l.teacher, l.what, l.status, l.reason] for l in plan.lines])
    for l in plan.conflicts:
        print(f"\n冲突 第 {l.n} 项 {l.teacher}：{l.reason}\n  学校现在：{l.school_side}\n  教学点：  {l.point_side}"
              + (f"\n  生成采集包时：{l.base}" if l.base else ""))
    if plan.silent:
        print(f"教学点撤销或改写了 {len(plan.silent)} 项（不合并）。")
    for w in plan.warnings:
        print(f"提醒：{w}")
    print(result.message)
    return 0


def cmd_sheet(args, _ws_opener) -> int:
    from app.services.packs.sheet import write_sheet
    path = write_sheet(folder.PackFolder.open(args.path).state(), args.pdf)
    print_json({"sheet": str(path)}) if args.json else print(f"使用说明已保存：{path}")
    return 0
