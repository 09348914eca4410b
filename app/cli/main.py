"""Entry point of `tisheng` and `python -m app`.

Command groups live in app/cli/cmd_*.py; each exposes register(subparsers, common)
and sets func=handler(args, ws_opener) -> exit code. With no sub-command the
desktop window opens.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys

from app import APP_NAME, __version__
from app.errors import AppError

log = logging.getLogger("app.cli")

# Listed explicitly so a frozen build finds them; unknown extra modules are discovered too.
KNOWN_MODULES = ["cmd_school", "cmd_programme", "cmd_teachers", "cmd_records", "cmd_assessment", "cmd_check",
                 "cmd_selfassess", "cmd_deadline", "cmd_gui", "cmd_excel", "cmd_bundle", "cmd_forms", "cmd_backup",
                 "cmd_team", "cmd_group", "cmd_course", "cmd_point", "cmd_district", "cmd_receipt"]


_HELP_WORDS = (("usage: ", "用法："), ("positional arguments:", "参数:"), ("options:", "选项:"),
               ("optional arguments:", "选项:"), ("show this help message and exit", "显示帮助并退出"))


def _chinese(text: str) -> str:
    for en, zh in _HELP_WORDS:
        text = text.replace(en, zh)
    return text


class ChineseArgumentParser(argparse.ArgumentParser):
    def add_argument(self, *args, **kwargs):
        # Chinese placeholders (--name 姓名) instead of argparse's upper-cased English dest.
        takes_value = kwargs.get("action") in (None, "store", "append") and "choices" not in kwargs
        if args and args[0].startswith("-") and takes_value and "metavar" not in kwargs and kwargs.get("help"):
            import re
            kwargs["metavar"] = re.split(r"[（(，,：: ]", kwargs["help"], maxsplit=1)[0] or "值"
        return super().add_argument(*args, **kwargs)

    def format_usage(self) -> str:
        return _chinese(super().format_usage())

    def format_help(self) -> str:
        return _chinese(super().format_help())

    def error(self, message: str) -> None:  # argparse's own messages are English
        translations = {"the following arguments are required": "缺少必填参数",
                        "unrecognized arguments": "无法识别的参数",
                        "invalid choice": "无效的选项",
                        "expected one argument": "需要一个参数值",
                        "argument": "参数"}
        for en, zh in translations.items():
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: 错误：{message}\n")
        sys.exit(2)


def _command_modules() -> list[str]:
    import app.cli as pkg
    # The known groups are imported by name (a frozen build may not list its modules);
    # discovery only adds groups dropped into app/cli later.
    found = {m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("cmd_")}
    return KNOWN_MODULES + sorted(found - set(KNOWN_MODULES))


def build_parser() -> argparse.ArgumentParser:
    # Sub-commands share `common`, whose options default to SUPPRESS so that an option
    # given before the sub-command is not reset by it; the top level has its own copy.
    common = ChineseArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="目录", default=argparse.SUPPRESS,
                        help="数据文件夹（默认为系统用户数据目录，或环境变量 TISHENG_DATA_DIR）")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="以 JSON 格式输出，便于脚本处理")
    parser = ChineseArgumentParser(
        prog="tisheng", add_help=False,
        description=f"{APP_NAME}：学校信息技术应用能力提升工程的离线管理工具。不带子命令时打开桌面窗口。")
    parser.add_argument("--data-dir", metavar="目录",
                        help="数据文件夹（默认为系统用户数据目录，或环境变量 TISHENG_DATA_DIR）")
    parser.add_argument("--json", action="store_true", help="以 JSON 格式输出，便于脚本处理")
    parser.add_argument("-h", "--help", action="help", help="显示帮助并退出")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}",
                        help="显示版本号")
    parser.add_argument("--demo", action="store_true", help="打开示例学校（数据文件夹为空时自动创建）")
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=ChineseArgumentParser)
    for name in _command_modules():
        importlib.import_module(f"app.cli.{name}").register(sub, common)
    for p in sub.choices.values():
        p.add_argument_group  # noqa: B018 (help texts are Chinese already)
    parser._positionals.title = "子命令"
    parser._optionals.title = "选项"
    return parser


def _setup_logging(data_dir: str | None) -> None:
    from logging.handlers import RotatingFileHandler

    from app.paths import data_paths
    try:
        logs = data_paths(data_dir).logs
        logs.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(logs / "tisheng.log", maxBytes=1_000_000, backupCount=5,
                                      encoding="utf-8")
    except OSError:
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _raised_converting_a_stored_value(exc: BaseException) -> bool:
    """Whether SQLAlchemy failed turning a stored text into a date or number (damaged bytes
    inside a row; quick_check does not look at values)."""
    tb, last = exc.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    name = last.tb_frame.f_code.co_filename if last is not None else ""
    return "sqlalchemy" in name and "processors" in name


def _database_damage(exc: BaseException, db) -> str | None:
    """A Chinese message when SQLite itself failed (damage the start-up quick check cannot see,
    such as a stored text that is no longer UTF-8); None for any other error."""
    import sqlite3
    if isinstance(exc, (ValueError, TypeError)) and _raised_converting_a_stored_value(exc):
        return (f"读取数据文件“{db}”时出错（数据库中有无法识别的日期或数值，文件已损坏），操作没有完成，"
                "未完成的更改已全部撤销。请运行“tisheng fsck”检查，"
                "必要时运行“tisheng restore --latest”从最近一份完好的备份恢复。")
    seen = 0
    while exc is not None and seen < 5:
        orig = getattr(exc, "orig", None)               # SQLAlchemy wraps the driver's error
        if isinstance(orig, sqlite3.DatabaseError):
            exc = orig
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.IntegrityError):
            from app.services.backups import describe_database_error
            if "locked" in str(exc) or "busy" in str(exc):
                return (f"数据文件“{db}”正被其他程序占用（例如本软件的窗口），操作没有完成，"
                        "未完成的更改已全部撤销。请稍后重试，或先关闭本软件的窗口。")
            return (f"读取数据文件“{db}”时出错（{describe_database_error(exc)}），操作没有完成，"
                    "未完成的更改已全部撤销。数据文件可能已损坏：请运行“tisheng fsck”检查，"
                    "必要时运行“tisheng restore --latest”从最近一份完好的备份恢复。")
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.data_dir)
    opened = []

    def ws_opener():
        from app.services.workspace import Workspace
        if not opened:
            from app.services.integrity import refuse_if_damaged
            refuse_if_damaged(args.data_dir)
            opened.append(Workspace.open(args.data_dir))
        return opened[0]

    try:
        if args.command is None:
            from app.cli.cmd_gui import run_gui
            return run_gui(args)
        return int(args.func(args, ws_opener) or 0)
    except AppError as exc:
        sys.stderr.write("错误：" + exc.full_message() + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`, `| more` closed early): not an error of ours. Point
        # stdout at devnull so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:
        log.exception("unexpected error")
        from app.paths import data_paths
        damaged = _database_damage(exc, data_paths(args.data_dir).database)
        if damaged is not None:
            sys.stderr.write("错误：" + damaged + "\n")
            return 5
        from app.paths import data_paths
        sys.stderr.write("发生了意外错误，操作未完成。详细信息已记录在日志文件："
                         f"{data_paths(args.data_dir).logs / 'tisheng.log'}\n")
        return 3
    finally:
        for ws in opened:
            ws.close()


if __name__ == "__main__":
    sys.exit(main())
