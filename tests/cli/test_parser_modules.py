"""A command line that names a command builds only its module's part of the parser."""

from __future__ import annotations

import importlib

from app.cli import main as cli


def test_the_command_table_matches_what_each_module_registers():
    common = cli.ChineseArgumentParser(add_help=False)
    parser = cli.ChineseArgumentParser(prog="tisheng", add_help=False)
    sub = parser.add_subparsers(dest="command", parser_class=cli.ChineseArgumentParser)
    registered = {}
    for name in cli._command_modules():
        before = set(sub.choices)
        importlib.import_module(f"app.cli.{name}").register(sub, common)
        registered.update({command: name for command in set(sub.choices) - before})
    assert cli.COMMAND_MODULES == registered


def test_which_module_a_command_line_needs():
    assert cli.command_module(["import", "roster", "f.xlsx"]) == "cmd_excel"
    assert cli.command_module(["--data-dir", "import", "--json", "teacher", "list"]) == "cmd_teachers"
    assert cli.command_module(["--data-dir=d", "fsck"]) == "cmd_backup"
    for argv in ([], ["--help", "import"], ["--version"], ["nosuch", "x"], ["--json"]):
        assert cli.command_module(argv) is None


def test_a_partial_parser_parses_its_command_as_the_full_one():
    argv = ["--data-dir", "d", "import", "roster", "f.xlsx", "--dry-run", "--json"]
    full = vars(cli.build_parser().parse_args(argv))
    part = vars(cli.build_parser(cli.command_module(argv)).parse_args(argv))
    assert full.keys() == part.keys()
    assert {k: v for k, v in full.items() if k != "func"} == {k: v for k, v in part.items() if k != "func"}
    assert full["func"] is part["func"]
