"""Export of a synthetic school with ≥ 2 GB of evidence, against `cp -r` + `sha256sum` of the same files.

Both sides start with the evidence store dropped from the page cache. Ours runs in
a child process so its peak memory can be read (target < 300 MB). Two variants:
`export_…` is the whole export (compliance check, summary workbook, sign-off forms —
prepared in a background thread while the evidence is copied —, copy with hashing,
fsync, full read-back from the device, signature);
`export_bag_only_…` leaves out the workbook and forms, which belong to other modules,
to show the bag writer's own cost. The baseline copies the store with `cp -r` and
hashes the copies with `sha256sum` (no fsync, no read-back).

The synthetic school is built in <tmp>/tisheng-bench/ and deleted afterwards;
with TISHENG_BENCH_KEEP=1 it is kept and reused (bench_verify uses the same one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "tisheng-bench"


def drop_cache(folder: Path) -> None:
    """Evict a folder's files from the page cache (no root needed; per file)."""
    if not hasattr(os, "posix_fadvise"):
        return
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


def synthetic_school(quick: bool) -> Path:
    """A data folder with ≥ 2 GB (quick: 256 MB) of evidence, built once and cached."""
    mb, teachers = (256, 100) if quick else (2112, 1000)
    data = CACHE / f"school-{mb}mb"
    marker = data / "bench-ready.json"
    if marker.exists():
        return data
    shutil.rmtree(data, ignore_errors=True)
    data.parent.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "bench"))
    from make_school import make_school
    info = make_school(data, teachers=teachers, evidence_mb=mb)
    marker.write_text(json.dumps(info), encoding="utf-8")
    return data


CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from app.services.workspace import Workspace
from app.services.bundle.export import ExportOptions, Plugins, default_plugins, export_bundle
ws = Workspace.open(sys.argv[2])
plugins = default_plugins()
if sys.argv[4] == "core":          # the bag itself: no summary workbook, no sign-off forms
    plugins = Plugins(run_check=plugins.run_check)
t0 = time.perf_counter()
r = export_bundle(ws, sys.argv[3], ExportOptions(allow_incomplete=True), plugins=plugins)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "path": str(r.path), "bytes": r.payload_bytes,
                  "files": r.payload_files}))
"""


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (the forms' layout child too)."""
    total, todo, seen = 0, [pid], set()
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
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def run_child_rss(code: str, *args: str) -> tuple[dict, float]:
    """Like run_child, with the peak memory of the child: the larger of its own peak RSS
    (os.wait4) and the sampled sum over the child and its descendants (every 50 ms), so
    that work moved into a helper process is counted, not hidden."""
    proc = subprocess.Popen([sys.executable, "-c", code, str(ROOT), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if os.path.isdir("/proc"):
        sampler.start()
    err_text: list[str] = []
    reader = threading.Thread(target=lambda: err_text.append(proc.stderr.read()), daemon=True)
    reader.start()
    out = proc.stdout.read()
    reader.join()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    if sampler.is_alive():
        sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {''.join(err_text)[-2000:]}")
    return json.loads(out.strip().splitlines()[-1]), max(usage.ru_maxrss / 1024, peak[0])


def baseline_copy_hash(src: Path, dest: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(["cp", "-r", str(src), str(dest)], check=True)
    files = [str(p) for p in dest.rglob("*") if p.is_file()]
    for i in range(0, len(files), 500):
        subprocess.run(["sha256sum", *files[i:i + 500]], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def run(quick: bool):
    data = synthetic_school(quick)
    work = Path(tempfile.mkdtemp(prefix="tisheng-bench-export-", dir=CACHE))
    try:
        usb = work / "usb"
        usb.mkdir()
        rows = []
        for mode in ("full", "core"):
            drop_cache(data / "store")
            result, rss_mb = run_child_rss(CHILD, str(data), str(usb), mode)
            shutil.rmtree(result["path"], ignore_errors=True)
            drop_cache(data / "store")
            base = baseline_copy_hash(data / "store", work / "copy")
            shutil.rmtree(work / "copy", ignore_errors=True)
            gb = result["bytes"] / 1024 ** 3
            suffix = "" if mode == "full" else "_bag_only"
            rows += [(f"export{suffix}_{gb:.1f}GB_{result['files']}files", result["seconds"], base),
                     (f"export{suffix}_peak_memory_MB_vs_300MB", rss_mb, 300.0)]
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if os.environ.get("TISHENG_BENCH_KEEP") != "1":
            shutil.rmtree(CACHE, ignore_errors=True)


if __name__ == "__main__":
    for label, ours, base in run("--quick" in sys.argv):
        print(f"{label} ratio={ours / base:.2f} ours={ours:.4f}s baseline={base:.4f}s")
