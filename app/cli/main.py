"""Entry point of `tisheng` and `python -m app`.

Command groups live in app/cli/cmd_*.py; each exposes register(subparsers, common)
and sets func=handler(args, ws_opener) -> exit code. With no sub-command the
desktop window opens.

Every outcome has one shape: the human message on stderr, and with `--json` also one JSON
object on stdout, `{"ok": false, "error": "…", "exit": N}` for failures (usage errors too).
Output passes through `output.SafeStream` (control characters escaped); logging goes to a temp
file until a data folder is opened, then to its logs/ (app/services/logfile.py).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import re
import sys

from app import APP_NAME, __version__
from app.errors import AppError

log = logging.getLogger("app.cli")

# argparse passes each of its English phrases through gettext, which looks for a catalogue on
# disk every time (no Python ships one for argparse): about 300 failed searches, a third of the
# time it takes to build the parser. The phrases are made Chinese below, so skip the search.
argparse._ = lambda message: message                                     # type: ignore[attr-defined]
argparse.ngettext = lambda singular, plural, n: singular if n == 1 else plural  # type: ignore[attr-defined]

# Listed explicitly so a frozen build finds them; unknown extra modules are discovered too.
KNOWN_MODULES = ["cmd_school", "cmd_programme", "cmd_teachers", "cmd_records", "cmd_assessment", "cmd_check",
                 "cmd_selfassess", "cmd_deadline", "cmd_gui", "cmd_excel", "cmd_bundle", "cmd_forms", "cmd_backup",
                 "cmd_team", "cmd_group", "cmd_course", "cmd_point", "cmd_pack",
                 "cmd_district", "cmd_receipt"]


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
                        "invalid int value": "不是整数",
                        "expected one argument": "需要一个参数值",
                        "argument": "参数"}
        for en, zh in translations.items():
            message = message.replace(en, zh)
        message = re.sub(r"\(choose from (.*)\)", r"（可选：\1）", message)
        raise UsageError(f"{self.prog}：{message}", self.format_usage())


class UsageError(Exception):
    """The command line itself is wrong (argparse's error), exit code 2."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.message, self.usage = message, usage


def _command_modules() -> list[str]:
    import app.cli as pkg
    # The known groups are imported by name (a frozen build may not list its modules);
    # discovery only adds groups dropped into app/cli later.
    found = {m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("cmd_")}
    return KNOWN_MODULES + sorted(found - set(KNOWN_MODULES))


# The module that registers each command: a command line that names one builds only that
# module's part of the parser (importing and registering all twenty took longer than reading a
# small roster). tests/cli/test_parser_modules.py checks this table against the full parser.
COMMAND_MODULES = {
    "school": "cmd_school", "programmes": "cmd_school", "init": "cmd_school", "demo": "cmd_school",
    "programme": "cmd_programme", "teacher": "cmd_teachers", "activity": "cmd_records", "plan": "cmd_records",
    "hours": "cmd_records", "evidence": "cmd_records", "choose": "cmd_records", "case": "cmd_assessment",
    "assess": "cmd_assessment", "support": "cmd_assessment", "check": "cmd_check", "selfassess": "cmd_selfassess",
    "deadline": "cmd_deadline", "gui": "cmd_gui", "import": "cmd_excel", "template": "cmd_excel",
    "report": "cmd_excel", "verify": "cmd_bundle", "key": "cmd_bundle", "export": "cmd_bundle",
    "forms": "cmd_forms", "backup": "cmd_backup", "backups": "cmd_backup", "restore": "cmd_backup",
    "fsck": "cmd_backup", "team": "cmd_team", "group": "cmd_group", "course": "cmd_course", "point": "cmd_point",
    "pack": "cmd_pack", "district": "cmd_district", "receipt": "cmd_receipt",
}


def command_module(argv: list[str]) -> str | None:
    """The module of the command `argv` names, or None (no command, help or version asked for
    before it, or a word that is no command: the full parser then answers)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--data-dir":
            skip = True
        elif arg in ("-h", "--help", "--version"):
            return None
        elif not arg.startswith("-"):
            return COMMAND_MODULES.get(arg)
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
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
    for name in [only] if only else _command_modules():
        importlib.import_module(f"app.cli.{name}").register(sub, common)
    for p in sub.choices.values():
        p.add_argument_group  # noqa: B018 (help texts are Chinese already)
    parser._positionals.title = "子命令"
    parser._optionals.title = "选项"
    return parser


def _raised_converting_a_stored_value(exc: BaseException) -> bool:
    """Whether SQLAlchemy failed turning a stored text into a date or number (damaged bytes
    inside a row; quick_check does not look at values)."""
    tb, last = exc.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    name = last.tb_frame.f_code.co_filename if last is not None else ""
    return "sqlalchemy" in name and "processors" in name


def _database_trouble(exc: BaseException, db) -> tuple[str, int] | None:
    """(Chinese message, exit code) when the database failed: 2 for ordinary trouble (locked,
    read-only, disk full – no restore advice), 5 for damage the start-up quick check cannot see
    (a stored text that is no longer UTF-8…); None for any other error."""
    import sqlite3

    from app.services.dberrors import unavailable
    trouble = unavailable(exc, db)
    if trouble is not None:
        return trouble.user_message, 2
    if isinstance(exc, (ValueError, TypeError)) and _raised_converting_a_stored_value(exc):
        return (f"读取数据文件“{db}”时出错（数据库中有无法识别的日期或数值，文件已损坏），操作没有完成，"
                "未完成的更改已全部撤销。请运行“tisheng fsck”检查，"
                "必要时运行“tisheng restore --latest”从最近一份完好的备份恢复。"), 5
    seen = 0
    while exc is not None and seen < 5:
        orig = getattr(exc, "orig", None)               # SQLAlchemy wraps the driver's error
        if isinstance(orig, sqlite3.DatabaseError):
            exc = orig
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.IntegrityError):
            from app.services.dbcheck import describe_database_error
            return (f"读取数据文件“{db}”时出错（{describe_database_error(exc)}），操作没有完成，"
                    "未完成的更改已全部撤销。数据文件可能已损坏：请运行“tisheng fsck”检查，"
                    "必要时运行“tisheng restore --latest”从最近一份完好的备份恢复。"), 5
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _fail(message: str, code: int, as_json: bool, details: list[str] | None = None, hint: str = "") -> int:
    """Report a failure: the message (and what to type, the error's cli_hint) on stderr, and one
    JSON object on stdout with --json."""
    sys.stderr.write("错误：" + message + ("\n" + "\n".join(f"  · {d}" for d in details) if details else "") + "\n"
                     + (f"提示：{hint}\n" if hint else ""))
    if as_json:
        from app.cli.output import print_json
        doc = {"ok": False, "error": message, "exit": code}
        if details:
            doc["details"] = list(details)
        if hint:
            doc["hint"] = hint
        print_json(doc)
    return code


def main(argv: list[str] | None = None) -> int:
    from app.cli.output import install_safe_streams
    from app.services import logfile
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    saved = sys.stdout, sys.stderr
    install_safe_streams()
    logfile.capture_warnings()                     # library warnings go to the log, not the screen
    logfile.use_log(logfile.temp_log_path(), delay=True)
    try:
        return _run(argv, as_json)
    finally:
        logfile.close_log()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = saved


def window_only(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of a plain `tisheng [--data-dir 目录] [--demo] [--json]`, which opens the window,
    read without building the whole parser (importing every command group takes about as long as
    a bare Qt program needs to show a window). Anything else – a sub-command, --help, an
    abbreviation, a mistake – returns None and goes through the full parser."""
    data_dir, demo, as_json = None, False, False
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--demo":
            demo = True
        elif arg == "--json":
            as_json = True
        elif arg == "--data-dir" and rest and rest[0] and not rest[0].startswith("-"):
            data_dir = rest.pop(0)
        elif arg.startswith("--data-dir=") and arg != "--data-dir=":
            data_dir = arg.partition("=")[2]
        else:
            return None
    return argparse.Namespace(data_dir=data_dir, json=as_json, demo=demo, command=None)


def _run(argv: list[str], as_json: bool) -> int:
    from app.services import logfile
    args = window_only(argv)
    if args is None:
        parser = build_parser(command_module(argv))
        try:
            args = parser.parse_args(argv)
        except UsageError as exc:
            sys.stderr.write(exc.usage)
            return _fail(exc.message, 2, as_json)
    opened = []

    def ws_opener():
        from app.services.workspace import Workspace
        if not opened:
            from app.services.startup import refuse_if_damaged
            refuse_if_damaged(args.data_dir)
            ws = Workspace.open(args.data_dir)
            opened.append(ws)
            logfile.use_log(ws.paths.logs / logfile.LOG_NAME)   # from now on in the school's folder
        return opened[0]

    try:
        if args.command is None or args.command == "gui":
            logfile.close_log()                    # the window sets up its own log
            from app.cli.cmd_gui import run_gui
            return run_gui(args)
        return int(args.func(args, ws_opener) or 0)
    except AppError as exc:
        return _fail(exc.user_message, exc.exit_code, as_json, exc.details, exc.cli_hint)
    except KeyboardInterrupt:
        return _fail("已中断。", 130, as_json)
    except BrokenPipeError:
        # The reader went away (`| head`, `| more` closed early): not an error of ours. Point
        # stdout at devnull so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:
        log.exception("unexpected error")
        from app.paths import data_paths
        try:
            db = data_paths(args.data_dir).database
        except (OSError, RuntimeError):
            db = None
        trouble = _database_trouble(exc, db) if db is not None else None
        if trouble is not None:
            return _fail(trouble[0], trouble[1], as_json)
        where = logfile.current_log()
        return _fail("发生了意外错误，操作未完成。" + (f"详细信息已记录在日志文件：{where}" if where else ""), 3,
                     as_json)
    finally:
        for ws in opened:
            ws.close()


if __name__ == "__main__":
    sys.exit(main())
