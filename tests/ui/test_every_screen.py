"""Issue 14, every screen a school has: every page and every add/edit dialog at 1024×600, 1280×720 and
Windows scaling 150 % (1920×1080 → 1280×720 logical) and 125 % (1366×768 → 1093×614), checked by
`tisheng gui --screenshot`.

Each size runs the real app in its own process (Qt takes the screen size and scale factor when it
starts), on a copy of the demo school. The run writes a picture of every page and dialog and
`布局检查.json`; these tests assert what that file says: each dialog's frame and buttons lie inside
the screen's available geometry, no page is cut off, and at 1280 px no page's main table scrolls
sideways. Issue 19 item 13: the run leaves nothing in the temp folder and writes no settings.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.ui.screenshots import DIALOGS, REPORT_NAME
from app.ui.pages import registry

ROOT = Path(__file__).resolve().parents[2]


def shoot(tmp_path, demo_template, *args) -> tuple[dict, subprocess.CompletedProcess, Path]:
    data = tmp_path / "school"
    shutil.copytree(demo_template, data)
    out, scratch_tmp, home = tmp_path / "shots", tmp_path / "tmp", tmp_path / "home"
    scratch_tmp.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(PYTHONPATH=str(ROOT), TMPDIR=str(scratch_tmp), TEMP=str(scratch_tmp), TMP=str(scratch_tmp),
               TISHENG_DATA_DIR=str(home), XDG_CONFIG_HOME=str(home / "config"), HOME=str(home))
    run = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), "gui", "--screenshot", str(out),
                          *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert not list(scratch_tmp.iterdir()), "the screenshot run left files in the temp folder"
    assert not any(p.name.endswith(".ini") for p in home.rglob("*")), "the screenshot run wrote settings"
    return json.loads((out / REPORT_NAME).read_text(encoding="utf-8")), run, out


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory):
    from app.services.demo import create_demo
    from app.services.workspace import Workspace
    root = tmp_path_factory.mktemp("screens-demo") / "school"
    with Workspace.open(root) as ws:
        create_demo(ws)
    return root


@pytest.mark.parametrize("args, logical", [
    (("--size", "1024x600"), (1024, 600)),
    (("--size", "1280x720"), (1280, 720)),
    (("--size", "1920x1080", "--scale", "1.5"), (1280, 720)),
    (("--size", "1366x768", "--scale", "1.25"), (1093, 614)),
], ids=["1024x600", "1280x720", "1920x1080@150%", "1366x768@125%"])
def test_every_page_and_dialog_fits(tmp_path, demo_copy, args, logical):
    report, run, out = shoot(tmp_path, demo_copy, *args)
    assert tuple(report["screen"]) == logical
    names = {s["name"] for s in report["shots"]}
    assert set(registry.TITLES) <= names                                  # every page
    assert {f"{where} › {name}" for where, name, _open in DIALOGS} <= names   # every add/edit dialog
    assert {"设置向导 › 学校信息", "设置向导 › 项目方案"} <= names
    assert {"采集窗口 › 证据材料", "采集窗口 › 能力点", "采集窗口 › 登记培训活动", "学校信息 › 合并采集包（预览）"} <= names
    problems = [f"{s['name']}：{p}" for s in report["shots"] for p in s["problems"]]
    assert problems == [], "\n".join(problems)
    assert all((out / s["file"]).stat().st_size > 5000 for s in report["shots"])    # real pictures
    dialogs = [s for s in report["shots"] if s["kind"] == "对话框"]
    assert all(s["size"][1] <= logical[1] for s in dialogs)


def test_the_window_minimum_fits_a_netbook():
    from app.ui.main_window import MIN_HEIGHT, MIN_WIDTH
    assert MIN_WIDTH <= 1024 - 16 and MIN_HEIGHT <= 600 - 40 - 40     # taskbar and title bar off


def test_bad_sizes_are_refused_in_chinese(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(tmp_path), "gui", "--screenshot",
                          str(tmp_path / "s"), "--size", "1024*600"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and "宽x高" in run.stderr


def test_the_manual_shows_small_screens_and_keyboard_use():
    from app.resources import manual_path
    text = manual_path().read_text(encoding="utf-8")
    assert "## 九、小屏幕、Windows 缩放和只用键盘" in text
    for image in ("images/small-screen-new-teacher-1024x600.png", "images/small-screen-assessment-1024x600.png"):
        assert f"({image})" in text and (manual_path().parent / image).is_file()
