"""backup, backups, restore, fsck: nothing is ever lost."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.output import print_json, print_table, progress_line
from app.cli.parsers import sub_parser as _parser
from app.errors import ValidationError
from app.paths import data_paths
from app.services.progress import Progress


def register(sub, common) -> None:
    p = _parser(sub, "backup", common, help="备份数据（可选：完整备份到U盘，用于换电脑）",
                description="不带保存位置时把数据库备份到数据文件夹的 backups 中；给出保存位置时写到该文件夹或文件。"
                            "加 --full 时写完整备份（数据库、全部证据文件和学校密钥），"
                            "可在新电脑上用“tisheng restore”恢复。完整备份写入时文件夹名以 .partial 结尾，"
                            "全部回读校验后才改为正式名称。")
    p.add_argument("dest", metavar="保存位置", nargs="?", type=Path, help="保存位置，如 E:\\ 或 E:\\备份.sqlite3")
    p.add_argument("--full", action="store_true", help="完整备份（含证据文件和密钥），需要 DEST")
    p.set_defaults(func=cmd_backup)

    p = _parser(sub, "backups", common, help="列出自动和手动备份",
                description="列出数据文件夹 backups 中的数据库备份（最新的在前）。")
    p.add_argument("--check", action="store_true", help="逐个做完整性检查")
    p.set_defaults(func=cmd_backups)

    p = _parser(sub, "restore", common, help="从备份恢复（先自动备份当前数据）",
                description="文件可以是数据库备份（.sqlite3）、完整备份文件夹（tisheng-full-…）、其压缩包，"
                            "或整个数据文件夹的副本。恢复前会先备份当前数据（可用它撤销）；"
                            "损坏的数据文件会另存到 damaged 文件夹，不会被覆盖。本软件窗口打开时不能恢复。")
    p.add_argument("file", metavar="文件", nargs="?", type=Path, help="备份文件、文件夹或压缩包")
    p.add_argument("--latest", action="store_true", help="使用最新一份通过完整性检查的自动备份")
    p.set_defaults(func=cmd_restore)

    p = _parser(sub, "fsck", common, help="检查数据库和全部证据文件",
                description="检查数据库完整性，核对每个证据文件是否存在、内容是否与记录的 SHA-256 一致，"
                            "并列出没有记录引用的文件。全部正常时退出码为0，否则为1。")
    p.add_argument("--remove-orphans", action="store_true", help="删除没有记录引用的文件和中断操作的残留")
    p.add_argument("--from-backup", metavar="完整备份", type=Path,
                   help="从完整备份（文件夹或压缩包）找回缺失或损坏的证据文件")
    p.add_argument("--quick", action="store_true", help="只检查文件是否存在，不核对校验值（更快）")
    p.set_defaults(func=cmd_fsck)


def _progress(args) -> Progress:
    if getattr(args, "json", False) or not sys.stderr.isatty():
        return Progress()
    state = {"last": -1}

    def show(done: int, total: int, text: str) -> None:
        pct = int(100 * done / total) if total else 100
        if pct != state["last"]:
            state["last"] = pct
            progress_line(f"{pct:3d}% {text[:60]:<60}", last=done >= total)

    return Progress(show)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def cmd_backup(args, ws_opener) -> int:
    from app.services.backup.manual import make_backup
    from app.services.datafolder import refuse_file
    paths = refuse_file(data_paths(getattr(args, "data_dir", None)))
    if args.full and args.dest is None:
        raise ValidationError("完整备份需要指定保存位置，例如 tisheng backup --full E:\\")
    result = make_backup(paths, args.dest, full=args.full, progress=_progress(args))
    if getattr(args, "json", False):
        print_json(result.to_dict())
        return 0
    kind = "完整备份" if result.full else "数据库备份"
    print(f"{kind}完成：{result.path}（{result.files} 个文件，{_size(result.bytes)}）")
    for m in result.missing:
        print(f"提醒：证据文件缺失，未能备份：{m}")
    if result.removed:
        print(f"按保留规则清理了 {len(result.removed)} 份旧的自动备份。")
    return 0


def cmd_backups(args, ws_opener) -> int:
    from app.services.backup.retention import list_backups
    from app.services.datafolder import refuse_file
    paths = refuse_file(data_paths(getattr(args, "data_dir", None)))
    rows = list_backups(paths, check=args.check)
    if getattr(args, "json", False):
        print_json([b.to_dict() for b in rows])
        return 0
    if not rows:
        print(f"还没有备份（{paths.backups}）。")
        return 0
    headers = ["时间", "类型", "大小", "文件"] + (["检查"] if args.check else [])
    print_table(headers, [[f"{b.created:%Y-%m-%d %H:%M:%S}", b.label, _size(b.size), b.path.name]
                          + ([("完好" if b.ok else f"损坏：{b.problem}")] if args.check else []) for b in rows])
    return 0


def cmd_restore(args, ws_opener) -> int:
    from app.services.backup.restore import restore
    from app.services.backup.retention import newest_good_backup
    from app.services.instance_lock import acquire_instance_lock
    paths = data_paths(getattr(args, "data_dir", None))
    if (args.file is None) == (not args.latest):
        raise ValidationError("请给出备份文件 FILE，或使用 --latest（二者选一）。")
    from app.services.datafolder import prepare
    with acquire_instance_lock(prepare(paths)):
        source = args.file
        if args.latest:
            best = newest_good_backup(paths)
            if best is None:
                raise ValidationError("没有找到完好的自动备份。如有完整备份，请用“tisheng restore 文件夹”恢复。")
            source = best.path
        result = restore(paths, source, progress=_progress(args))
    if getattr(args, "json", False):
        print_json(result.to_dict())
    else:
        print(result.message)
        for m in result.missing[:20]:
            print(f"  缺少：{m}")
        for hint in result.cli_hints:
            print(f"提示：{hint}")
    return 0


def cmd_fsck(args, ws_opener) -> int:
    from app.services.fsck import fsck
    from app.services.startup import open_checked
    opened = open_checked(getattr(args, "data_dir", None))
    try:
        report = fsck(opened.ws, remove_orphans=args.remove_orphans, from_backup=args.from_backup,
                      verify_hashes=not args.quick, progress=_progress(args))
    finally:
        opened.close(changed=False)
    if getattr(args, "json", False):
        print_json(report.to_dict())
    else:
        for w in opened.warnings:
            print(f"提醒：{w}")
        for line in report.lines():
            print(line)
        for hint in report.cli_hints():
            print(f"提示：{hint}")
    return 0 if report.ok else 1
