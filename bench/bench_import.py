"""Roster import against a raw read of the same file with python-calamine.

* import_roster_5000_rows: `tisheng --data-dir D import roster FILE` in a fresh process (start-up,
  the safe zip check, reading, header detection, every row checked, 5,000 teachers written in one
  transaction) against bench/baselines/calamine_read.py reading every row in a fresh process.
* …_in_process: import_roster() timed inside a process against the calamine read in the
  same process (each best of the rounds).
* reimport_…: the same file again (every row matched, nothing written).
Target ≤ 3× the raw read.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "bench"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志新春梅林海燕飞宇浩然晨曦子涵欣怡"
SUBJECTS = ("语文", "数学", "英语", "科学", "音乐", "美术", "体育", "道德与法治", "信息技术")


def _ids(n: int) -> list[str]:
    from app.services.validation.id_number import check_char
    out, born, seq = [], date(1965, 1, 1), 0
    while len(out) < n:
        seq += 1
        if seq > 998:
            seq, born = 1, born + timedelta(days=1)
        first = f"210281{born:%Y%m%d}{seq:03d}"
        out.append(first + check_char(first))
    return out


def make_roster(path: Path, rows: int) -> Path:
    """A school's roster: title row, header, `rows` teachers, an extra column, a 合计 row."""
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("教师花名册")
    ws.append(["某某区教师信息汇总表（导出）"])
    ws.append(["序号", "教师姓名", "性别", "身份证号码", "手机号", "任教学科", "学段", "编制情况", "职称", "工号",
               "政治面貌", "状态"])
    for i, id_number in enumerate(_ids(rows)):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + \
            GIVEN[(i // 7) % len(GIVEN)]
        gender = "男" if int(id_number[16]) % 2 else "女"
        ws.append([i + 1, name, gender, id_number, f"139{i:08d}", SUBJECTS[i % len(SUBJECTS)], "小学",
                   "在编" if i % 5 else "临聘", "一级教师", f"G{i:05d}", "群众", "在岗"])
    ws.append(["合计", f"{rows}人"])
    wb.save(path)
    return path


def calamine_pass(path: Path) -> int:
    from baselines.calamine_read import read_rows
    return read_rows(str(path))


def run(quick: bool = False) -> list:
    import json
    import os
    import statistics

    from timing import Result, best, project_env, run_process, tisheng

    from app.services.excel import import_roster
    from app.services.school import init_school
    from app.services.workspace import Workspace

    rows = 1000 if quick else 5000
    rounds = int(os.environ.get("TISHENG_BENCH_REPEAT", 0)) * 2 or (2 if quick else 3)
    tmp = Path(tempfile.mkdtemp(prefix="tisheng-bench-import-"))
    try:
        src = make_roster(tmp / "roster.xlsx", rows)
        empty = tmp / "empty"
        with Workspace.open(empty) as ws:
            init_school(ws, name="基准测试学校", code="BENCH001", environment="混合", programme_id="national-2.0")
        env = project_env()
        base_cmd = [sys.executable, str(Path(__file__).resolve().parent / "baselines" / "calamine_read.py"), str(src)]
        cmd_ours, cmd_again, cmd_base = [], [], []
        for k in range(rounds):
            data = tmp / f"cmd{k}"
            shutil.copytree(empty, data)
            for target in (cmd_ours, cmd_again):
                r = run_process(tisheng("--data-dir", str(data), "import", "roster", str(src), "--json"), env=env)
                doc = json.loads(r.stdout)
                if not doc.get("ok", True) or r.returncode != 0:
                    raise RuntimeError(f"bench import failed: {r.stdout[-1000:]}")
                target.append(r.seconds)
            cmd_base.append(run_process(base_cmd, env=env).seconds)
        calamine_pass(src)                            # warm the import and the file cache
        inproc, again = [], []
        for k in range(rounds):
            data = tmp / f"in{k}"
            shutil.copytree(empty, data)
            with Workspace.open(data) as ws:
                t0 = time.perf_counter()
                result = import_roster(ws, src, error_workbook=False)
                inproc.append(time.perf_counter() - t0)
                if not result.ok or result.added != rows:
                    raise RuntimeError(f"bench import failed: {result.summary()} "
                                       f"{[e.describe() for e in result.errors[:3]]}")
                t0 = time.perf_counter()
                result = import_roster(ws, src, error_workbook=False)
                again.append(time.perf_counter() - t0)
                if result.unchanged != rows:
                    raise RuntimeError(f"bench re-import changed data: {result.summary()}")
        raw = best(lambda: calamine_pass(src), 3)
        print(f"  import: whole-command medians ours {statistics.median(cmd_ours):.3f}s, "
              f"calamine {statistics.median(cmd_base):.3f}s", flush=True)
        name = f"import_roster_{rows}_rows"
        return [Result(name, min(cmd_ours), min(cmd_base), 3.0),
                Result(f"{name}_in_process", min(inproc), raw, 3.0),
                Result(f"reimport_roster_{rows}_rows", min(cmd_again), min(cmd_base), 3.0),
                Result(f"reimport_roster_{rows}_rows_in_process", min(again), raw, 3.0)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for r in run("--quick" in sys.argv):
        print(r.line())
