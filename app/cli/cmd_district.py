"""district …: the district office (区县项目办) — key register, intake, paper, receipts, county view."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.output import print_json, print_table
from app.cli.parsers import sub_parser as _parser
from app.vocab import UNIT_KINDS


def register(sub, common) -> None:
    p = _parser(sub, "district", common, help="区县项目办：接收各校报送包、登记学校公钥、复核、回执、全县总览",
                description="区县项目办使用的命令。区县的数据放在一个单独的数据文件夹（用 --data-dir 指定），"
                            "先运行 district init 建立。")
    ds = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = _parser(ds, "init", common, help="把一个空的数据文件夹建成区县项目办的数据文件夹",
                description="建立区县数据文件夹，并生成区县自己的签名密钥（用于签发回执和发布项目方案）。")
    a.add_argument("--name", required=True, help="区县项目办名称，如 示例区教师发展中心")
    a.add_argument("--code", required=True, help="区县代码，字母、数字、- 和 _")
    a.add_argument("--programme", default=None, help="区县执行的项目方案编号（见 tisheng programmes；默认全国通用）")
    a.set_defaults(func=cmd_init)
    a = _parser(ds, "info", common, help="显示区县名称、区县公钥指纹和执行的项目方案")
    a.set_defaults(func=cmd_info)

    k = _parser(ds, "key", common, help="学校公钥登记（密钥登记表）")
    ks = k.add_subparsers(dest="key_action", metavar="操作", required=True)
    a = _parser(ks, "add", common, help="登记一所学校的公钥指纹或公钥文件",
                description="按学校盖章的密钥登记表登记。指纹为 32 位十六进制（8 组，每组 4 位），"
                            "组间的横线或空格可有可无；输错的字符会指出在第几组。")
    a.add_argument("--school", required=True, help="学校代码（与学校在本软件中填写的一致）")
    a.add_argument("--fingerprint", metavar="指纹", help="登记表上的公钥指纹，如 3F2A-91C0-…")
    a.add_argument("--key", metavar="公钥文件", help="学校交来的公钥文件（.pub）")
    a.add_argument("--name", default="", metavar="名称", help="学校名称")
    a.add_argument("--kind", choices=UNIT_KINDS, default=None, help="学校 或 教学点")
    a.add_argument("--replace", action="store_true", help="学校更换了密钥：停用原登记的指纹，改用这个")
    a.add_argument("--note", default="", help="备注（如 登记表日期）")
    a.set_defaults(func=cmd_key_add)
    a = _parser(ks, "list", common, help="列出登记的学校公钥（含已停用的）")
    a.set_defaults(func=cmd_key_list)

    a = _parser(ds, "ingest", common, help="接收报送包（文件夹、zip，或存有多个报送包的U盘根目录）",
                description="逐个核验（文件齐全、未被改动、由登记的学校密钥签名），按区县方案复核，然后登记。"
                            "未登记公钥的学校的报送包需核对纸质登记表上的指纹后用 --confirm 确认。"
                            "全部接收（或已接收过）时退出码为 0，否则为 1。")
    a.add_argument("paths", metavar="路径", nargs="+", help="报送包文件夹、zip 文件或U盘根目录")
    a.add_argument("--copy", action="store_true", help="把报送包复制到区县数据文件夹（默认证据留在原处，不复制）")
    a.add_argument("--confirm", action="append", default=[], metavar="指纹",
                   help="首次报送的学校：与纸质密钥登记表核对一致的公钥指纹（可写多个）")
    a.set_defaults(func=cmd_ingest)

    a = _parser(ds, "paper", common, help="核对纸质确认表：输入或扫描封存码（或二维码内容）",
                description="USB 扫码枪扫描确认表上的二维码，或手工输入封存码（8 组，每组 4 位）。"
                            "一致时登记“确认表已收到”，退出码 0；不一致时退出码 1。")
    a.add_argument("text", metavar="封存码", help="封存码，或二维码内容（TSB1;…）")
    a.set_defaults(func=cmd_paper)

    a = _parser(ds, "receipt", common, help="给学校出具回执（区县签名），写到目标文件夹",
                description="为学校当前版本的报送包写出回执文件、签名文件和区县公钥文件，"
                            "可用 minisign -Vm 回执文件 -p 区县公钥.pub 核对。")
    a.add_argument("school", metavar="学校代码", help="学校代码")
    a.add_argument("dest", metavar="目标文件夹", type=Path, help="写入回执的文件夹（如学校的U盘）")
    a.add_argument("--seal", default=None, help="封存码（默认为该校当前版本）")
    a.set_defaults(func=cmd_receipt)

    a = _parser(ds, "schools", common, help="各学校的登记与报送情况")
    a.set_defaults(func=cmd_schools)
    a = _parser(ds, "versions", common, help="一所学校的全部报送版本及每版的变化")
    a.add_argument("school", metavar="学校代码", help="学校代码")
    a.set_defaults(func=cmd_versions)
    a = _parser(ds, "show", common, help="一个报送包的详情：复核差异、与上一版相比的变化")
    a.add_argument("bundle", metavar="封存码", help="封存码（前几组即可）或记录编号")
    a.set_defaults(func=cmd_show)
    a = _parser(ds, "county", common, help="全县总览（每所学校和教学点一行）")
    a.set_defaults(func=cmd_county)
    a = _parser(ds, "report", common, help="导出全县汇总表（Excel，可在 A4 纸上打印）")
    a.add_argument("file", metavar="文件", type=Path, help="目标文件，如 全县汇总.xlsx")
    a.set_defaults(func=cmd_report)
    a = _parser(ds, "duplicates", common, help="材料雷同（同一文件由不同教师提交）和同一身份证号出现在两校")
    a.set_defaults(func=cmd_duplicates)
    a = _parser(ds, "recheck", common, help="按区县现行方案重新复核全部学校（更改区县方案后使用）")
    a.set_defaults(func=cmd_recheck)
    a = _parser(ds, "log", common, help="接收记录（每次接收、拒收、待确认）")
    a.add_argument("--limit", type=int, default=50, metavar="条数", help="显示最近多少条（默认 50）")
    a.set_defaults(func=cmd_log)
    pr = _parser(ds, "programme", common, help="发布区县项目方案（签名文件，供学校导入）")
    prs = pr.add_subparsers(dest="programme_action", metavar="操作", required=True)
    a = _parser(prs, "publish", common, help="把区县现行项目方案写成签名文件",
                description="写出项目方案文件、签名文件（.minisig）和区县公钥文件；学校用 tisheng programme import 导入。"
                            "区县方案可先用 tisheng programme set 调整。")
    a.add_argument("file", metavar="文件", type=Path, help="目标文件或文件夹")
    a.set_defaults(func=cmd_programme_publish)


def _progress(args):
    from app.cli.cmd_bundle import _stderr_progress
    from app.services.progress import Progress
    return Progress() if args.json else _stderr_progress()


def cmd_init(args, ws_opener) -> int:
    from app.services.district.office import init_district
    from app.services.programmes import DEFAULT_PRESET
    info = init_district(ws_opener(), name=args.name, code=args.code, programme_id=args.programme or DEFAULT_PRESET)
    if args.json:
        print_json(info.to_dict())
    else:
        print(f"已建立区县数据文件夹：{info.folder}")
        print(f"区县：{info.name}（{info.code}）")
        print(f"区县公钥指纹：{info.fingerprint}（回执和区县方案由此密钥签名，请告知各校）")
        print(f"执行的项目方案：{info.programme_name}")
    return 0


def cmd_info(args, ws_opener) -> int:
    from app.services.district.office import office_info
    info = office_info(ws_opener())
    if args.json:
        print_json(info.to_dict())
    else:
        print(f"区县：{info.name}（{info.code}）")
        print(f"区县公钥指纹：{info.fingerprint}")
        print(f"区县公钥（minisign）：{info.public_key}")
        print(f"执行的项目方案：{info.programme_name}（{info.programme_id}）")
        print(f"数据文件夹：{info.folder}")
    return 0


def cmd_key_add(args, ws_opener) -> int:
    from app.services.district.register import add_key
    row, what = add_key(ws_opener(), args.school, fingerprint=args.fingerprint, key_text=args.key, name=args.name,
                        kind=args.kind, replace=args.replace, note=args.note)
    if args.json:
        print_json(row.to_dict() | {"result": what})
    else:
        print(f"{what}：{row.unit_name or row.unit_code}（{row.unit_code}）公钥指纹 {row.fingerprint}")
    return 0


def cmd_key_list(args, ws_opener) -> int:
    from app.services.district.register import list_keys
    rows = list_keys(ws_opener())
    if args.json:
        print_json([r.to_dict() for r in rows])
        return 0
    print_table(["学校代码", "名称", "类型", "公钥指纹", "来源", "登记时间", "状态"],
                [[r.unit_code, r.unit_name, r.unit_kind, r.fingerprint, r.source, f"{r.registered_at:%Y-%m-%d}",
                  "在用" if r.current else f"已停用 {r.retired_at:%Y-%m-%d}"] for r in rows])
    return 0


def cmd_ingest(args, ws_opener) -> int:
    from app.services.district.intake import IngestOptions, ingest
    summary = ingest(ws_opener(), args.paths, IngestOptions(copy=args.copy, confirm=tuple(args.confirm)),
                     progress=_progress(args))
    if args.json:
        print_json(summary.to_dict())
    else:
        for o in summary.outcomes:
            mark = {"接收": "✔", "已接收过": "·", "待确认": "？", "拒收": "✘"}.get(o.outcome, " ")
            who = f"{o.school_name}（{o.unit_code}）" if o.unit_code else ""
            print(f"{mark} {o.outcome}：{o.path}")
            if who:
                print(f"    {who} 封存码 {o.seal_code or '—'}")
            print(f"    {o.message}")
            if o.outcome == "待确认":
                print("    核对一致后：再次接收并加 --confirm 指纹")
            if o.recheck:
                print(f"    区县复核：{o.recheck}")
            for d in o.details[:20]:
                print(f"    · {d}")
            if len(o.details) > 20:
                print(f"    · ……另有 {len(o.details) - 20} 条")
        print(f"共 {len(summary.outcomes)} 个：{summary.text()}，用时 {summary.seconds:.1f} 秒。")
    return 0 if summary.all_in and not summary.cancelled else 1


def cmd_paper(args, ws_opener) -> int:
    from app.services.district.paper import tie_paper
    r = tie_paper(ws_opener(), args.text)
    if args.json:
        print_json(r.to_dict())
    else:
        print(r.message)
    return 0 if r.matched else 1


def cmd_receipt(args, ws_opener) -> int:
    from app.services.district.receipts import issue_receipt
    r = issue_receipt(ws_opener(), args.school, args.dest, seal_code=args.seal)
    if args.json:
        print_json(r.to_dict())
    else:
        print(f"回执已写出：{r.path}")
        print(f"签名：{r.signature.name}；区县公钥：{r.public_key.name}")
        print("学校导入：tisheng receipt import 回执文件；不用本软件核对："
              f"minisign -Vm \"{r.path.name}\" -p \"{r.public_key.name}\"")
    return 0


def cmd_schools(args, ws_opener) -> int:
    from app.services.district.queries import list_units
    rows = list_units(ws_opener())
    if args.json:
        print_json([r.to_dict() for r in rows])
        return 0
    print_table(["学校代码", "名称", "类型", "公钥指纹", "报送", "当前版本", "确认表", "回执", "区县复核"],
                [[u.code, u.name, u.kind, u.fingerprint or "未登记", u.bundles,
                  u.current.version if u.current else "", ("已收" if u.current.paper_received_at else "未收") if u.current else "",
                  ("已发" if u.current.receipt_at else "未发") if u.current else "",
                  u.current.recheck_headline if u.current else "未报送"] for u in rows])
    return 0


def cmd_versions(args, ws_opener) -> int:
    from app.services.district.queries import list_bundles
    rows = list_bundles(ws_opener(), unit_code=args.school)
    if args.json:
        print_json([r.to_dict() for r in rows])
        return 0
    if not rows:
        print(f"没有学校“{args.school}”的报送包。")
        return 0
    for r in rows:
        print(f"第 {r.version} 版{'（当前）' if r.current else ''}：封存码 {r.seal_code}，导出 {r.exported_at[:16].replace('T', ' ')}，"
              f"接收 {r.received_at:%Y-%m-%d %H:%M}")
        print(f"    与上一版相比：{r.changes_summary}")
        for w in r.warnings:
            print(f"    提醒：{w}")
    return 0


def cmd_show(args, ws_opener) -> int:
    from app.services.district.queries import bundle_detail, find_bundle
    ws = ws_opener()
    d = bundle_detail(ws, find_bundle(ws, args.bundle).id)
    if args.json:
        print_json({"bundle": d.row.to_dict(), "recheck": d.recheck, "changes": d.changes,
                    "school_summary": d.school_summary})
        return 0
    r = d.row
    print(f"{r.school_name}（{r.unit_code}）第 {r.version} 版{'（当前）' if r.current else ''}")
    print(f"封存码：{r.seal_code}    密钥指纹：{r.key_fingerprint}")
    print(f"证据位置：{r.location}{'（区县复制件）' if r.copied else ''}")
    print(f"区县复核：{r.recheck_headline}")
    rc = d.recheck
    for diff in (rc.get("school_programme") or {}).get("rule_differences") or []:
        print(f"  · 方案规则“{diff['label']}”：学校 {diff['school']}；区县 {diff['district']}"
              + ("（学校选定）" if diff.get("school_choice") else ""))
    for f in (rc.get("only_district") or [])[:50]:
        print(f"  · 区县发现：{f.get('message')}")
    for f in (rc.get("only_school") or [])[:50]:
        print(f"  · 学校列出、区县方案下没有：{f.get('message')}")
    for v in (rc.get("verdicts") or [])[:50]:
        print(f"  · {v['name']}：学校判定“{v['school']}”，区县复核“{v['district']}”")
    for note in rc.get("notes") or []:
        print(f"  说明：{note}")
    if d.changes:
        print(f"与上一版相比：{d.changes['summary']}")
    return 0


def cmd_county(args, ws_opener) -> int:
    from app.services.district.county import load_county
    view = load_county(ws_opener())
    if args.json:
        print_json({"district": view.district, "programme": view.programme, "case_share": view.case_share,
                    "totals": view.totals(), "rows": [r.to_dict() for r in view.rows]})
        return 0
    print_table(["单位", "代码", "报送", "达标/参训", "达标率", "人均学时", "帮扶未结", "优秀案例/应有", "确认表", "回执", "区县复核"],
                [[("  └ " if r.parent else "") + r.name, r.unit_code, "已报送" if r.submitted else "未报送",
                  f"{r.meeting}/{r.active}", f"{r.pass_rate:.0%}" if r.pass_rate is not None else "",
                  r.hours_per_teacher or "", r.support_open, f"{r.cases}/{r.case_quota}",
                  "已收" if r.paper else "", "已发" if r.receipt else "", r.recheck] for r in view.rows])
    return 0


def cmd_report(args, ws_opener) -> int:
    from app.services.district.county_workbook import write_county_workbook
    path = write_county_workbook(ws_opener(), args.file, progress=_progress(args))
    if args.json:
        print_json({"ok": True, "file": str(path)})
    else:
        print(f"全县汇总表已导出：{path}")
    return 0


def cmd_duplicates(args, ws_opener) -> int:
    from app.services.district.duplicates import duplicate_evidence, same_persons
    ws = ws_opener()
    files, people = duplicate_evidence(ws), same_persons(ws)
    if args.json:
        print_json({"files": [d.to_dict() for d in files], "persons": [p.to_dict() for p in people]})
        return 0
    print(f"材料雷同：{len(files)} 个文件由不同教师提交")
    for d in files[:200]:
        print(f"  · {d.sha256[:16]}（{d.size / 1024:.0f} KB）{d.schools} 所学校、{d.teachers} 位教师：")
        for h in d.holders:
            print(f"      {h.school_name} {h.teacher_name}：{h.path}")
    print(f"同一人员：{len(people)} 组")
    for p in people:
        print(f"  · {p.kind}：{p.name} {p.masked_id}：" + "、".join(f"{s}（{u}）" for u, s, _n in p.holders))
        print(f"      {p.note}")
    return 0


def cmd_recheck(args, ws_opener) -> int:
    from app.services.district.rerun import recheck_all
    n = recheck_all(ws_opener(), progress=_progress(args))
    if args.json:
        print_json({"ok": True, "rechecked": n})
    else:
        print(f"已按区县现行方案重新复核 {n} 个学校的当前版本。")
    return 0


def cmd_log(args, ws_opener) -> int:
    from app.services.district.queries import intake_log
    rows = intake_log(ws_opener(), limit=max(1, args.limit))
    if args.json:
        print_json([r.to_dict() for r in rows])
        return 0
    for r in rows:
        sys.stdout.write(f"{r.at:%Y-%m-%d %H:%M} {r.outcome} {r.school_name or r.unit_code} {r.path}\n    {r.message}\n")
    return 0


def cmd_programme_publish(args, ws_opener) -> int:
    from app.services.district.publish import publish_programme
    r = publish_programme(ws_opener(), args.file)
    if args.json:
        print_json(r.to_dict())
    else:
        print(f"区县项目方案已发布：{r.path}（方案哈希 {r.hash[:16]}）")
        print(f"签名：{r.signature.name}；区县公钥：{r.public_key.name}。学校用 tisheng programme import 导入。")
    return 0
