"""Roster import against a bare openpyxl read-only pass over the same file.

`run(quick)` returns [(name, ours_seconds, baseline_seconds)]; target: ours ≤ 2× baseline.
Ours is the whole `import_roster` (pre-scan, read, header detection, every row
checked, 5,000 teachers written in one transaction); the baseline only iterates
the cells with `load_workbook(read_only=True)`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

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


def bare_pass(path: Path) -> int:
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)
    n = 0
    try:
        for _row in wb.worksheets[0].iter_rows(values_only=True):
            n += 1
    finally:
        wb.close()
    return n


def run(quick: bool = False) -> list[tuple[str, float, float]]:
    from app.services.excel import import_roster
    from app.services.workspace import Workspace

    rows = 1000 if quick else 5000
    tmp = Path(tempfile.mkdtemp(prefix="tisheng-bench-import-"))
    try:
        src = make_roster(tmp / "roster.xlsx", rows)
        bare_pass(src)                                 # warm the imports and the file cache
        out = []
        ws = Workspace.open(tmp / "data")
        try:
            t0 = time.perf_counter()
            result = import_roster(ws, src, error_workbook=False)
            ours = time.perf_counter() - t0
            if not result.ok or result.added != rows:
                raise RuntimeError(f"bench import failed: {result.summary()} "
                                   f"{[e.describe() for e in result.errors[:3]]}")
            t0 = time.perf_counter()
            bare_pass(src)
            out.append((f"import roster {rows} rows (xlsx)", ours, time.perf_counter() - t0))
            t0 = time.perf_counter()
            again = import_roster(ws, src, error_workbook=False)
            ours = time.perf_counter() - t0
            if again.unchanged != rows:
                raise RuntimeError(f"bench re-import changed data: {again.summary()}")
            t0 = time.perf_counter()
            bare_pass(src)
            out.append((f"re-import same roster {rows} rows (all matched, nothing written)", ours,
                        time.perf_counter() - t0))
        finally:
            ws.close()
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for name, ours, base in run("--quick" in sys.argv):
        print(f"{name}: ours {ours:.3f}s, bare openpyxl {base:.3f}s, ratio {ours / base:.2f}")
