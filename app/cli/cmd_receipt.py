"""receipt …: the school's side of district receipts (回执) and the district key it trusts."""

from __future__ import annotations

from pathlib import Path

from app.cli.output import print_json, print_table
from app.cli.parsers import sub_parser as _parser


def register(sub, common) -> None:
    p = _parser(sub, "receipt", common, help="区县回执：导入区县签发的回执、登记区县公钥",
                description="区县接收报送包后签发回执（回执文件、签名和区县公钥）。学校导入后，首页显示“区县已接收 · 日期”。"
                            "第一次导入时要指定区县公钥（区县交来的公钥文件，或区县公布的公钥指纹）。")
    rs = p.add_subparsers(dest="action", metavar="操作", required=True)
    a = _parser(rs, "import", common, help="导入区县回执（核对区县签名）")
    a.add_argument("file", metavar="回执文件", type=Path, help="区县交来的回执文件（.json，签名文件在它旁边）")
    a.add_argument("--district-key", default=None, metavar="公钥或指纹",
                   help="区县公钥：公钥文件（区县公钥.pub），或区县公布的公钥指纹（第一次导入时需要）")
    a.set_defaults(func=cmd_import)
    a = _parser(rs, "list", common, help="列出已导入的回执")
    a.set_defaults(func=cmd_list)
    a = _parser(rs, "trust", common, help="登记区县公钥（以后的回执和区县方案都按它核对）")
    a.add_argument("key", metavar="公钥", help="区县公钥文件（区县公钥.pub）或以 RW 开头的公钥")
    a.add_argument("--fingerprint", default=None, metavar="指纹", help="区县公布的公钥指纹（填写时须与公钥文件一致）")
    a.add_argument("--replace", action="store_true", help="区县更换了密钥：改用这个公钥")
    a.set_defaults(func=cmd_trust)


def cmd_import(args, ws_opener) -> int:
    from app.services.district_link import import_receipt, receipt_status
    ws = ws_opener()
    r = import_receipt(ws, args.file, district_key=args.district_key)
    if args.json:
        print_json(r.to_dict() | {"status": receipt_status(ws)})
    else:
        print(f"已导入回执：{r.district_name} 于 {r.received_at[:10]} 接收本校第 {r.version} 版报送包（封存码 {r.seal_code}）。")
        print(f"首页显示：{receipt_status(ws)}")
    return 0


def cmd_list(args, ws_opener) -> int:
    from app.services.district_link import list_receipts, receipt_status, trusted_district
    ws = ws_opener()
    rows, trust = list_receipts(ws), trusted_district(ws)
    if args.json:
        print_json({"district": trust.to_dict() if trust else None, "status": receipt_status(ws),
                    "receipts": [r.to_dict() for r in rows]})
        return 0
    print(f"登记的区县公钥：{trust.fingerprint}（{trust.name or '区县'}）" if trust else "尚未登记区县公钥。")
    print_table(["封存码", "区县", "接收日期", "版本", "导入时间"],
                [[r.seal_code, r.district_name, r.received_date, r.version, f"{r.imported_at:%Y-%m-%d %H:%M}"]
                 for r in rows])
    print(f"状态：{receipt_status(ws) or '尚未导出报送包'}")
    return 0


def cmd_trust(args, ws_opener) -> int:
    from app.errors import ValidationError
    from app.services.district.register import parse_fingerprint
    from app.services.district_link import trust_district
    row = trust_district(ws_opener(), args.key, replace=args.replace) if not args.fingerprint else None
    if args.fingerprint:
        from app.services.bundle.verify import RegisteredKey
        parsed = RegisteredKey.parse(args.key)
        typed = parse_fingerprint(args.fingerprint)
        if parsed.fingerprint != typed:
            raise ValidationError(f"公钥文件的指纹是 {parsed.fingerprint}，与输入的 {typed} 不一致，未登记。")
        row = trust_district(ws_opener(), args.key, replace=args.replace)
    if args.json:
        print_json(row.to_dict())
    else:
        print(f"已登记区县公钥，指纹 {row.fingerprint}。")
    return 0
