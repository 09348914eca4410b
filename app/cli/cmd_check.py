"""check: every unmet requirement; exit 0 only when nothing blocking is left."""

from __future__ import annotations

from app.cli.lazy import lazy
from app.cli.output import print_json

compliance = lazy("app.services.compliance")


def register(sub, common) -> None:
    p = sub.add_parser("check", parents=[common], help="检查未达标事项",
                       description="按本校项目方案检查学校和每位教师的全部要求。"
                                   "没有“必须处理”的事项时退出码为0，否则为1。")
    p.add_argument("--teacher", metavar="教师", help="只看这位教师")
    p.add_argument("--basis", action="store_true", help="每一项下面列出依据（文件名称和原文）")
    p.set_defaults(func=cmd_check)


def cmd_check(args, ws_opener) -> int:
    ws = ws_opener()
    report = compliance.run_check(ws)
    findings = report.findings
    if args.teacher:
        from app.services.teachers import resolve
        tid = resolve(ws, args.teacher).id
        findings = report.for_teacher(tid)
    if args.json:
        d = report.to_dict()
        d["findings"] = [f.to_dict() for f in findings]
        print_json(d)
    else:
        s = report.summary
        print(f"{s['school']}｜{s['programme']}｜教师 {s['teachers']} 人（免修 {s['exempt']}），"
              f"全部达标 {s['meeting_all']}/{s['active']}")
        if not findings:
            print("没有未达标事项。")
        for f in findings:
            tag = "【必须处理】" if f.is_blocking else "【提醒】"
            print(f"{tag}{f.message} —— {f.action}")
            if f.basis and args.basis:
                print(f"    依据：{f.basis}")
        print(f"必须处理 {len(report.blocking)} 项，提醒 {len(report.warnings)} 项。")
    return 0 if report.ok else 1
