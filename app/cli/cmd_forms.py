"""forms: print the sign-off forms and notices to a PDF."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.output import print_json, progress_line
from app.vocab import FORM_KINDS as KINDS


def register(sub, common) -> None:
    p = sub.add_parser(
        "forms", parents=[common], help="打印签字确认表、公示表（PDF）",
        description="生成A4 PDF：教师个人签字确认表、学校汇总确认表、校本考核结果公示表、学校密钥登记表。"
                    "不指定 --kind 时，把汇总表、全部教师的个人表、公示表（和密钥登记表）放在一个文件里。"
                    "报送区县用的确认表请从报送包中打印（带封存码和二维码）。")
    p.add_argument("file", metavar="FILE.pdf", help="输出的 PDF 文件")
    p.add_argument("--kind", choices=list(KINDS), metavar="{" + "|".join(KINDS) + "}",
                   help="只打印一种表：个人、汇总、公示、密钥")
    p.add_argument("--teacher", metavar="教师", help="只打印这位教师的个人表（工号、身份证号或姓名）")
    p.add_argument("--period", metavar="2026-12-01~2026-12-07",
                   help="公示期（公示表用）；不填则留空由学校手写")
    p.set_defaults(func=cmd_forms)


def cmd_forms(args, ws_opener) -> int:
    from app.services.forms.api import make_forms
    from app.services.progress import Progress

    def on_report(done: int, total: int, text: str) -> None:
        if not args.json and sys.stderr.isatty():
            progress_line(f"{text[:40]:<40} {done}/{total}")

    result = make_forms(ws_opener(), Path(args.file), kind=args.kind, teacher=args.teacher,
                        period=args.period, progress=Progress(on_report))
    if not args.json and sys.stderr.isatty():
        progress_line(" " * 50)
        progress_line("")
    if args.json:
        print_json(result.to_dict())
        return 0
    by_kind: dict[str, list] = {}
    for f in result.forms:
        by_kind.setdefault(f.kind, []).append(f)
    parts = []
    for kind in KINDS:
        forms = by_kind.get(kind)
        if forms:
            pages = sum(f.pages for f in forms)
            parts.append(f"{kind} {len(forms)} 份 {pages} 页" if kind == "个人" else f"{kind} {pages} 页")
    print(f"已生成：{result.path}（共 {result.pages} 页，{result.size / 1024:.0f} KB；{'，'.join(parts)}）")
    for w in result.warnings:
        print(f"【提醒】{w}")
    return 0
