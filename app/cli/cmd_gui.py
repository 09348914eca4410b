"""gui: open the desktop window (the default with no sub-command)."""

from __future__ import annotations

from pathlib import Path


def register(sub, common) -> None:
    p = sub.add_parser("gui", parents=[common], help="打开桌面窗口")
    p.add_argument("--demo", action="store_true", help="打开示例学校（数据文件夹为空时自动创建）")
    p.add_argument("--screenshot", metavar="目录", type=Path,
                   help="把每个页面和每个新增/修改对话框截图保存到该目录后退出（用于文档和检查小屏幕）")
    p.add_argument("--size", metavar="宽x高", default=None,
                   help="截图时的屏幕尺寸，如 1024x600、1280x720（默认 1366x768）")
    p.add_argument("--scale", metavar="倍数", type=float, default=None,
                   help="截图时的 Windows 缩放比例，如 1.25、1.5（1920x1080 的 150%% 即 1280x720）")
    p.set_defaults(func=lambda args, _opener: run_gui(args))


def run_gui(args) -> int:
    import sys

    # Nothing of the database layer here: the window is shown first and loads it once it is
    # painted (app.ui.opening), so a start shows the window about as soon as a bare Qt program.
    from app.ui.app import run
    size, scale = getattr(args, "size", None), getattr(args, "scale", None)
    if (size or scale) and getattr(args, "screenshot", None) is None:
        sys.stderr.write("--size 和 --scale 只用于 --screenshot 截图。\n")
        return 2
    if scale is not None and not 0.5 <= scale <= 4:
        sys.stderr.write(f"缩放比例 {scale:g} 不合理，应在 0.5 到 4 之间（如 1.25、1.5）。\n")
        return 2
    try:
        screen_size = None
        if size:
            from app.ui.screenshots import parse_size
            screen_size = parse_size(size)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    return run(data_dir=args.data_dir, demo=getattr(args, "demo", False),
               screenshot_dir=getattr(args, "screenshot", None), screen_size=screen_size, scale=scale)
