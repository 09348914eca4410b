"""gui: open the desktop window (the default with no sub-command)."""

from __future__ import annotations

from pathlib import Path


def register(sub, common) -> None:
    p = sub.add_parser("gui", parents=[common], help="打开桌面窗口")
    p.add_argument("--demo", action="store_true", help="打开示例学校（数据文件夹为空时自动创建）")
    p.add_argument("--screenshot", metavar="目录", type=Path,
                   help="把每个页面以 1366×768 截图保存到该目录后退出（用于文档）")
    p.set_defaults(func=lambda args, _opener: run_gui(args))


def run_gui(args) -> int:
    from app.ui.app import run
    return run(data_dir=args.data_dir, demo=getattr(args, "demo", False),
               screenshot_dir=getattr(args, "screenshot", None))
