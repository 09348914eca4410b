"""Run the benchmarks: `python bench/run.py [NAME ...] [--quick] [--repeat N]`.

Each bench/bench_<name>.py exposes run(quick: bool) -> list of timing.Result (older ones return
(label, ours_s, baseline_s)), the baseline measured in the same run on the same data. One line
is printed per measurement:

    NAME ratio=R ours=…s baseline=…s target=≤T within|OVER

Memory lines (`…peak_memory…`) print megabytes against the 300 MB ceiling. Baselines never
import project code (bench/baselines/, checked by tests/test_bench_baselines.py).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
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
    ap.add_argument("--repeat", type=int, default=None, help="每项取几轮中最好的一轮（默认 1，终版数字用 2）")
    args = ap.parse_args()
    names = args.names or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"没有这个基准：{unknown[0]}；可选：{', '.join(available())}", file=sys.stderr)
        return 2
    if args.repeat:
        os.environ["TISHENG_BENCH_REPEAT"] = str(args.repeat)
    from timing import Result
    try:
        for name in names:
            module = importlib.import_module(f"bench_{name}")
            for row in module.run(args.quick):
                if not isinstance(row, Result):
                    row = Result(*row)
                print(row.line(), flush=True)
    finally:
        if os.environ.get("TISHENG_BENCH_KEEP") != "1":
            from bags import CACHE
            shutil.rmtree(CACHE, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
