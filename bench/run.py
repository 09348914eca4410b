"""Run the benchmarks: `python bench/run.py [NAME] [--quick]`.

Each bench/bench_<name>.py exposes run(quick: bool) -> list of (label, ours_s, baseline_s),
the baseline measured in the same run on the same data. One line is printed per
measurement: `label ratio=R ours=…s baseline=…s`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main() -> int:
    ap = argparse.ArgumentParser(description="运行基准测试，输出与同次基线的比值")
    ap.add_argument("name", nargs="?", help=f"只运行某一项：{', '.join(available())}")
    ap.add_argument("--quick", action="store_true", help="小规模快速运行")
    args = ap.parse_args()
    names = [args.name] if args.name else available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"没有这个基准：{unknown[0]}；可选：{', '.join(available())}", file=sys.stderr)
        return 2
    for name in names:
        module = importlib.import_module(f"bench_{name}")
        for label, ours, base in module.run(args.quick):
            ratio = ours / base if base else float("inf")
            print(f"{label} ratio={ratio:.2f} ours={ours:.4f}s baseline={base:.4f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
