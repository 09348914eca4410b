"""The `tisheng` process ends at once after its command, yet nothing a user could see is lost:
threads still writing are waited for, exit hooks run, buffered output arrives, the exit code
is the command's. Only the object-by-object teardown is skipped (that is what took 0.2–0.3 s);
a process that loaded Qt ends the usual way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import atexit, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from app.cli import entry

out = Path(sys.argv[1])
MODE = sys.argv[2]

class Finalized:
    def __del__(self):
        (out / "teardown").write_text("ran")

KEPT = Finalized()

def late_write(name, delay):
    time.sleep(delay)
    (out / name).write_text("done")

def fake_main():
    if MODE == "qt":
        import PySide6.QtCore  # noqa: F401
    threading.Thread(target=late_write, args=("thread", 0.3)).start()
    ThreadPoolExecutor(1).submit(late_write, "executor", 0.2)     # never shut down by its owner
    atexit.register(lambda: (out / "hook").write_text("done"))
    sys.stdout.write("残余输出")                                  # buffered, no newline
    return 7

entry.main = fake_main
if MODE == "plain-exit":
    entry.end_process = sys.exit
entry.run_command()
"""


def _run(tmp_path: Path, mode: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    out = tmp_path / mode
    out.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    env.pop("PYTHONUNBUFFERED", None)          # output buffered, as on a user's machine
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(out), mode], capture_output=True, env=env,
                          cwd=ROOT, timeout=120)
    return done, {p.name for p in out.iterdir()}


def test_threads_hooks_output_and_code_survive_the_quick_end(tmp_path):
    done, left = _run(tmp_path, "quick")
    assert done.returncode == 7
    assert done.stdout.decode("utf-8") == "残余输出"
    assert {"thread", "executor", "hook"} <= left
    assert "teardown" not in left              # the interpreter was not taken apart


def test_the_usual_exit_would_have_taken_the_interpreter_apart(tmp_path):
    # the control for the test above: with a plain sys.exit the finalizer does run
    done, left = _run(tmp_path, "plain-exit")
    assert done.returncode == 7
    assert {"thread", "executor", "hook", "teardown"} <= left


def test_a_process_that_loaded_qt_ends_the_usual_way(tmp_path):
    done, left = _run(tmp_path, "qt")
    assert done.returncode == 7
    assert {"thread", "executor", "hook", "teardown"} <= left


def test_a_real_command_keeps_its_output_and_exit_code(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    bad = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(tmp_path / "d"), "--json", "没有这个命令"],
                         capture_output=True, env=env, cwd=ROOT, timeout=120)
    assert bad.returncode == 2
    assert json.loads(bad.stdout.decode("utf-8"))["ok"] is False
    empty = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(tmp_path / "d"), "check", "--json"],
                           capture_output=True, env=env, cwd=ROOT, timeout=120)
    doc = json.loads(empty.stdout.decode("utf-8"))
    assert empty.returncode == doc["exit"] != 0 and "学校" in doc["error"]


def test_the_exit_code_is_the_one_sys_exit_would_give():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for code, status in (("None", 0), ("0", 0), ("3", 3), ("True", 1)):
        done = subprocess.run([sys.executable, "-c", f"from app.process_end import end_process; end_process({code})"],
                              env=env, cwd=ROOT, timeout=60)
        assert done.returncode == status, code
