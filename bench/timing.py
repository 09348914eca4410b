"""Timing helpers shared by the benchmarks: best-of runs, whole processes with the peak memory
of their process tree, page-cache eviction, and the result rows `run.py` prints."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Result:
    """One printed line: ours against the baseline measured in the same run.

    target: the largest acceptable ratio (None: shown for information only).
    unit: "s" for times, "MB" for memory (baseline then is the 300 MB ceiling)."""

    name: str
    ours: float
    baseline: float
    target: float | None = None
    unit: str = "s"

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    def line(self) -> str:
        fmt = (lambda v: f"{v:.4f}s") if self.unit == "s" else (lambda v: f"{v:.0f}MB")
        text = f"{self.name} ratio={self.ratio:.2f} ours={fmt(self.ours)} baseline={fmt(self.baseline)}"
        if self.target is not None:
            text += f" target=≤{self.target:g} {'within' if self.ratio <= self.target else 'OVER'}"
        return text


def repeats(default: int = 1) -> int:
    """How many rounds each measurement takes its best of (run.py --repeat)."""
    return max(1, int(os.environ.get("TISHENG_BENCH_REPEAT", default)))


def best(fn, repeat: int = 3) -> float:
    """The shortest of `repeat` runs of fn(), in seconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def drop_cache(*folders: Path) -> None:
    """Evict the files under the folders from the page cache (no root needed; per file), so
    that both sides of a comparison start from the disk, with nothing left to write back from
    the run before (a sync first: the previous side's deleted copy of 5 GB was still being
    written back when the next side started, and whichever side came next paid for it)."""
    if hasattr(os, "sync"):
        os.sync()
    if not hasattr(os, "posix_fadvise"):
        return
    for folder in folders:
        for dirpath, _dirs, files in os.walk(folder):
            for f in files:
                try:
                    fd = os.open(os.path.join(dirpath, f), os.O_RDONLY)
                except OSError:
                    continue
                try:
                    os.fsync(fd)
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                except OSError:
                    pass
                finally:
                    os.close(fd)


def tree_rss_mb(pid: int) -> tuple[float, float]:
    """Memory of a process and all its descendants (helper processes are counted): the sum of
    their resident sets now, and the largest high-water mark (VmHWM) of any one of them."""
    total, hwm, todo, seen = 0, 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        hwm = max(hwm, int(line.split()[1]))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total / 1024, hwm / 1024


@dataclass
class Run:
    seconds: float          # wall time from start to exit (or to the `until` line)
    peak_mb: float          # the larger of the sampled tree sum and the largest single process's VmHWM
    stdout: str
    returncode: int


def project_env(**extra: str) -> dict[str, str]:
    """The environment a user's `tisheng` has, pointed at this checkout."""
    env = dict(os.environ)
    # An installed app has its bytecode compiled (pip and PyInstaller both do it); a shell with
    # PYTHONDONTWRITEBYTECODE set would make every start compile the app from source again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def tisheng(*args: str) -> list[str]:
    """The `tisheng` command line as a user runs it (the console script is `python -m app`)."""
    return [sys.executable, "-m", "app", *args]


def run_process(cmd: list[str], *, env: dict | None = None, cwd: str | Path | None = None,
                until: str | None = None, check: bool = True) -> Run:
    """Run a whole process; wall time and peak memory of its process tree (sampled every 20 ms:
    the tree's sum, and each process's own high-water mark). Not os.wait4's ru_maxrss: a child
    starts with its parent's resident set counted in it (fork before exec), so after a benchmark
    that grew this process, every child would seem that large (where there is no /proc, it is
    all there is). With `until`, the time is taken when a stdout line starts with that text, and
    the process is then left to exit by itself."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                            text=True, encoding="utf-8", errors="replace")
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            peak[0] = max(peak[0], *tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampled = os.path.isdir("/proc")
    if sampled:
        sampler.start()
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    reader.start()
    out_lines, marked = [], None
    for line in proc.stdout:
        if until is not None and marked is None and line.startswith(until):
            marked = time.perf_counter() - t0
        out_lines.append(line)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    stop.set()
    if sampler.is_alive():
        sampler.join()
    reader.join()
    code = os.waitstatus_to_exitcode(status)
    if check and (code not in (0, 1) or (until is not None and marked is None)):
        raise RuntimeError(f"{' '.join(map(str, cmd))[:200]} failed ({code}): {''.join(err)[-2000:]}")
    return Run(marked if marked is not None else seconds, peak[0] if sampled else usage.ru_maxrss / 1024,
               "".join(out_lines), code)
