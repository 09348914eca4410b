"""Cold start, as whole processes: the window, and the command line's --help and --version.

* cold_start_window_1000t: `tisheng --data-dir D` on a 1,000-teacher school until its first
  window has been painted, against bench/baselines/bare_window.py: a bare PySide6 program that
  opens a QMainWindow with a QTableView, until it has been painted. Both print "first-paint" from
  the same paint hook (TISHENG_FIRST_PAINT_EXIT in app/ui/app.py) and are timed from process start
  to that line. Target ≤ 1.5×. Each side's figure is its best of the rounds, run alternately.
  The window painted first is the app's main window without its data (app.ui.opening): title,
  menus, toolbar, navigation, status bar, its saved size and place, and a page saying
  “正在打开学校数据…”; nothing of SQLModel, SQLAlchemy, openpyxl or reportlab is loaded by then
  (tests/ui/test_window_first.py). The rest of the start – every start-up check, the look for a
  collection pack (one read-only query that finds the school, so no stick is searched), the
  first page with its data – happens after that paint and is not in this figure; the time until
  the first page shows its data stayed what it was before the window came first (≈ 1.2 s here).
* cold_start_only_importing_sqlmodel (for information): a process that only imports SQLModel and
  SQLAlchemy's SQLite dialect, against the same bare window: the floor under any start that
  opens the database before its first paint.
* cold_start_cli_version / cold_start_cli_help: `tisheng --version` and `tisheng --help`
  against the absolute target of 0.15 s (a bare `python -c pass` is printed beside them).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from timing import Result, project_env, run_process, tisheng

HERE = Path(__file__).resolve().parent
CLI_TARGET = 0.15


def _rounds(quick: bool) -> int:
    return int(os.environ.get("TISHENG_BENCH_REPEAT", 0)) * 3 or (3 if quick else 7)


def run(quick: bool) -> list[Result]:
    from make_school import make_school
    rounds = _rounds(quick)
    rows = []
    with tempfile.TemporaryDirectory(prefix="tisheng-bench-start-") as tmp:
        data = Path(tmp) / "school"
        make_school(data, teachers=200 if quick else 1000)
        gui_env = project_env(TISHENG_FIRST_PAINT_EXIT="1", XDG_CONFIG_HOME=str(Path(tmp) / "config"))
        gui_env.setdefault("QT_QPA_PLATFORM", "offscreen")
        ours_cmd = tisheng("--data-dir", str(data))
        bare_cmd = [sys.executable, str(HERE / "baselines" / "bare_window.py")]
        run_process(ours_cmd, env=gui_env, until="first-paint")        # warm-up: the file cache
        run_process(bare_cmd, env=gui_env, until="first-paint")
        ours, bare = [], []
        for _ in range(rounds):
            ours.append(run_process(ours_cmd, env=gui_env, until="first-paint").seconds)
            bare.append(run_process(bare_cmd, env=gui_env, until="first-paint").seconds)
        print(f"  cold start: ours median {statistics.median(ours):.3f}s, bare median {statistics.median(bare):.3f}s "
              f"over {rounds} rounds", flush=True)
        n = 200 if quick else 1000
        rows.append(Result(f"cold_start_window_{n}t", min(ours), min(bare), 1.5))
        # For scale: what loading the database layer alone costs, before any window.
        sql = min(run_process([sys.executable, "-c", "import sqlmodel, sqlalchemy.dialects.sqlite"],
                              env=gui_env).seconds for _ in range(rounds))
        rows.append(Result("cold_start_only_importing_sqlmodel", sql, min(bare)))
    env = project_env()
    python = min(run_process([sys.executable, "-c", "pass"], env=env).seconds for _ in range(rounds))
    for flag in ("--version", "--help"):
        t = min(run_process(tisheng(flag), env=env).seconds for _ in range(rounds))
        rows.append(Result(f"cold_start_cli_{flag.lstrip('-')}", t, CLI_TARGET, 1.0))
    print(f"  (a bare `python -c pass` here: {python:.3f}s)", flush=True)
    return rows


if __name__ == "__main__":
    for r in run("--quick" in sys.argv):
        print(r.line())
