"""tisheng forms …"""

from __future__ import annotations

import json
import shutil

import pytest

from app.cli.main import main
from app.services.workspace import Workspace
from tests.forms.helpers import pages_text


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    from app.services.demo import create_demo
    root = tmp_path_factory.mktemp("cli-demo") / "data"
    with Workspace.open(root) as ws:
        create_demo(ws)
    return root


@pytest.fixture
def data(demo_dir, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(demo_dir, root)
    return str(root)


def test_full_set(data, tmp_path, capsys):
    out = tmp_path / "全部.pdf"
    assert main(["--data-dir", data, "forms", str(out)]) == 0
    said = capsys.readouterr().out
    assert "已生成" in said and "个人 40 份" in said
    assert "欧阳晓燕" in "".join(pages_text(out))


def test_one_teacher_json(data, tmp_path, capsys):
    out = tmp_path / "t.pdf"
    assert main(["--data-dir", data, "--json", "forms", str(out), "--kind", "个人", "--teacher", "司马文博"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["pages"] == len(pages_text(out)) and [f["teacher"] for f in d["forms"]] == ["司马文博"]


def test_notice_with_period(data, tmp_path):
    out = tmp_path / "n.pdf"
    assert main(["--data-dir", data, "forms", str(out), "--kind", "公示", "--period", "2026-12-01~2026-12-07"]) == 0
    assert "2026年12月1日至2026年12月7日" in "".join(pages_text(out))


def test_errors_exit_2_in_chinese(data, tmp_path, capsys):
    assert main(["--data-dir", data, "forms", str(tmp_path / "x.pdf"), "--period", "明天"]) == 2
    assert "公示期" in capsys.readouterr().err
    assert main(["--data-dir", data, "forms", str(tmp_path / "x.pdf"), "--teacher", "查无此人"]) == 2
    assert not (tmp_path / "x.pdf").exists()
