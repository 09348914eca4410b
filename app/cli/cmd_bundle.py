"""key, export, verify: seal the district bundle onto a stick and check it anywhere."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from app.cli.output import print_json, progress_line
from app.cli.parsers import sub_parser as _parser
from app.errors import StorageError
from app.services.progress import Progress


def register(sub, common) -> None:
    p = _parser(sub, "key", common, help="学校签名密钥（查看、导出公钥、更换）",
                       description="学校的签名密钥在第一次使用时自动生成，私钥只保存在数据文件夹中，"
                                   "不会写入报送包或日志。区县凭登记的公钥指纹核对报送包。")
    ks = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = _parser(ks, "show", common, help="显示公钥指纹和 minisign 格式的公钥")
    a.set_defaults(func=cmd_key_show)
    a = _parser(ks, "export-public", common, help="把公钥写入文件，供区县登记",
                      description="写出 minisign 格式的公钥文件（两行文本），交区县登记。")
    a.add_argument("file", metavar="文件", type=Path, help="要写入的公钥文件，如 E:\\学校公钥.pub")
    a.set_defaults(func=cmd_key_export)
    a = _parser(ks, "replace", common, help="生成新密钥，停用旧密钥（会记录）",
                      description="电脑更换、密钥损坏或疑似泄露时使用。旧密钥移入 keys/retired/，"
                                  "更换记录写入操作日志。更换后必须把新的公钥指纹重新报区县登记，"
                                  "否则区县会拒收之后的报送包。")
    a.add_argument("--yes", action="store_true", help="确认更换（不加此项只显示说明，不作更改）")
    a.add_argument("--reason", default="", help="更换原因（写入操作日志）")
    a.set_defaults(func=cmd_key_replace)

    p = _parser(sub, "export", common, help="导出并封存报送包（写到U盘）",
                       description="把学校全部记录、汇总表、方案和证据文件写成 BagIt 报送包，"
                                   "回读校验后用学校密钥签名。写入过程中文件夹名以 .partial 结尾，"
                                   "全部完成后才改为正式名称；中途失败可直接重新导出。")
    p.add_argument("dest", metavar="目标文件夹", type=Path, help="目标位置（U盘盘符或其中的文件夹），如 E:\\")
    p.add_argument("--unmask-personal", action="store_true",
                   help="不隐去身份证号和手机号（默认隐去；此选择会记录在报送包中）")
    p.add_argument("--allow-incomplete", action="store_true",
                   help="仍有“必须处理”的问题时也导出（会写入报送包和签字确认表）")
    p.add_argument("--zip", action="store_true", help="写成单个 zip 文件（FAT32 U盘上不能超过 4 GB）")
    p.set_defaults(func=cmd_export)

    p = _parser(sub, "verify", common, help="核验报送包（文件夹或 zip）",
                       description="检查报送包是否完整、未被改动、文件不多不少，并核对学校签名。"
                                   "全部通过时退出码为0，否则为1。不需要学校数据文件夹。")
    p.add_argument("paths", metavar="报送包", nargs="+", help="报送包文件夹或 zip 文件")
    p.add_argument("--key", metavar="PUBFILE|FINGERPRINT",
                   help="区县登记的学校公钥文件（.pub）、RW 开头的公钥，或公钥指纹")
    p.set_defaults(func=cmd_verify)


def _stderr_progress() -> Progress:
    if not sys.stderr.isatty():
        return Progress()
    state = {"last": 0.0}

    def show(done: int, total: int, text: str) -> None:
        now = time.monotonic()
        if now - state["last"] < 0.5 and done < total:
            return
        state["last"] = now
        pct = 100 * done // total if total else 0
        progress_line(f"{pct:3d}% {text[:60]:<60}", last=done >= total)

    return Progress(show)


def cmd_key_show(args, ws_opener) -> int:
    from app.services.keys import school_key
    info = school_key(ws_opener())
    if args.json:
        print_json(info.to_dict() | {"pub_file": info.pub_file_text})
    else:
        print(f"公钥指纹：{info.fingerprint}")
        print(f"公钥（minisign）：{info.public_key_b64}")
        print(f"密钥编号：{info.key_id_hex}")
        print(f"生成时间：{info.created_at:%Y-%m-%d %H:%M}")
        print("区县以登记的公钥指纹为准核对报送包；请用“tisheng key export-public 文件”导出公钥报区县登记。")
    return 0


def cmd_key_export(args, ws_opener) -> int:
    from app.services.keys import export_public, school_key
    ws = ws_opener()
    path = export_public(ws, args.file)
    info = school_key(ws)
    if args.json:
        print_json(info.to_dict() | {"file": str(path)})
    else:
        print(f"公钥已写入：{path}")
        print(f"公钥指纹：{info.fingerprint}")
    return 0


def cmd_key_replace(args, ws_opener) -> int:
    from app.errors import ValidationError
    from app.services.keys import replace_key
    if not args.yes:
        raise ValidationError("更换密钥后，区县登记的旧公钥将不能用于核对新的报送包，必须重新登记新指纹。"
                              "确认要更换，请加上 --yes 再运行。")
    old, new = replace_key(ws_opener(), args.reason)
    if args.json:
        print_json({"old": old.to_dict() if old else None, "new": new.to_dict()})
    else:
        if old:
            print(f"旧密钥已停用：{old.fingerprint}")
        print(f"新密钥指纹：{new.fingerprint}")
        print("请导出新公钥（tisheng key export-public 文件）并报区县重新登记。")
    return 0


def cmd_export(args, ws_opener) -> int:
    from app.services.bundle.export import ExportOptions, export_bundle, human_size
    ws = ws_opener()
    options = ExportOptions(unmask_personal=args.unmask_personal, allow_incomplete=args.allow_incomplete,
                            as_zip=args.zip)
    result = export_bundle(ws, args.dest, options, progress=Progress() if args.json else _stderr_progress())
    if args.json:
        print_json(result.to_dict())
        return 0
    print(f"报送包已导出并封存：{result.path}")
    print(f"封存码：{result.seal.seal_code}")
    print(f"学校密钥指纹：{result.fingerprint}")
    print(f"文件：{result.payload_files} 个，共 {human_size(result.payload_bytes)}"
          + (f"（沿用上次未完成导出中完好的 {result.reused_files} 个）" if result.reused_files else ""))
    print("个人信息：" + ("身份证号、手机号已隐去" if result.masked else "完整导出（按用户选择，已记录在报送包中）"))
    if result.allow_incomplete:
        print(f"注意：仍有 {result.blocking} 项必须处理的问题，按“不完整报送”导出，已写入报送包和签字确认表。")
    missing = [k for k, v in result.parts.items() if not v]
    if missing:
        print("未包含：" + "、".join(missing) + "（该功能当前不可用）")
    if result.parts.get("签字确认表.pdf"):
        print("请打印报送包中的“签字确认表.pdf”，签字盖章后连同U盘一起报送。")
    print("拔出U盘前，请先在系统中“安全弹出”。")
    return 0


def cmd_verify(args, ws_opener) -> int:
    from app.services.bundle.verify import RegisteredKey, format_report, verify_path
    key = RegisteredKey.parse(args.key) if args.key else None
    reports = []
    for raw in args.paths:
        try:
            reports.append(verify_path(raw, key, Progress() if args.json else _stderr_progress()))
        except StorageError as exc:          # unreadable target: report it, go on with the others
            from app.services.bundle.verify import BagReport
            r = BagReport(path=str(raw))
            r.errors.append(exc.user_message)
            reports.append(r)
    ok = all(r.ok for r in reports)
    if args.json:
        print_json({"ok": ok, "key": ({"fingerprint": key.fingerprint, "source": key.source} if key else None),
                    "bags": [r.to_dict() for r in reports]})
    else:
        for i, r in enumerate(reports):
            if i:
                print()
            print(format_report(r))
        if len(reports) > 1:
            print()
            print(f"共 {len(reports)} 个报送包，通过 {sum(r.ok for r in reports)} 个。")
    return 0 if ok else 1
