"""Run the benchmarks: `python bench/run.py [NAME ...] [--quick] [--repeat N] [--markdown FILE]`.

Each bench/bench_<name>.py exposes run(quick: bool) -> list of timing.Result (older ones return
(label, ours_s, baseline_s)), the baseline measured in the same run on the same data. One line
is printed per measurement:

    NAME ratio=R ours=…s baseline=…s target=≤T within|OVER

Memory lines (`…peak_memory…`) print megabytes against the 300 MB ceiling. With --markdown, the
same rows are also written to FILE as a table (with the machine and the run's duration) ready for
the README. Baselines never
import project code (bench/baselines/, checked by tests/test_bench_baselines.py).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

ORDER = ["cold_start", "import", "forms", "export", "verify", "ui", "check"]


def available() -> list[str]:
    found = {p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def main() -> int:
    ap = argparse.ArgumentParser(description="运行基准测试，输出与同次基线的比值")
    ap.add_argument("names", nargs="*", help=f"只运行这几项：{', '.join(available())}")
    ap.add_argument("--quick", action="store_true", help="小规模快速运行")
    ap.add_argument("--repeat", type=int, default=None,
                    help="每项每边取几轮中最好的一轮（默认：完整运行 2 轮，与 README 的表相同；--quick 1 轮）")
    ap.add_argument("--markdown", metavar="FILE", type=Path, default=None,
                    help="同时把结果写成 Markdown 表格（供 README 使用）")
    args = ap.parse_args()
    names = args.names or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"没有这个基准：{unknown[0]}；可选：{', '.join(available())}", file=sys.stderr)
        return 2
    if args.repeat:
        os.environ["TISHENG_BENCH_REPEAT"] = str(args.repeat)
    elif "TISHENG_BENCH_REPEAT" not in os.environ:
        # one round is at the mercy of the disk (the same export varies ±20% here); both sides take
        # their best of the same number of rounds
        os.environ["TISHENG_BENCH_REPEAT"] = "1" if args.quick else "2"
    from timing import Result
    rows: list[Result] = []
    started = time.perf_counter()
    try:
        for name in names:
            module = importlib.import_module(f"bench_{name}")
            for row in module.run(args.quick):
                if not isinstance(row, Result):
                    row = Result(*row)
                rows.append(row)
                print(row.line(), flush=True)
                if args.markdown:
                    write_markdown(args.markdown, rows, time.perf_counter() - started, args.quick)
    finally:
        if os.environ.get("TISHENG_BENCH_KEEP") != "1":
            from bags import CACHE
            shutil.rmtree(CACHE, ignore_errors=True)
    return 0


def machine() -> str:
    """CPU model, cores, memory and Python: the conditions the figures were taken under."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            mem = f", {int(fh.readline().split()[1]) / 1024 ** 2:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = f", load {os.getloadavg()[0]:.2f} at the end" if hasattr(os, "getloadavg") else ""
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}{load}"


def write_markdown(path: Path, rows, seconds: float, quick: bool) -> None:
    """The results as a Markdown table, rewritten after every row (a run cut short keeps what it had)."""
    def fmt(row, v: float) -> str:
        return f"{v:.0f} MB" if row.unit == "MB" else f"{v:.3f} s"
    lines = [f"Machine: {machine()}. `python bench/run.py{' --quick' if quick else ''}`, "
             f"{seconds / 60:.1f} min, {time.strftime('%Y-%m-%d %H:%M')}.", "",
             "| Measurement | Ours | Baseline | Ratio | Target | |", "|---|---:|---:|---:|---:|---|"]
    for r in rows:
        target = "" if r.target is None else f"≤ {r.target:g}×"
        verdict = "" if r.target is None else ("within" if r.ratio <= r.target else "**over**")
        lines.append(f"| `{r.name}` | {fmt(r, r.ours)} | {fmt(r, r.baseline)} | {r.ratio:.2f}× | {target} | {verdict} |")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
