"""`tisheng export` of a school's evidence onto a folder, against `cp -r` + `sync` + a hash.

For each case in bags.py, both sides start with the evidence store dropped from the page cache:

* ours, the whole command as a user runs it: `tisheng --data-dir D export DEST --allow-incomplete`
  in a fresh process (start-up, compliance check, summary workbook, sign-off forms for every
  teacher, copy with fsync, read-back of every file from the device, signature); its peak
  memory is that of the whole process tree (the forms' layout processes included);
* ours in-process (`…_in_process`, for information): export_bundle() timed inside a process;
* baseline: `cp -r store COPY && sync`, then SHA-256 of every copied file with the faster of
  hashlib and `openssl dgst` (both printed).

Targets: whole command ≤ 1.5× the baseline; peak memory < 300 MB.

Ours does more than the baseline by design: it reads every file back from the device
(not the cache) after the last one is written, and lays out a sign-off form for every
teacher (the critical path for a school of many teachers and few files).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bags import CACHE, bag_dir, cases, cleanup, school
from hashers import describe, files_under, hash_time
from timing import ROOT, Result, drop_cache, project_env, repeats, run_process, tisheng

IN_PROCESS = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from app.services.workspace import Workspace
from app.services.bundle.export import ExportOptions, export_bundle
ws = Workspace.open(sys.argv[2])
t0 = time.perf_counter()
r = export_bundle(ws, sys.argv[3], ExportOptions(allow_incomplete=True))
print(json.dumps({"seconds": time.perf_counter() - t0, "path": str(r.path)}))
"""


def baseline(store: Path, work: Path) -> tuple[float, dict[str, float]]:
    copy = work / "copy"
    drop_cache(store)
    t0 = time.perf_counter()
    subprocess.run(["cp", "-r", str(store), str(copy)], check=True)
    subprocess.run(["sync"], check=True)
    copied = time.perf_counter() - t0
    hashed, times = hash_time(files_under(copy))
    shutil.rmtree(copy)
    return copied + hashed, times


def ours(data: Path, usb: Path) -> tuple[float, float, Path]:
    drop_cache(data / "store")
    run = run_process(tisheng("--data-dir", str(data), "export", str(usb), "--allow-incomplete", "--json"),
                      env=project_env())
    doc = json.loads(run.stdout)
    return run.seconds, run.peak_mb, Path(doc["path"])


def ours_in_process(data: Path, usb: Path) -> float:
    drop_cache(data / "store")
    run = run_process([sys.executable, "-c", IN_PROCESS, str(ROOT), str(data), str(usb)], env=project_env())
    doc = json.loads(run.stdout.strip().splitlines()[-1])
    shutil.rmtree(doc["path"])
    return doc["seconds"]


def run(quick: bool) -> list[Result]:
    rows: list[Result] = []
    for case in cases(quick):
        data = school(case)
        store = data / "store"
        files = files_under(store)
        size = sum(Path(f).stat().st_size for f in files)
        work = Path(tempfile.mkdtemp(prefix="export-", dir=CACHE / case.key))
        usb = work / "usb"
        usb.mkdir()
        best_ours = best_base = best_inproc = float("inf")
        peak = 0.0
        bag = None
        try:
            for _ in range(repeats()):
                base, times = baseline(store, work)
                print(f"  export {case.key} baseline: cp -r + sync + hash {base:.2f}s (hash: {describe(times)})",
                      flush=True)
                best_base = min(best_base, base)
                seconds, peak_mb, path = ours(data, usb)
                best_ours, peak = min(best_ours, seconds), max(peak, peak_mb)
                if bag is not None:
                    shutil.rmtree(bag)
                bag = path
                best_inproc = min(best_inproc, ours_in_process(data, usb))
            name = f"export_{case.key}_{size / 1024 ** 3:.1f}GB_{len(files)}files"
            rows += [Result(name, best_ours, best_base, 1.5),
                     Result(f"{name}_in_process", best_inproc, best_base),
                     Result(f"export_{case.key}_peak_memory", peak, 300.0, 1.0, "MB")]
            keep = bag_dir(case)
            shutil.rmtree(keep, ignore_errors=True)
            shutil.move(str(bag), str(keep))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for r in run("--quick" in sys.argv):
        print(r.line())
