"""A small school built once through the CLI and copied for each test, and a `cli` runner."""

import json
import shutil

import pytest

from app.cli.main import main
from tests.foundation.school_builder import valid_id

# name, 工号, subject, extra `teacher add` options
TEACHERS = [("王芳", "T1", "语文", []), ("李明", "T2", "语文", []), ("张伟", "T3", "数学", []),
            ("赵敏", "T4", "数学", []), ("陈静", "T5", "英语", []), ("陈静", "T6", "科学", []),
            ("周杰", "T7", "体育", ["--status", "免修", "--status-reason", "距退休不满5年"])]


class Cli:
    """Runs `tisheng --data-dir FOLDER ...` in-process and keeps what it printed."""

    def __init__(self, capsys, folder):
        self.capsys, self.folder = capsys, folder
        self.code, self.out, self.err = 0, "", ""

    def __call__(self, *args):
        self.code = main(["--data-dir", str(self.folder)] + [str(a) for a in args])
        self.out, self.err = self.capsys.readouterr()
        return self

    def ok(self, *args):
        self(*args)
        assert self.code == 0, self.err
        return self

    def json(self, *args):
        return json.loads(self.ok(*args, "--json").out)

    def fails(self, *args, code=2):
        """Runs a command that must be refused; returns the error text."""
        self(*args)
        assert self.code == code, (self.code, self.out, self.err)
        assert self.out == "" and self.err.startswith("错误："), self.err
        return self.err

    def usage_error(self, *args):
        """Runs a command argparse itself refuses (exit 2, usage on stderr); returns stderr."""
        code = main(["--data-dir", str(self.folder)] + [str(a) for a in args])
        self.out, self.err = self.capsys.readouterr()
        assert code == 2 and self.out == "" and "用法：" in self.err, self.err
        return self.err

    def findings(self):
        """The codes `tisheng check` reports."""
        self("check", "--json")
        assert self.code in (0, 1), self.err
        return {f["code"] for f in json.loads(self.out)["findings"]}

    def state(self):
        """Everything these commands can change, as JSON."""
        return {what: self.json(*what.split()) for what in
                ("team list", "group list", "course list", "point list", "teacher list", "hours list")}


@pytest.fixture(scope="session")
def school_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-school") / "data"
    run = lambda *a: main(["--data-dir", str(folder)] + [str(x) for x in a])  # noqa: E731
    assert run("init", "--name", "实验小学", "--code", "S001", "--environment", "混合") == 0
    for n, (name, staff_no, subject, extra) in enumerate(TEACHERS, 1):
        assert run("teacher", "add", "--name", name, "--id-number", valid_id(f"11010519850101{n:02d}2"),
                   "--staff-no", staff_no, "--subject", subject, *extra) == 0
    return folder


@pytest.fixture
def cli(capsys, tmp_path, school_template):
    folder = tmp_path / "school"
    shutil.copytree(school_template, folder)
    capsys.readouterr()
    return Cli(capsys, folder)


@pytest.fixture
def ids(cli):
    return {t["staff_no"]: t["id"] for t in cli.json("teacher", "list")}
