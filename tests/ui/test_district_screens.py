"""Every district screen fits a netbook and a projector: `tisheng gui --screenshot` on a district folder
(a received bundle, one waiting for its fingerprint), checked through its 布局检查.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.services import keys
from app.services.district import intake, register
from app.services.district.office import init_district
from app.services.workspace import Workspace
from app.ui.district.district_window import TITLES
from app.ui.district.screenshots import DIALOGS, PREFIX
from app.ui.screenshots import REPORT_NAME
from tests.district.conftest import export, small_school

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def district_folder(tmp_path_factory):
    base = tmp_path_factory.mktemp("district-screens")
    a = small_school(base / "a", "A01", "甲小学", seed=1)
    b = small_school(base / "b", "B02", "乙小学", seed=2)
    stick = base / "stick"
    fp = keys.school_key(a).fingerprint
    export(a, stick)
    export(b, stick)
    a.close()
    b.close()
    with Workspace.open(base / "district") as d:
        init_district(d, name="示例区教师发展中心", code="D1")
        register.add_key(d, "A01", fingerprint=fp, name="甲小学")
        intake.ingest(d, [stick])
    return base / "district"


@pytest.mark.parametrize("size", ["1024x600", "1280x720"])
def test_every_district_page_and_dialog_fits(tmp_path, district_folder, size):
    out, scratch, home = tmp_path / "shots", tmp_path / "tmp", tmp_path / "home"
    scratch.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(PYTHONPATH=str(ROOT), TMPDIR=str(scratch), TISHENG_DATA_DIR=str(home), HOME=str(home),
               XDG_CONFIG_HOME=str(home / "config"))
    run = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(district_folder), "gui", "--screenshot",
                          str(out), "--size", size], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((out / REPORT_NAME).read_text(encoding="utf-8"))
    names = {s["name"] for s in report["shots"]}
    assert set(TITLES) <= names
    assert {f"{where} › {name}" for where, name, _open in DIALOGS} <= names
    assert {"设置向导 › 欢迎（学校/区县）", "设置向导 › 区县项目办"} <= names
    problems = [f"{s['name']}：{p}" for s in report["shots"] for p in s["problems"]]
    assert problems == [], "\n".join(problems)
    assert (out / f"{PREFIX}全县总览.png").stat().st_size > 5000


def test_the_manual_has_the_district_chapter_with_its_pictures():
    import re

    from app.resources import manual_path
    text = manual_path().read_text(encoding="utf-8")
    assert "## 十一、区县项目办：接收、复核、回执和全县总览" in text
    images = re.findall(r"\((images/manual/区县-[^)]+\.png)\)", text)
    assert len(images) >= 6 and all((manual_path().parent / image).is_file() for image in images)
    for command in ("district init", "district key add", "district ingest", "district paper", "district receipt",
                    "district report", "receipt import"):
        assert command in text
