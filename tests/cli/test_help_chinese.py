"""Every new command explains itself in Chinese: usage, arguments, options, placeholders."""

import re

import pytest

from app.cli.main import build_parser, main

GROUPS = ("team", "group", "course", "point")
# ASCII words a Chinese help text may hold: command and option names, and names of things.
ALLOWED = {"tisheng", "JSON", "TISHENG_DATA_DIR", "A1", "hours"}


def _commands():
    top = build_parser()._subparsers._group_actions[0].choices
    found = []

    def walk(path, parser):
        found.append(path)
        for action in parser._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                for name, child in action.choices.items():
                    walk(path + (name,), child)

    for group in GROUPS:
        walk((group,), top[group])
    return found


COMMANDS = _commands()


def test_every_group_has_its_commands():
    assert {c for c in COMMANDS if len(c) == 2} >= {
        ("team", "add"), ("team", "list"), ("team", "show"), ("team", "set"), ("team", "remove"),
        ("team", "member"), ("group", "join"), ("group", "leave"), ("course", "set"), ("point", "assign"),
        ("point", "unassign")}
    assert ("team", "member", "add") in COMMANDS and ("team", "member", "remove") in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_is_chinese(capsys, command):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0 and out.startswith("用法：tisheng " + " ".join(command))
    assert "选项:" in out and "显示帮助并退出" in out
    text = re.sub(r"--?[a-z][a-z-]*", " ", out)                   # option names stay English
    words = set(re.findall(r"[A-Za-z][A-Za-z_0-9]+", text)) - ALLOWED - set(c for cmd in COMMANDS for c in cmd)
    assert not words, f"English left in the help of {' '.join(command)}: {sorted(words)}"
    for line in out.splitlines():                                  # every option is explained
        if re.match(r"^  --[a-z-]+( \S+)?$", line.rstrip()):
            continue                                               # its help follows on the next line
        if line.startswith("  -"):
            assert re.search(r"[\u4e00-\u9fff]", line), f"option without a Chinese help: {line!r}"
    placeholders = re.findall(r"--[a-z-]+ ([^\s\[\]]+)", out.split("\n\n")[0])
    assert all(re.search(r"[\u4e00-\u9fff]", p) for p in placeholders), placeholders
